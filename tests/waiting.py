"""Waiting for something to happen in a test: poll a condition until a deadline, never sleep
a fixed time and hope. The poll interval only bounds how late the test notices."""
from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
Message = str | Callable[[], Any]


def _describe(message: Message) -> str:
    return str(message() if callable(message) else message)


def wait_until(predicate: Callable[[], T], timeout: float, message: Message = "condition not met",
               *, interval: float = 0.05) -> T:
    """Poll `predicate` until it returns something truthy (returned); fail after `timeout`
    seconds with `message` (a callable is called only then: it may read logs or state)."""
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        assert time.monotonic() < deadline, f"after {timeout:g} s: {_describe(message)}"
        time.sleep(interval)
    return value


async def wait_until_async(predicate: Callable[[], T], timeout: float, message: Message = "condition not met",
                           *, interval: float = 0.005) -> T:
    """wait_until inside an event loop: the loop runs other tasks between polls."""
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        assert time.monotonic() < deadline, f"after {timeout:g} s: {_describe(message)}"
        await asyncio.sleep(interval)
    return value
