"""Gunicorn's sync worker, which no longer waits for each client's close before the next.

A sync worker answers with `Connection: close` and then closes as RFC 9112 §9.6 asks
(`gunicorn.util.close_graceful`): it half-closes, then reads and drops what the client still
sends until the client closes too (at most 2 s or 64 kB), so that unread request bytes do not
turn the close into a reset that can destroy the answer. Gunicorn does that wait at once, on
the worker's only thread: a client round trip per request during which the worker accepts
nobody. On the bid benchmark that was about a tenth of a worker's time (bench/README.md).

This worker keeps the same close — the same half-close, drain, limits and final close — but
leaves the half-closed sockets `Lingering` and finishes them between requests: before each
`accept`, and at least every POLL_SECONDS while it waits idle. By the next request the last
client has nearly always closed, so finishing it costs what Gunicorn's own close does: one
`recv` and the `close`. A thread beside the worker was tried first: its wake-ups and the GIL's
hand-offs cost about 50 µs of CPU per request (bench/README.md, sixteenth session). TLS sockets
(Gunicorn's own `--certfile`) are closed as before. README "Production" runs Gunicorn with
`--worker-class common.gunicorn_worker.SyncWorker`.

It also answers the requests Gunicorn cannot read (a request line or header past its limits, a
malformed line, a bad chunk) in the contract's error format, as the embedded server does
(common.embedded_http), rather than with Gunicorn's HTML page.
"""
from __future__ import annotations

import socket
import ssl
import time

from gunicorn import util
from gunicorn.http import wsgi
from gunicorn.workers import sync

from .raw_answers import error_answer

LINGER_SECONDS = 2.0  # gunicorn.util.close_graceful's limits
DRAIN_BYTES = 65536
POLL_SECONDS = 0.5  # how long an idle worker leaves lingering sockets unattended
ONE_WRITE_BYTES = 65536  # a first body chunk up to this size goes out with the head


class Lingering:
    """Half-closed sockets, each read and dropped until its peer closes, it has sent `drain`
    bytes, or `seconds` pass; then closed. Not thread-safe: one worker thread's."""

    def __init__(self, *, seconds: float = LINGER_SECONDS, drain: int = DRAIN_BYTES):
        self.seconds, self.drain = seconds, drain
        self._open: list[list] = []  # [socket, deadline, bytes drained, bytes it may drain]

    def close(self, sock: socket.socket, timeout: float = LINGER_SECONDS, max_drain: int = DRAIN_BYTES) -> None:
        """`gunicorn.util.close_graceful`, returning as soon as the socket is half-closed."""
        if isinstance(sock, ssl.SSLSocket):
            return _close_graceful(sock, timeout, max_drain)
        try:
            sock.shutdown(socket.SHUT_WR)
            sock.setblocking(False)
        except OSError:
            return util.close(sock)
        self._open.append([sock, time.monotonic() + min(timeout, self.seconds), 0, min(max_drain, self.drain)])

    def __len__(self) -> int:
        return len(self._open)

    def finish(self) -> None:
        """Close every socket whose peer has closed, has sent too much, or whose time is up."""
        if not self._open:
            return
        now = time.monotonic()
        self._open = [entry for entry in self._open if not self._done(entry, now)]

    def finish_all(self) -> None:
        """Wait for every socket to be finished (a worker about to exit: at most `seconds`)."""
        while self._open:
            self.finish()
            if self._open:
                time.sleep(0.01)

    def _done(self, entry: list, now: float) -> bool:
        sock = entry[0]
        try:
            while entry[2] < entry[3]:
                data = sock.recv(DRAIN_BYTES)
                if not data:
                    break  # the peer closed
                entry[2] += len(data)
        except BlockingIOError:
            if entry[1] > now:
                return False  # nothing more yet, and time left: look again later
        except OSError:
            pass
        util.close(sock)
        return True


_close_graceful = util.close_graceful

# Gunicorn's own refusals (gunicorn.workers.base.Worker.handle_error), by status: the
# contract's code, and what the message says before Gunicorn's detail.
REFUSALS = {
    400: ("malformed_request", "The request could not be read as HTTP/1.1"),
    403: ("permission_denied", "The request was refused by the server"),
    414: ("uri_too_long", "The request line (method, path and query string) is longer than this server reads"),
    417: ("expectation_failed", "The request's Expect header cannot be met"),
    431: ("headers_too_large", "The request's headers are larger than this server reads"),
    500: ("server_error", "Something went wrong on our side; it has been logged"),
    501: ("not_implemented", "The request's transfer coding is not supported"),
}


def write_error(sock: socket.socket, status_int: int, reason: str, mesg: str) -> None:
    """`gunicorn.util.write_error`, with the contract's error body rather than an HTML page."""
    code, message = REFUSALS.get(status_int, REFUSALS[400 if status_int < 500 else 500])
    detail = f" ({mesg[:200]})" if mesg else ""  # Gunicorn's words: what it could not read, and why
    util.write_nonblock(sock, error_answer(status_int, code, f"{message}{detail}."))


class Written:
    """A socket's stand-in that keeps what is sent to it."""

    def __init__(self):
        self.parts: list[bytes] = []

    def sendall(self, data: bytes) -> None:
        self.parts.append(bytes(data))


class OneWriteResponse(wsgi.Response):
    """Gunicorn's response, its head sent with the first body chunk in one write. Gunicorn
    writes the head alone first: two packets, two wake-ups of the client, and on loopback the
    sender runs the receiver's side of the network stack for each (bench/README.md,
    twenty-second session). What is written is Gunicorn's own: its write() runs on a stand-in."""

    def write(self, arg):
        if self.headers_sent or not isinstance(arg, bytes) or len(arg) > ONE_WRITE_BYTES:
            return super().write(arg)
        sock, written = self.sock, Written()
        self.sock = written
        try:
            super().write(arg)
        finally:
            self.sock = sock
        util.write(sock, b"".join(written.parts))


class SyncWorker(sync.SyncWorker):
    """Gunicorn's sync worker; connections close `Lingering`, finished between requests."""

    def init_process(self):
        self.lingering = Lingering()
        # sync.SyncWorker closes through `util.close_graceful` (a module attribute, looked up on
        # each call); in this worker's process it returns once the socket is half-closed.
        util.close_graceful = self.lingering.close
        util.write_error = write_error  # looked up on each call, as close_graceful
        wsgi.Response = OneWriteResponse  # wsgi.create looks it up on each request
        super().init_process()

    def run(self):
        try:
            super().run()
        finally:
            self.lingering.finish_all()  # a worker leaving (restart, shutdown) still closes gracefully

    def accept(self, listener):
        self.lingering.finish()
        super().accept(listener)

    def wait(self, timeout):
        self.lingering.finish()
        return super().wait(min(timeout, POLL_SECONDS) if len(self.lingering) else timeout)
