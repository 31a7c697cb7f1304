"""A free TCP port on 127.0.0.1 for a server a test starts, and waiting until it serves
(bench/ keeps its own copy of free_port)."""
import socket
import time
from pathlib import Path

import pytest
import requests


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


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
