"""common.gunicorn_worker: the production HTTP tier's worker closes each connection as RFC 9112
asks, without waiting for the client's close before it serves the next (README "Production")."""
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from common.gunicorn_worker import LINGER_SECONDS, ONE_WRITE_BYTES, POLL_SECONDS, Lingering, Written
from tests.ports import free_port
from tests.raw_http import assert_contract_error, raw_answer, read_answer

REPO = Path(__file__).resolve().parent.parent
WORKER = "common.gunicorn_worker.SyncWorker"
REQUEST = b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"


def until(condition, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


# One Gunicorn per worker class is enough; the database plays no part (the embedded run only).
needs_one_backend = pytest.mark.skipif(
    "sqlite" not in settings.DATABASES["default"]["ENGINE"], reason="no database involved: the embedded run only")


@pytest.fixture
def gunicorn(request, tmp_path):
    port = free_port()
    log = open(tmp_path / "gunicorn.log", "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "1", "--worker-class", request.param,
         "--bind", f"127.0.0.1:{port}", "tests.server_apps:wsgi_app"],
        cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def answers() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as probe:
                probe.sendall(REQUEST)
                return read_answer(probe).startswith(b"HTTP/1.1 200")
        except OSError:
            return False

    try:
        assert until(answers, timeout=30), (tmp_path / "gunicorn.log").read_text()
        yield port
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        log.close()


@needs_one_backend
@pytest.mark.parametrize("gunicorn", [WORKER, "sync"], indirect=True)
def test_a_client_slow_to_close_does_not_hold_the_worker(gunicorn, request):
    """Client A reads its answer and keeps the connection open. Gunicorn's own sync worker waits
    for A's close (2 s) before it accepts B; ours answers B at once. The stock worker is run too,
    to show that the scenario does hold a worker."""
    slow = socket.create_connection(("127.0.0.1", gunicorn), timeout=10)
    try:
        slow.sendall(REQUEST)
        assert read_answer(slow).endswith(b"answered\n")  # the server's FIN came with the answer
        started = time.monotonic()
        with socket.create_connection(("127.0.0.1", gunicorn), timeout=10) as next_client:
            next_client.sendall(REQUEST)
            assert read_answer(next_client).endswith(b"answered\n")
        waited = time.monotonic() - started
    finally:
        slow.close()
    if request.node.callspec.params["gunicorn"] == WORKER:
        assert waited < 1.5, f"the next client waited {waited:.2f} s: the worker lingered on its only thread"
    else:
        assert waited >= 1.8, f"the stock worker answered after {waited:.2f} s: the scenario no longer holds a worker"


@needs_one_backend
@pytest.mark.parametrize("gunicorn", [WORKER], indirect=True)
def test_an_answer_given_before_the_body_is_read_still_arrives(gunicorn):
    """The application answers without reading a 40 kB body: the worker must drain it before
    closing, or the close becomes a reset that can destroy the answer in the client's buffer."""
    with socket.create_connection(("127.0.0.1", gunicorn), timeout=10) as client:
        client.sendall(b"POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\n"
                       b"Content-Length: 40000\r\n\r\n" + b"x" * 40000)
        time.sleep(0.3)  # the server has answered and closed its side by now
        answer = read_answer(client)
    assert answer.startswith(b"HTTP/1.1 200") and answer.endswith(b"answered\n")


@needs_one_backend
@pytest.mark.parametrize("gunicorn", [WORKER], indirect=True)
def test_an_idle_worker_still_closes_a_silent_client_after_the_time_limit(gunicorn):
    """No request follows: the worker, waiting for one, still closes the half-closed socket of
    a client that never closes once LINGER_SECONDS pass. Data sent after that close is answered
    with a reset; before it, the worker would have read and dropped it."""
    with socket.create_connection(("127.0.0.1", gunicorn), timeout=10) as client:
        client.sendall(REQUEST)
        assert read_answer(client).endswith(b"answered\n")
        time.sleep(LINGER_SECONDS + POLL_SECONDS + 1.0)
        client.sendall(b"still here?")
        with pytest.raises((ConnectionResetError, BrokenPipeError)):  # a reset, seen by whichever call meets it
            client.sendall(b"x")
            client.recv(100)
            client.sendall(b"x")


@needs_one_backend
@pytest.mark.parametrize("gunicorn", [WORKER], indirect=True)
@pytest.mark.parametrize(("request_bytes", "status", "code"), [
    (b"GET /api/v1/rfqs/?q=" + b"a" * 5000 + b" HTTP/1.1\r\nHost: localhost\r\n\r\n", 414, "uri_too_long"),
    (b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Note: " + b"b" * 9000 + b"\r\n\r\n", 431, "headers_too_large"),
    (b"GET / HTTP/1.1\r\nHost: localhost\r\n" + b"X-N: 1\r\n" * 101 + b"\r\n", 431, "headers_too_large"),
    (b"GET / HTTP/1.1\r\nHost: localhost\r\nA header without a colon\r\n\r\n", 400, "malformed_request"),
    (b"NOT-HTTP\r\n\r\n", 400, "malformed_request"),
    (b"GET / HTTP/9.9\r\nHost: localhost\r\n\r\n", 400, "malformed_request"),
], ids=["request-line", "header-line", "header-count", "header-without-colon", "garbage", "http-version"])
def test_a_request_gunicorn_cannot_read_is_answered_in_the_contract_format(gunicorn, request_bytes, status, code):
    """Gunicorn's own refusals, made before the application sees the request, read as every
    other 4xx of the API does (README "Servers"), not as Gunicorn's HTML page."""
    base = f"http://127.0.0.1:{gunicorn}"
    answer = raw_answer(base, request_bytes)
    assert_contract_error(*answer, status, code)
    assert answer[2]["error"]["message"].endswith(".")
    with socket.create_connection(("127.0.0.1", gunicorn), timeout=5) as conn:  # the worker serves on
        conn.sendall(REQUEST)
        assert read_answer(conn).endswith(b"answered\n")


def test_the_half_close_is_sent_at_once_and_the_socket_closed_after_the_peer():
    lingering = Lingering()
    server, client = socket.socketpair()
    server.sendall(b"answer")
    lingering.close(server)
    assert client.recv(100) == b"answer" and client.recv(100) == b""  # FIN right away
    lingering.finish()
    assert len(lingering) == 1 and server.fileno() != -1  # the peer has not closed: still open
    client.sendall(b"late bytes")  # read and dropped
    lingering.finish()
    assert len(lingering) == 1 and server.fileno() != -1
    client.close()
    lingering.finish()
    assert len(lingering) == 0 and server.fileno() == -1


def test_a_silent_peer_is_closed_after_the_time_limit():
    lingering = Lingering(seconds=0.2)
    server, client = socket.socketpair()
    lingering.close(server)
    lingering.finish()
    assert len(lingering) == 1
    time.sleep(0.25)
    lingering.finish()
    assert len(lingering) == 0 and server.fileno() == -1
    client.close()


def test_a_peer_that_keeps_sending_is_closed_after_the_drain_limit():
    lingering = Lingering(drain=10)
    server, client = socket.socketpair()
    lingering.close(server)
    client.sendall(b"y" * 100)
    lingering.finish()
    assert len(lingering) == 0 and server.fileno() == -1
    client.close()


def test_the_drain_limit_a_caller_gives_is_kept():
    """close_graceful's own `max_drain`, when Gunicorn passes one, is kept as it is."""
    lingering = Lingering()
    server, client = socket.socketpair()
    lingering.close(server, max_drain=10)
    client.sendall(b"y" * 100)
    lingering.finish()
    assert len(lingering) == 0 and server.fileno() == -1
    client.close()


def test_a_worker_leaving_finishes_every_lingering_socket_first():
    lingering = Lingering(seconds=0.3)
    closing, closing_peer = socket.socketpair()
    silent, silent_peer = socket.socketpair()
    lingering.close(closing)
    lingering.close(silent)
    closing_peer.close()
    lingering.finish_all()  # returns once the silent one's time is up
    assert len(lingering) == 0 and closing.fileno() == -1 and silent.fileno() == -1
    silent_peer.close()


def test_a_socket_that_cannot_be_half_closed_is_closed_at_once():
    lingering = Lingering()
    server, client = socket.socketpair()
    client.close()
    server.close()  # shutdown on a closed socket fails: nothing to linger on
    lingering.close(server)
    assert len(lingering) == 0


def _exchange(response_class, chunks: list[bytes]) -> list[bytes]:
    """The writes a response of `response_class` makes for a 200 answer of `chunks`."""
    from gunicorn.config import Config
    from gunicorn.http.parser import RequestParser

    cfg = Config()
    req = next(RequestParser(cfg, iter([REQUEST]), ("127.0.0.1", 40000)))
    sock = Written()
    response = response_class(req, sock, cfg)
    length = sum(map(len, chunks))
    response.start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(length))])
    for chunk in chunks:
        response.write(chunk)
    response.close()
    return [b"\r\n".join(line for line in part.split(b"\r\n") if not line.startswith(b"Date: "))
            for part in sock.parts]  # the Date line aside, which can change between the two


@pytest.mark.parametrize("chunks", [[b"answered\n"], [b"answered\n", b"and more\n"], [b""],
                                    [b"x" * 70000, b"tail\n"]], ids=["one", "two", "empty", "large"])
def test_the_head_goes_out_with_the_first_body_chunk_and_the_bytes_are_gunicorns(chunks):
    from gunicorn.http.wsgi import Response

    from common.gunicorn_worker import OneWriteResponse

    ours, stock = _exchange(OneWriteResponse, chunks), _exchange(Response, chunks)
    assert b"".join(ours) == b"".join(stock) and stock[0].startswith(b"HTTP/1.1 200 OK\r\n")
    if len(chunks[0]) <= ONE_WRITE_BYTES:
        # One write fewer, the head's (an empty body is no write of its own in either).
        assert len(ours) == max(1, len(stock) - 1) and ours[0].endswith(b"\r\n\r\n" + chunks[0])
    else:  # a large first chunk goes as Gunicorn sends it, head first (no copy of the body)
        assert ours == stock
