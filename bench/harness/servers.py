"""Server processes of a run: started in their own session, tied to the bench's life, always stopped."""
from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

from .client import request_once
from .metrics import descendants
from .setup import REPO, VENV_BIN, SetupError

SERVERS = ("gunicorn", "uvicorn", "daphne")


def die_with_parent() -> None:
    """In the child: be killed when the bench process dies, even by SIGKILL (Linux). SIGKILL,
    because Daphne does not exit on SIGTERM while a request is in flight (its request thread
    waits for the event loop that SIGTERM stopped)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def start_process(command: list[str], env: dict, log: Path, pass_fds: tuple[int, ...] = ()) -> subprocess.Popen:
    """A server in a session of its own (so its workers can be signalled together), output to `log`."""
    handle = open(log, "wb")  # noqa: SIM115 (closed with the process)
    proc = subprocess.Popen(command, cwd=REPO, env=env, stdout=handle, stderr=subprocess.STDOUT,
                            pass_fds=pass_fds, start_new_session=True, preexec_fn=die_with_parent)
    handle.close()
    return proc


def stop_processes(procs: list[subprocess.Popen]) -> None:
    """SIGTERM to each process group, then SIGKILL after 10 s (see die_with_parent)."""
    for proc in procs:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_http(port: int, timeout: float = 60) -> None:
    """Until anything answers HTTP on 127.0.0.1:port."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/")
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise SetupError(f"nothing answers on port {port}")


def server_commands(server: str, workers: int, fd: int) -> list[list[str]]:
    """The processes serving HTTP, all on one inherited listening socket.

    gunicorn: the production setup (README): Django's sync views under WSGI, one sync worker
    per process (common.gunicorn_worker's: lingering closes finished between requests).
    uvicorn / daphne: the ASGI servers, one process each, as `./quayside up` and the WebSocket
    tier run; access logs on, as in a deployment; Uvicorn with the README's HTTP protocol and
    its WebSockets without per-message deflate."""
    if server == "gunicorn":
        return [[str(VENV_BIN / "gunicorn"), "--bind", f"fd://{fd}", "--workers", str(workers), "--worker-class",
                 "common.gunicorn_worker.SyncWorker", "--access-logfile", "-", "config.wsgi:application"]]
    if server == "uvicorn":
        return [[str(VENV_BIN / "uvicorn"), "--fd", str(fd), "--loop", "uvloop",
                 "--http", "common.uvicorn_http:HttpToolsProtocol",
                 "--ws-per-message-deflate", "false", "config.asgi:application"] for _ in range(workers)]
    return [[str(VENV_BIN / "daphne"), "--fd", str(fd), "-v", "1", "config.asgi:application"]
            for _ in range(workers)]


class Servers:
    """Server processes sharing one listening socket on a free loopback port; always stopped."""

    def __init__(self, env: dict, server: str, workers: int, logdir: Path, *, name: str = "server"):
        self.env, self.server, self.workers, self.logdir, self.name = env, server, workers, logdir, name
        self.procs: list[subprocess.Popen] = []
        self.sock: socket.socket | None = None
        self.port = 0

    def start(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1024)
        self.sock.set_inheritable(True)
        self.port = self.sock.getsockname()[1]
        fd = self.sock.fileno()
        for n, command in enumerate(server_commands(self.server, self.workers, fd)):
            if not Path(command[0]).exists():
                raise SetupError(f"{command[0]} not found: install the project (pip install -e .) first")
            self.procs.append(start_process(command, self.env, self.logdir / f"{self.name}-{n}.log", pass_fds=(fd,)))

    def wait_ready(self, token: str, rfq_id: int, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for proc in self.procs:
                if proc.poll() is not None:
                    raise SetupError(f"a server process exited with {proc.returncode}; see {self.logdir}")
            try:
                status, _, _ = request_once(self.port, "GET", f"/api/v1/rfqs/{rfq_id}/state/", token)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise SetupError(f"the server did not answer within {timeout:.0f} s; see {self.logdir}")

    def pids(self) -> list[int]:
        """Every live server process, Gunicorn's workers (children of its master) included."""
        pids = [p.pid for p in self.procs if p.poll() is None]
        return pids + [child for pid in pids for child in descendants(pid)]

    def logs(self) -> list[Path]:
        return sorted(self.logdir.glob(f"{self.name}-*.log"))

    def stop(self) -> None:
        stop_processes(self.procs)
        self.procs = []
        if self.sock is not None:
            self.sock.close()
            self.sock = None
