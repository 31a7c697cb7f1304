"""The production topology of the README on one machine, up for one or many auctions:
Gunicorn (sync workers) for HTTP, Uvicorn for `/ws/`, a Celery worker and beat, PostgreSQL
and Redis; and the load-generator processes that drive one auction's clients."""
from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
from harness.client import request_once
from harness.jobs import Jobs, purge_redis_db
from harness.metrics import rss_mib
from harness.servers import Servers, die_with_parent, stop_processes, wait_http
from harness.setup import REPO, SetupError, prepare

LOADGEN = Path(__file__).resolve().parent / "loadgen.py"


class Stack:
    """The scratch database with the bench suppliers, and every server process; always stopped."""

    def __init__(self, args, tmpdir: Path, say):
        self.args, self.tmpdir, self.say = args, tmpdir, say
        self.http: Servers | None = None
        self.ws: Servers | None = None
        self.jobs: Jobs | None = None
        self.companies: list = []
        self.users: list = []
        self.tokens: list[str] = []
        self.buyer_token = ""

    def start(self) -> None:
        from harness.world import create_suppliers

        args = self.args
        env = prepare(args, self.tmpdir, say=self.say)
        # Each live publish's commit moment in the servers' logs: delivery is measured from it.
        env["LIVE_COMMITS_LOG_LEVEL"] = "DEBUG"
        dropped = purge_redis_db(args.redis_url)
        self.say(f"[setup] Redis {args.redis_url} emptied ({dropped} keys); {args.clients} bench suppliers")
        from django.db import connections
        from rest_framework.authtoken.models import Token

        from accounts.models import User

        self.companies, self.users, tokens = create_suppliers(args.clients)
        self.tokens = [t.key for t in tokens]
        self.buyer_token = Token.objects.get_or_create(user=User.objects.get(username="buyer"))[0].key
        connections.close_all()
        self.say(f"[setup] {args.workers} × gunicorn (HTTP), {args.ws_workers} × uvicorn (/ws/), Celery worker "
                 f"and beat")
        self.http = Servers(env, "gunicorn", args.workers, self.tmpdir, name="gunicorn")
        self.ws = Servers(env, "uvicorn", args.ws_workers, self.tmpdir, name="uvicorn")
        self.jobs = Jobs(env, self.tmpdir)
        for part in (self.http, self.ws, self.jobs):
            part.start()
        wait_http(self.http.port)
        wait_http(self.ws.port)
        for _ in range(4 * args.workers):  # every Gunicorn worker warmed with reads
            request_once(self.http.port, "GET", "/api/v1/rfqs/", self.buyer_token, timeout=60)

    def groups(self) -> dict:
        """Process group → callable returning its pids now (workers may be replaced)."""
        assert self.http and self.ws and self.jobs
        return {"gunicorn": self.http.pids, "uvicorn": self.ws.pids, "celery worker": self.jobs.worker_pids,
                "celery beat": self.jobs.beat_pids}

    def processes(self) -> dict[str, int]:
        """Every server process by a stable name (the group and its rank by pid)."""
        named = {}
        for group, pids in self.groups().items():
            for n, pid in enumerate(sorted(pids())):
                named[f"{group} {n}"] = pid
        return named

    def access_lines(self, offsets: dict[Path, int]) -> list[str]:
        """The servers' log lines written since `offsets` (which it moves on)."""
        assert self.http and self.ws
        lines = []
        for path in self.http.logs() + self.ws.logs():
            with open(path, "rb") as handle:
                handle.seek(offsets.get(path, 0))
                data = handle.read()
                offsets[path] = handle.tell()
            lines += data.decode(errors="replace").splitlines()
        return lines

    def stop(self) -> None:
        for part in (self.http, self.ws, self.jobs):
            if part is not None:
                part.stop()


def connections_of(pids: list[int]) -> int:
    """Established TCP connections of these processes (clients, PostgreSQL, Redis)."""
    total = 0
    for pid in pids:
        try:
            total += sum(1 for c in psutil.Process(pid).net_connections("tcp") if c.status == psutil.CONN_ESTABLISHED)
        except psutil.Error:
            pass
    return total


def snapshot(stack: Stack) -> dict:
    """RSS (MiB) and established connections of every server process, by name."""
    return {name: {"pid": pid, "rss": rss_mib([pid]), "conns": connections_of([pid])}
            for name, pid in stack.processes().items()}


class Loadgen:
    """`processes` load-generator processes sharing the clients round-robin; always stopped."""

    def __init__(self, tmpdir: Path, config: dict, processes: int, tag: str):
        self.procs: list[subprocess.Popen] = []
        self.outputs: list[Path] = []
        self.ready_at: float | None = None
        roles = config["roles"]
        for n in range(processes):
            share = {**config, "roles": roles[n::processes]}
            path = tmpdir / f"{tag}-{n}.json"
            path.write_text(json.dumps(share))
            self.outputs.append(tmpdir / f"{tag}-{n}.out.json")
            with open(tmpdir / f"{tag}-{n}.log", "wb") as log:  # the child keeps its own descriptor
                self.procs.append(subprocess.Popen(
                    [sys.executable, str(LOADGEN), str(path), str(self.outputs[-1])], cwd=REPO, stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE, stderr=log, text=True, start_new_session=True,
                    preexec_fn=die_with_parent))

    def wait_ready(self, timeout: float) -> float:
        """Until every process has its clients connected; returns when (epoch)."""
        done = []

        def read(proc):
            line = proc.stdout.readline()
            done.append(line.startswith("ready"))

        threads = [threading.Thread(target=read, args=(p,), daemon=True) for p in self.procs]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=timeout)
        if len(done) < len(self.procs) or not all(done):
            raise SetupError(f"the load generators did not connect their clients within {timeout:.0f} s")
        self.ready_at = time.time()
        return self.ready_at

    def go(self, schedule: list, drain_until: float) -> None:
        """Bare mode: the bid moments (epoch), sent once every client is connected."""
        for proc in self.procs:
            proc.stdin.write(json.dumps({"schedule": schedule, "drain_until": drain_until}) + "\n")
            proc.stdin.flush()

    def collect(self, timeout: float) -> tuple[list[dict], float, float]:
        """Every client's record, the generators' CPU seconds and their peak RSS (MiB, summed)."""
        records, cpu, rss = [], 0.0, 0.0
        for proc, path in zip(self.procs, self.outputs, strict=True):
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                raise SetupError("a load generator did not finish") from None
            if proc.returncode != 0 or not path.exists():
                raise SetupError(f"a load generator exited with {proc.returncode}; see {path.with_suffix('')}.log")
            out = json.loads(path.read_text())
            records += out["records"]
            cpu += out["cpu"]
            rss += out["rss_mib"]
        return sorted(records, key=lambda r: r["i"]), cpu, rss

    def stop(self) -> None:
        stop_processes(self.procs)
