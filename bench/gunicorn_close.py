#!/usr/bin/env python
"""One Gunicorn worker's requests per second and CPU per request, Gunicorn's `sync` worker
against `common.gunicorn_worker.SyncWorker`, on an application that answers at once.

    .venv/bin/python bench/gunicorn_close.py --seconds 8 --clients 4 --pairs 2

Both workers close each connection as RFC 9112 asks (half-close, read until the client closes);
Gunicorn's waits for the client's close before it accepts the next connection, ours finishes it
between requests (README "Production"). With nothing else to do per request, what is left is
the worker's own cost: accept, parse, answer, close. The clients are threads of this process,
each sending a bid-sized POST on a new connection, reading the answer and closing, as the bid
benchmark's clients do. The workers are run in alternation, `--pairs` times.
"""
from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
from harness.servers import free_port, wait_http

REPO = Path(__file__).resolve().parent.parent
WORKERS = ("sync", "common.gunicorn_worker.SyncWorker")
BODY = b'{"amount": "999912.34"}'
REQUEST = (b"POST /api/v1/rfqs/7/bids/ HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: quayside-bench/1.0\r\n"
           b"Accept: application/json\r\nAuthorization: Token 0123456789abcdef0123456789abcdef01234567\r\n"
           b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(BODY)) + BODY


def app(environ, start_response):
    """The application: answers at once."""
    body = b'{"id": 1}'
    start_response("201 Created", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


def run(worker_class: str, seconds: float, clients: int) -> tuple[int, float, float, float]:
    """(requests answered, wall seconds, worker user CPU s, worker system CPU s)."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "bench")])}
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", "1", "--worker-class", worker_class,
                               "--bind", f"127.0.0.1:{port}", "gunicorn_close:app"], cwd=REPO, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_http(port, timeout=30)
        worker = psutil.Process(server.pid).children()[0]
        counts = [0] * clients
        end = time.monotonic() + seconds

        def client(n: int) -> None:
            while time.monotonic() < end:
                if _answers(port):
                    counts[n] += 1

        threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
        before, started = worker.cpu_times(), time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        after, wall = worker.cpu_times(), time.monotonic() - started
        return sum(counts), wall, after.user - before.user, after.system - before.system
    finally:
        server.terminate()
        server.wait(timeout=30)


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(REQUEST)
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
            return answer.startswith(b"HTTP/1.1 201")
    except OSError:
        return False


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="each run's length")
    parser.add_argument("--clients", type=int, default=4, help="client threads, each one connection at a time")
    parser.add_argument("--pairs", type=int, default=2, help="runs of each worker, alternated")
    args = parser.parse_args(argv)
    print(f"1 Gunicorn worker, {args.clients} clients × {args.seconds:.0f} s, a new connection per request")
    print(f"{'worker':<36s} {'requests/s':>10s} {'CPU per request':>16s} {'user':>7s} {'system':>7s}")
    for _ in range(args.pairs):
        for worker_class in WORKERS:
            answered, wall, user, system = run(worker_class, args.seconds, args.clients)
            n = max(1, answered)
            print(f"{worker_class:<36s} {answered / wall:10.0f} {(user + system) / n * 1e6:13.0f} µs "
                  f"{user / n * 1e6:4.0f} µs {system / n * 1e6:4.0f} µs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
