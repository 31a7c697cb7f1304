"""A free TCP port on 127.0.0.1 for a server a test starts, and waiting until it serves
(bench/ keeps its own copy of free_port).

A server a test starts binds its port seconds after the port is chosen (`./quayside up`
migrates and seeds first), and CI runs four suites side by side (.ci/run). A port the kernel
hands out for `bind(0)` comes from the ephemeral range, which every suite and every outgoing
connection draws from, so another suite's server could take it in between: the test then
talks to the wrong site. Ports are therefore drawn below the ephemeral range, each CI run
(backend and share) from its own block, and never twice in one process.
"""
import os
import random
import socket
import time
from pathlib import Path

import pytest
import requests

# Below Linux's default ephemeral range (32768-60999), above the well-known services'.
FIRST_PORT, LAST_PORT = 20000, 32000
_handed_out: set[int] = set()


def _block() -> range:
    """This run's ports: CI's runs (QUAYSIDE_CI_ONCE x QUAYSIDE_TEST_SHARD) each get their own."""
    once, shard = os.environ.get("QUAYSIDE_CI_ONCE"), os.environ.get("QUAYSIDE_TEST_SHARD")
    if not (once and shard):
        return range(FIRST_PORT, LAST_PORT)
    k, n = (int(part) for part in shard.split("/"))
    runs = 2 * n
    index = (0 if once == "postgres" else n) + k - 1
    size = (LAST_PORT - FIRST_PORT) // runs
    return range(FIRST_PORT + index * size, FIRST_PORT + (index + 1) * size)


def free_port() -> int:
    block = _block()
    for _ in range(200):
        port = random.choice(block)
        if port in _handed_out:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:  # taken: by a server of this run, or something else on the machine
                continue
        _handed_out.add(port)
        return port
    raise RuntimeError(f"no free port in {block}")


def wait_until_serving(url: str, *, process, log_path: Path, timeout: float) -> None:
    """Poll `url` until the server answers; fail with the end of its log if it exits or times out."""
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            pytest.fail(f"the server exited early:\n{log_path.read_text()[-3000:]}")
        try:
            requests.get(url, timeout=5)
            return
        except (requests.ConnectionError, requests.Timeout):  # not listening yet, or still starting up
            if time.monotonic() > deadline:
                pytest.fail(f"the server did not serve {url} within {timeout:.0f} s:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.3)
