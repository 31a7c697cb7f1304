"""Gunicorn's sync worker, with the lingering close of each connection done aside.

A sync worker answers with `Connection: close` and then closes as RFC 9112 §9.6 asks
(`gunicorn.util.close_graceful`): it half-closes, then reads and drops what the client still
sends until the client closes too (at most 2 s or 64 kB), so that unread request bytes do not
turn the close into a reset that can destroy the answer. It does that wait on its only
thread: one client's round trip to its own close, per request, during which the worker
accepts nobody. On the bid benchmark that was about a tenth of a worker's time
(bench/README.md, "Where the row lock's time goes").

This worker keeps the same close — the same half-close, drain, limits and final close — but
hands the half-closed socket to one thread of its process that waits for all of them
(`Lingerer`), and goes back to `accept` at once. TLS sockets (Gunicorn's own `--certfile`) are
closed as before. README "Production" runs Gunicorn with
`--worker-class common.gunicorn_worker.SyncWorker`.
"""
from __future__ import annotations

import select
import socket
import ssl
import threading
import time

from gunicorn import util
from gunicorn.workers import sync

LINGER_SECONDS = 2.0  # gunicorn.util.close_graceful's limits
DRAIN_BYTES = 65536
POLL_SECONDS = 0.5  # how late a silent client's time limit may be noticed


class Lingerer:
    """Half-closed sockets, each drained on one thread until its peer closes, it has sent
    DRAIN_BYTES, or LINGER_SECONDS pass; then closed."""

    def __init__(self, *, seconds: float = LINGER_SECONDS, drain: int = DRAIN_BYTES):
        self.seconds, self.drain = seconds, drain
        self._poll = select.epoll()
        self._lock = threading.Lock()
        self._open: dict[int, list] = {}  # fd → [socket, deadline, bytes drained]
        threading.Thread(target=self._run, name="gunicorn-linger", daemon=True).start()

    def close(self, sock: socket.socket, timeout: float = LINGER_SECONDS, max_drain: int = DRAIN_BYTES) -> None:
        """`gunicorn.util.close_graceful`, returning as soon as the socket is half-closed."""
        if isinstance(sock, ssl.SSLSocket):
            return _close_graceful(sock, timeout, max_drain)
        try:
            sock.shutdown(socket.SHUT_WR)
            sock.setblocking(False)
        except OSError:
            return util.close(sock)
        fd = sock.fileno()
        with self._lock:
            self._open[fd] = [sock, time.monotonic() + min(timeout, self.seconds), 0]
        # Registered from this thread: epoll reports the fd to a wait already in progress.
        self._poll.register(fd, select.EPOLLIN | select.EPOLLRDHUP)

    def lingering(self) -> int:
        with self._lock:
            return len(self._open)

    def _run(self) -> None:
        while True:
            for fd, _ in self._poll.poll(POLL_SECONDS):
                self._drain(fd)
            now = time.monotonic()
            with self._lock:
                late = [fd for fd, (_, deadline, _) in self._open.items() if deadline <= now]
            for fd in late:
                self._finish(fd)

    def _drain(self, fd: int) -> None:
        with self._lock:
            entry = self._open.get(fd)
        if entry is None:
            return
        sock = entry[0]
        try:
            while entry[2] < self.drain:
                data = sock.recv(4096)
                if not data:
                    break  # the peer closed: done
                entry[2] += len(data)
            self._finish(fd)
        except BlockingIOError:
            pass  # drained for now; the peer has not closed yet
        except OSError:
            self._finish(fd)

    def _finish(self, fd: int) -> None:
        with self._lock:
            entry = self._open.pop(fd, None)
        if entry is None:
            return
        try:
            self._poll.unregister(fd)
        except OSError:
            pass
        util.close(entry[0])


_close_graceful = util.close_graceful


class SyncWorker(sync.SyncWorker):
    """Gunicorn's sync worker; each connection's lingering close happens on a `Lingerer`."""

    def init_process(self):
        # sync.SyncWorker closes through `util.close_graceful` (module attribute, looked up on
        # each call); this process's one worker routes it to its lingerer.
        util.close_graceful = Lingerer().close
        super().init_process()
