"""Solved allocations kept by what was solved, so a large award is solved once, not on
every look at the evaluation.

The solver is a pure function of its problem and pricing rule, so its answer can be kept
under a digest of exactly those inputs: a new quote, another tie-break order or a changed
setting is another problem and another key, and nothing ever needs invalidating. The cache
is an optimisation only: when it cannot be read or written (Redis down) the answer is
computed as before.
"""
from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import fields, is_dataclass
from typing import TypeVar

from django.core.cache import cache

from auctions.evaluation.allocation import BundleProblem, SplitProblem

logger = logging.getLogger(__name__)

T = TypeVar("T")

KEEP_SECONDS = 7 * 24 * 3600
VERSION = 1  # bump when the solver's answers change shape or meaning


def canonical(value: object) -> str:
    """A text that is equal exactly when the values are (sets sorted, dataclasses by field)."""
    if is_dataclass(value):
        inner = ",".join(f"{f.name}={canonical(getattr(value, f.name))}" for f in fields(value))
        return f"{type(value).__name__}({inner})"
    if isinstance(value, (set, frozenset)):
        return "{" + ",".join(sorted(canonical(item) for item in value)) + "}"
    if isinstance(value, (tuple, list)):
        return "[" + ",".join(canonical(item) for item in value) + "]"
    return repr(value)


def problem_key(problem: SplitProblem | BundleProblem, rule: str) -> str:
    digest = hashlib.sha256(f"{VERSION}|{rule}|{canonical(problem)}".encode()).hexdigest()
    return f"quayside:allocation:{digest}"


def kept(key: str, compute: Callable[[], T]) -> T:
    """The answer stored under `key`, or `compute()` — stored for next time."""
    try:
        found = cache.get(key)
    except Exception:
        logger.warning("allocation cache unreadable; solving", exc_info=True)
        return compute()
    if found is not None:
        return found
    answer = compute()
    try:
        cache.set(key, answer, KEEP_SECONDS)
    except Exception:
        logger.warning("allocation cache unwritable; the answer is not kept", exc_info=True)
    return answer
