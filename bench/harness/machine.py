"""What a report names: the machine, the code revision, the PostgreSQL server."""
from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path

import psutil

from .setup import REPO


def machine_info() -> dict:
    info = {"nproc": os.cpu_count(), "python": platform.python_version(), "kernel": platform.release()}
    try:
        model = [line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                 if line.startswith("model name")]
        info["cpu"] = model[0] if model else platform.processor()
    except OSError:
        info["cpu"] = platform.processor()
    info["memory_gib"] = round(psutil.virtual_memory().total / 2**30, 1)
    return info


def code_revision() -> str:
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True,
                             timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO,
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{rev or 'unknown'}{' + uncommitted changes' if dirty else ''} ({REPO})"


def postgres_version(args) -> str:
    import psycopg

    with psycopg.connect(f"{args.pg_url}/{args.db}", autocommit=True) as conn:
        version = conn.execute("SHOW server_version").fetchone()[0]
        settings = dict(conn.execute("SELECT name, setting FROM pg_settings WHERE name IN "
                                     "('synchronous_commit', 'fsync', 'shared_buffers', 'max_connections')")
                        .fetchall())
    return f"{version} ({', '.join(f'{k}={v}' for k, v in sorted(settings.items()))})"
