"""The command line's memory: server, token and signing key, in one JSON file readable by its
owner only: `$XDG_CONFIG_HOME/quayside/config.json` (default `~/.config/quayside/`)."""
from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path


def config_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "quayside"


def config_path() -> Path:
    return config_dir() / "config.json"


def default_key_path() -> Path:
    return config_dir() / "signing-key.pem"


@dataclass
class Profile:
    url: str
    token: str
    username: str = ""
    key_path: str = ""  # the private key bids are signed with, once registered
    key_id: str = ""  # its keyid, as the server named it at registration

    @property
    def signs(self) -> bool:
        return bool(self.key_path and self.key_id)


def load() -> Profile | None:
    path = config_path()
    if not path.exists():
        return None
    data = json.loads(path.read_text())
    return Profile(**{name: str(data.get(name) or "") for name in Profile.__dataclass_fields__})


def save(profile: Profile) -> Path:
    """Written to a new file of mode 0600, then moved over the old one (never a moment readable)."""
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(asdict(profile), handle, indent=2)
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)
    return path
