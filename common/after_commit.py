"""The one way to run something after the current transaction commits.

What runs after a commit (live publish, job scheduling, mail, scans, report jobs) leaves the
database: the change it follows is already stored, so its failure must be logged, never
raised into the request that made the change — a client told "500" for a stored bid would
retry it and create a second version. Django's own `robust=True` is not enough: it logs the
callback's `__qualname__`, which a `functools.partial` lacks, so the logging itself raised.
"""
from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction

logger = logging.getLogger(__name__)


def after_commit(func: Callable, /, *args, using: str | None = None, **kwargs) -> None:
    """Call `func(*args, **kwargs)` once the current transaction commits (at once outside one).

    Any exception it raises is logged with the callable's name and swallowed."""
    name = describe(func)

    def run_after_commit() -> None:
        try:
            func(*args, **kwargs)
        except Exception:
            logger.exception("after-commit %s failed; the committed change stands", name)

    run_after_commit.__qualname__ = f"after_commit({name})"
    transaction.on_commit(run_after_commit, using=using)


def describe(func: Callable) -> str:
    """A readable name for any callable: a function, a bound method, a partial, a task."""
    inner = getattr(func, "func", None)  # functools.partial
    if inner is not None:
        return describe(inner)
    return (getattr(func, "name", None)  # a Celery task
            or getattr(func, "__qualname__", None) or getattr(func, "__name__", None) or repr(func))
