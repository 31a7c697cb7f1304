"""Where checkpoints live outside the database: write-once documents, per stream and seq.

One small interface (`CheckpointStore`) so an object store with write-once objects (S3
Object Lock, GCS retention) can replace the directory: `AUDIT_ANCHOR_STORE` names the class.
"""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from django.conf import settings
from django.utils.module_loading import import_string

STREAM_KEY = re.compile(r"^[a-z]+(:[0-9]+)?$")  # "platform", "rfq:12": never a path


class CheckpointStore:
    """Write-once documents addressed by (stream, seq)."""

    def put(self, stream: str, seq: int, document: bytes) -> bytes:
        """Store `document` unless (stream, seq) holds one already; return what is stored there."""
        raise NotImplementedError

    def seqs(self, stream: str) -> list[int]:
        """The checkpointed seqs of `stream`, ascending."""
        raise NotImplementedError

    def get(self, stream: str, seq: int) -> bytes | None:
        raise NotImplementedError

    def streams(self) -> list[str]:
        """Every stream with a checkpoint: a stream deleted from the database is still known here."""
        raise NotImplementedError


class DirectoryStore(CheckpointStore):
    """<root>/<stream, ':' as '-'>/<seq, 12 digits>.json — an append-only directory tree.

    A file appears whole or not at all (written aside, then hard-linked into place, which
    fails if the name exists), so a crash never leaves half a checkpoint and nothing is
    ever overwritten."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def _dir(self, stream: str) -> Path:
        if not STREAM_KEY.match(stream):
            raise ValueError(f"not a stream key: {stream!r}")
        return self.root / stream.replace(":", "-")

    def put(self, stream: str, seq: int, document: bytes) -> bytes:
        folder = self._dir(stream)
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{seq:012d}.json"
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".incoming-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(document)
                out.flush()
                os.fsync(out.fileno())
            os.link(temporary, target)
        except FileExistsError:
            pass  # sealed already (a racing sealer): the caller compares what is there
        finally:
            os.unlink(temporary)
        return target.read_bytes()

    def seqs(self, stream: str) -> list[int]:
        folder = self._dir(stream)
        if not folder.is_dir():
            return []
        return sorted(int(path.stem) for path in folder.glob("*.json") if path.stem.isdigit())

    def get(self, stream: str, seq: int) -> bytes | None:
        path = self._dir(stream) / f"{seq:012d}.json"
        return path.read_bytes() if path.is_file() else None

    def streams(self) -> list[str]:
        if not self.root.is_dir():
            return []
        keys = (path.name.replace("-", ":", 1) for path in self.root.iterdir() if path.is_dir())
        return sorted(key for key in keys if STREAM_KEY.match(key))


def checkpoint_store() -> CheckpointStore:
    """The configured store. Read per call: tests and deployments point it elsewhere."""
    root = settings.AUDIT_ANCHOR_DIR or Path(settings.MEDIA_ROOT) / "audit-anchors"
    return import_string(settings.AUDIT_ANCHOR_STORE)(root)
