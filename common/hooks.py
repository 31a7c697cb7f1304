"""Hooks: how a lower layer tells the layers above that something happened, without
importing them (tests/architecture holds the direction).

The lower layer declares a Hook and sends it where the thing happens; an app above connects
a receiver once, in its AppConfig.ready. Receivers run in the sender's transaction, in the
order they were connected; one that must not fail the sender's write (a job to schedule, a
cache call) defers its work with common.after_commit, as the receivers here do.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured


class Hook:
    def __init__(self, name: str, arguments: str) -> None:
        self.name = name
        self.arguments = arguments  # what send() passes, by keyword: the contract with receivers
        self._receivers: list[Callable[..., Any]] = []

    def __repr__(self) -> str:
        return f"<Hook {self.name}({self.arguments})>"

    def connect(self, receiver: Callable[..., Any]) -> None:
        """Add a receiver; connecting the same one twice is an error, never a second call."""
        if receiver in self._receivers:
            raise ImproperlyConfigured(f"{receiver!r} is connected to the hook {self.name!r} twice.")
        self._receivers.append(receiver)

    def send(self, **arguments: Any) -> None:
        for receiver in self._receivers:
            receiver(**arguments)

    @property
    def receivers(self) -> tuple[Callable[..., Any], ...]:
        return tuple(self._receivers)
