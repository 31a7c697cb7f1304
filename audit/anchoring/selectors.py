"""Reads of the anchor store: a stream's checkpoints, as documents."""
from __future__ import annotations

from typing import Any

from . import documents
from .store import checkpoint_store


def checkpoints_of(stream: str) -> list[tuple[int, dict[str, Any] | None]]:
    """Every (seq, document) stored for `stream`, ascending; None for a file that is no checkpoint."""
    store = checkpoint_store()
    return [(seq, documents.from_bytes(store.get(stream, seq) or b"")) for seq in store.seqs(stream)]


def _genuine(document: dict[str, Any] | None, stream: str, seq: int) -> bool:
    return (document is not None and document["stream"] == stream and document["seq"] == seq
            and documents.signature_problem(document) is None)


def checkpoint_latest(stream: str) -> dict[str, Any] | None:
    """The stream's latest genuine checkpoint (signed by a trusted key, filed where it says)."""
    store = checkpoint_store()
    for seq in reversed(store.seqs(stream)):
        document = documents.from_bytes(store.get(stream, seq) or b"")
        if _genuine(document, stream, seq):
            return document
    return None


def checkpoint_covering(stream: str, seq: int) -> dict[str, Any] | None:
    """The first genuine checkpoint at or after `seq`: it seals every event up to `seq`."""
    store = checkpoint_store()
    for at_seq in store.seqs(stream):
        if at_seq >= seq:
            document = documents.from_bytes(store.get(stream, at_seq) or b"")
            if _genuine(document, stream, at_seq):
                return document
    return None
