"""common.uvicorn_http: the ASGI tier answers a request it cannot parse in the contract's error
format, and closes so that the answer arrives (README "Production")."""
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from common.uvicorn_http import MAX_HEAD_BYTES
from tests.ports import free_port
from tests.raw_http import assert_contract_error, malformed_requests, raw_answer, read_answer

REPO = Path(__file__).resolve().parent.parent
PROTOCOL = "common.uvicorn_http:HttpToolsProtocol"
REQUEST = b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"

pytestmark = pytest.mark.skipif(  # no database involved: once is enough
    "sqlite" not in settings.DATABASES["default"]["ENGINE"], reason="no database involved: the embedded run only")


def answered(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as probe:
            probe.sendall(REQUEST)
            probe.shutdown(socket.SHUT_WR)
            answer = read_answer(probe)
            return answer.startswith(b"HTTP/1.1 200") and answer.endswith(b"answered\n")
    except OSError:
        return False


@pytest.fixture(scope="module")
def uvicorn(tmp_path_factory):
    port, log_path = free_port(), tmp_path_factory.mktemp("uvicorn") / "uvicorn.log"
    log = open(log_path, "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--http", PROTOCOL, "--port", str(port), "--no-access-log",
         "tests.server_apps:asgi_app"], cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while not answered(port):
            assert time.monotonic() < deadline and process.poll() is None, log_path.read_text()
            time.sleep(0.1)
        yield port
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        log.close()


@pytest.mark.parametrize("request_bytes", malformed_requests("localhost"))
def test_a_request_uvicorn_cannot_parse_is_answered_in_the_contract_format(uvicorn, request_bytes):
    assert_contract_error(*raw_answer(f"http://127.0.0.1:{uvicorn}", request_bytes), 400, "malformed_request")
    assert answered(uvicorn)  # the server serves on


@pytest.mark.parametrize("request_bytes", [
    b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Note: " + b"b" * 70_000 + b"\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: localhost\r\n" + b"".join(b"X-Part-%d: %s\r\n" % (n, b"c" * 2000) for n in range(40)) + b"\r\n",
    b"GET /?q=" + b"a" * 70_000 + b" HTTP/1.1\r\nHost: localhost\r\n\r\n",
], ids=["header-line", "many-headers", "request-line"])
def test_a_request_head_over_the_limit_is_answered_431(uvicorn, request_bytes):
    """httptools sets no limit: without ours Uvicorn read a 10 MB header line and answered 200."""
    assert_contract_error(*raw_answer(f"http://127.0.0.1:{uvicorn}", request_bytes), 431, "headers_too_large")
    assert answered(uvicorn)


def test_a_head_sent_in_pieces_is_counted_whole(uvicorn):
    """60 kB of headers, then 4 kB pieces: every piece counts, the first one too."""
    with socket.create_connection(("127.0.0.1", uvicorn), timeout=10) as client:
        client.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Note: " + b"f" * 60_000 + b"\r\n")
        try:
            for n in range(3):
                time.sleep(0.05)  # each piece its own read
                client.sendall(b"X-Part-%d: %s\r\n" % (n, b"t" * 4000))
            client.sendall(b"\r\n")
        except OSError:
            pass  # refused and closed while we were still sending
        answer = read_answer(client)
    assert answer.startswith(b"HTTP/1.1 431") and b'"headers_too_large"' in answer


def test_requests_on_a_kept_alive_connection_are_each_counted_from_their_start(uvicorn):
    """Two requests of 40 kB of headers on one connection are served (80 kB in all, each under
    the limit); a third of 70 kB is refused (the limit holds after the first request too)."""
    def head(size: int) -> bytes:
        return b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Note: " + b"k" * size + b"\r\n\r\n"

    with socket.create_connection(("127.0.0.1", uvicorn), timeout=10) as client:
        for _ in range(2):
            client.sendall(head(40_000))
            answer = b""
            while not answer.endswith(b"answered\n"):
                chunk = client.recv(65536)
                assert chunk, answer
                answer += chunk
            assert answer.startswith(b"HTTP/1.1 200")
        client.sendall(head(70_000))
        answer = read_answer(client)
    assert answer.startswith(b"HTTP/1.1 431") and b'"headers_too_large"' in answer


def test_a_head_just_under_the_limit_and_a_large_body_are_served(uvicorn):
    """The limit counts the head only: a body far larger, sent in the same packets, is not counted."""
    head = b"POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 300000\r\nX-Note: "
    head += b"n" * (MAX_HEAD_BYTES - len(head) - 4) + b"\r\n\r\n"
    assert len(head) == MAX_HEAD_BYTES
    with socket.create_connection(("127.0.0.1", uvicorn), timeout=10) as client:
        client.sendall(head + b"x" * 300_000)
        client.shutdown(socket.SHUT_WR)
        answer = read_answer(client)
    assert answer.startswith(b"HTTP/1.1 200") and answer.endswith(b"answered\n")


def test_the_answer_arrives_though_the_client_is_still_sending(uvicorn):
    """A malformed head and a 400 kB body sent at once: closing with those bytes unread would be
    a reset, which can destroy the answer in the client's buffer before it is read."""
    with socket.create_connection(("127.0.0.1", uvicorn), timeout=10) as client:
        client.sendall(b"POST / HTTP/1.1\r\nHost: localhost\r\nA header without a colon\r\n"
                       b"Content-Length: 400000\r\n\r\n" + b"x" * 400_000)
        time.sleep(0.3)  # answered and half-closed by now
        answer = read_answer(client)
    assert answer.startswith(b"HTTP/1.1 400") and b'"malformed_request"' in answer
