"""The embedded default's stand-in for Celery beat and a worker: one thread in the server
process runs `CELERY_BEAT_SCHEDULE`'s tasks when they are due, with no broker.

Only for the embedded default (`./quayside up`): production runs `celery beat` and workers.
It uses Celery's own schedule objects (intervals and crontabs alike) to decide what is due,
and runs each task in-process with `Task.apply`, exactly as a worker would run it. It also
holds one-off jobs sent with a countdown (`send_task_later`), which eager Celery would run at
once. The jobs
themselves lock rows and check times, so this thread needs no state of its own to be safe.
"""
from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable

from celery.schedules import maybe_schedule
from django.conf import settings
from django.db import close_old_connections, connection

logger = logging.getLogger(__name__)

# The scheduler running in this process, if any: with no broker, a job sent with a countdown
# (the debounced gaming scan) waits here for its time instead of running at once.
_running: InProcessBeat | None = None


def send_task_later(task, *, args: list, countdown: float) -> None:
    """`task.apply_async(args, countdown=…)` that keeps the countdown on the embedded default.

    Eager Celery ignores countdowns; when this process runs the in-process scheduler, the job
    is handed to it and runs when due, as a worker would run it. Elsewhere (a broker, or an
    eager process with no scheduler such as a management command) it is sent as usual."""
    beat = _running
    if beat is not None and settings.CELERY_TASK_ALWAYS_EAGER:
        beat.run_later(task.name, args=args, countdown=countdown)
    else:
        task.apply_async(args=args, countdown=countdown)


class InProcessBeat:
    def __init__(self, schedule: dict | None = None, *, tick: float = 0.5,
                 clock: Callable[[], float] = time.monotonic):
        from config.celery import app

        app.loader.import_default_modules()  # autodiscovery is lazy; a worker does this at start
        entries = settings.CELERY_BEAT_SCHEDULE if schedule is None else schedule
        self.entries = {name: (entry["task"], maybe_schedule(entry["schedule"]), entry.get("args", ()),
                               entry.get("kwargs", {})) for name, entry in entries.items()}
        self.last_run: dict[str, object] = {}
        self.later: list[tuple[float, int, str, list]] = []  # (due, order, task name, args), a heap
        self.later_lock = threading.Lock()
        self.order = itertools.count()
        self.tick = tick
        self.clock = clock  # when one-off jobs are due (seconds, monotonic); tests pass their own
        self.stopped = threading.Event()
        self.thread: threading.Thread | None = None

    def run_later(self, task_name: str, *, args: list, countdown: float) -> None:
        """Run a one-off job once `countdown` seconds have passed (called from any thread)."""
        with self.later_lock:
            heapq.heappush(self.later, (self.clock() + countdown, next(self.order), task_name, list(args)))

    def run_due(self) -> list[str]:
        """Run every entry and one-off job that is due now; the names of those run."""
        ran = []
        for name, (task_name, schedule, args, kwargs) in self.entries.items():
            last = self.last_run.get(name)
            if last is not None and not schedule.is_due(last).is_due:
                continue
            self.last_run[name] = schedule.now()
            self._run(task_name, args, kwargs)
            ran.append(name)
        while (job := self._pop_due()) is not None:
            self._run(job[2], job[3], {})
            ran.append(job[2])
        return ran

    def _pop_due(self):
        with self.later_lock:
            if self.later and self.later[0][0] <= self.clock():
                return heapq.heappop(self.later)
            return None

    def _run(self, task_name: str, args, kwargs) -> None:
        from config.celery import app

        try:
            app.tasks[task_name].apply(args=args, kwargs=kwargs, throw=True)
        except Exception:
            logger.exception("scheduled task %s failed", task_name)
        finally:
            # Like the end of a request: the thread's connection goes back (or is dropped if
            # broken). Not inside a caller's transaction (a test running this directly).
            if not connection.in_atomic_block:
                close_old_connections()

    def _loop(self) -> None:
        global _running
        try:
            while not self.stopped.wait(self.tick):
                try:
                    self.run_due()
                except Exception:  # a schedule or connection fault: log it, keep the thread alive
                    logger.exception("the in-process scheduler's tick failed")
        finally:
            if _running is self:
                _running = None  # jobs sent for later go the usual way rather than wait forever

    def start(self) -> None:
        global _running
        self.thread = threading.Thread(target=self._loop, name="quayside-beat", daemon=True)
        self.thread.start()
        _running = self
        logger.info("in-process scheduler running %s", ", ".join(sorted(self.entries)))

    def stop(self) -> None:
        global _running
        if _running is self:
            _running = None
        self.stopped.set()
        if self.thread is not None:
            self.thread.join(timeout=10)
