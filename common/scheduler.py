"""The embedded default's stand-in for Celery beat and a worker: one thread in the server
process runs `CELERY_BEAT_SCHEDULE`'s tasks when they are due, with no broker.

Only for the embedded default (`./quayside up`): production runs `celery beat` and workers.
It uses Celery's own schedule objects (intervals and crontabs alike) to decide what is due,
and runs each task in-process with `Task.apply`, exactly as a worker would run it. The jobs
themselves lock rows and check times, so this thread needs no state of its own to be safe.
"""
from __future__ import annotations

import logging
import threading

from celery.schedules import maybe_schedule
from django.conf import settings
from django.db import close_old_connections, connection

logger = logging.getLogger(__name__)


class InProcessBeat:
    def __init__(self, schedule: dict | None = None, *, tick: float = 0.5):
        from config.celery import app

        app.loader.import_default_modules()  # autodiscovery is lazy; a worker does this at start
        entries = settings.CELERY_BEAT_SCHEDULE if schedule is None else schedule
        self.entries = {name: (entry["task"], maybe_schedule(entry["schedule"]), entry.get("args", ()),
                               entry.get("kwargs", {})) for name, entry in entries.items()}
        self.last_run: dict[str, object] = {}
        self.tick = tick
        self.stopped = threading.Event()
        self.thread: threading.Thread | None = None

    def run_due(self) -> list[str]:
        """Run every entry that is due now; the names of those run."""
        from config.celery import app

        ran = []
        for name, (task_name, schedule, args, kwargs) in self.entries.items():
            last = self.last_run.get(name)
            if last is not None and not schedule.is_due(last).is_due:
                continue
            self.last_run[name] = schedule.now()
            try:
                app.tasks[task_name].apply(args=args, kwargs=kwargs, throw=True)
            except Exception:
                logger.exception("scheduled task %s failed", task_name)
            finally:
                # Like the end of a request: the thread's connection goes back (or is dropped if
                # broken). Not inside a caller's transaction (a test running this directly).
                if not connection.in_atomic_block:
                    close_old_connections()
            ran.append(name)
        return ran

    def _loop(self) -> None:
        while not self.stopped.wait(self.tick):
            self.run_due()

    def start(self) -> None:
        self.thread = threading.Thread(target=self._loop, name="quayside-beat", daemon=True)
        self.thread.start()
        logger.info("in-process scheduler running %s", ", ".join(sorted(self.entries)))

    def stop(self) -> None:
        self.stopped.set()
        if self.thread is not None:
            self.thread.join(timeout=10)
