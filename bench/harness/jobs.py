"""The background-job tier of a run: a Celery worker and beat, as README "Background jobs" runs
them (`./quayside worker`, `./quayside beat`: two units), on the run's database and Redis."""
from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

from .metrics import descendants
from .servers import start_process, stop_processes
from .setup import VENV_BIN, SetupError

# celery.app.trace at INFO: "Task procurement.tasks.close_rfq_when_due[<id>] succeeded in 1.23s: True"
TASK_LINE = re.compile(r"^\[(?P<at>[^\]]+?): INFO/[^\]]*\] Task (?P<task>[\w.]+)\[(?P<id>[^\]]+)\] "
                       r"succeeded in (?P<seconds>[\d.e-]+)s: (?P<result>.*)$")


def purge_redis_db(redis_url: str) -> int:
    """Empty the run's own Redis database (FLUSHDB on that one database, never FLUSHALL): jobs
    left by an earlier run would act on this run's rows, whose ids the recreated database
    hands out again. Returns the number of keys it held."""
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        keys = client.dbsize()
        client.flushdb()
        return int(keys)
    finally:
        client.close()


class Jobs:
    """A Celery worker (prefork, one process per core: the `./quayside worker` command) and beat
    (its own process, the schedule file in the run's temp directory); always stopped."""

    def __init__(self, env: dict, logdir: Path, *, concurrency: int | None = None):
        # Task runs logged one by one (with their durations): the close is read from them.
        self.env = {**env, "TASK_LOG_LEVEL": "INFO"}
        self.logdir, self.concurrency = logdir, concurrency
        self.worker: subprocess.Popen | None = None
        self.beat: subprocess.Popen | None = None

    @property
    def worker_log(self) -> Path:
        return self.logdir / "celery-worker.log"

    def start(self, timeout: float = 90.0) -> None:
        celery = VENV_BIN / "celery"
        if not celery.exists():
            raise SetupError(f"{celery} not found: install the project (pip install -e .) first")
        command = [str(celery), "-A", "config", "worker", "--loglevel", "INFO", "-n", "bench@%h"]
        if self.concurrency:
            command += ["--concurrency", str(self.concurrency)]
        self.worker = start_process(command, self.env, self.worker_log)
        self.beat = start_process([str(celery), "-A", "config", "beat", "--loglevel", "INFO",
                                   "--schedule", str(self.logdir / "celerybeat-schedule")],
                                  self.env, self.logdir / "celery-beat.log")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, proc in (("worker", self.worker), ("beat", self.beat)):
                if proc.poll() is not None:
                    raise SetupError(f"the Celery {name} exited with {proc.returncode}; see {self.logdir}")
            if " ready." in self.worker_log.read_text(errors="replace"):
                return
            time.sleep(0.2)
        raise SetupError(f"the Celery worker was not ready within {timeout:.0f} s; see {self.worker_log}")

    def worker_pids(self) -> list[int]:
        """The worker's main process and its pool processes."""
        if self.worker is None or self.worker.poll() is not None:
            return []
        return [self.worker.pid, *descendants(self.worker.pid)]

    def beat_pids(self) -> list[int]:
        return [self.beat.pid] if self.beat is not None and self.beat.poll() is None else []

    def task_runs(self) -> list[dict]:
        """Every task run the worker logged as succeeded: task, id, seconds, result, log time."""
        if not self.worker_log.exists():
            return []
        runs = []
        for line in self.worker_log.read_text(errors="replace").splitlines():
            match = TASK_LINE.match(line.strip())
            if match:
                runs.append({**match.groupdict(), "seconds": float(match["seconds"])})
        return runs

    def failures(self) -> list[str]:
        """ERROR and CRITICAL lines of the worker's log (a task that raised, a lost worker)."""
        if not self.worker_log.exists():
            return []
        return [line for line in self.worker_log.read_text(errors="replace").splitlines()
                if "ERROR/" in line or "CRITICAL/" in line]

    def stop(self) -> None:
        stop_processes([p for p in (self.worker, self.beat) if p is not None])
        self.worker = self.beat = None
