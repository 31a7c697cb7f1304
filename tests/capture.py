"""Capture what services publish to live clients (like Zulip's capture_send_event_calls).

    with capture_live_messages() as sent:
        bid_place(...)
    assert [body["type"] for _, body in sent] == [...]
    assert by_group(sent, rfq.pk) == {"buyer": ["bid_placed"], ...}

The services' after-commit callbacks run when the block ends (the test's transaction never
commits), and every message they would have sent is recorded as (group, body) instead of
going to Redis or the in-process hub. A service that raises inside the block publishes
nothing: its callbacks belonged to a rolled-back transaction.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

from django.test import TestCase

from common import presence, realtime


@contextmanager
def capture_live_messages() -> Iterator[list[realtime.Message]]:
    sent: list[realtime.Message] = []
    def send(messages, presence_of=None):
        # A body may go as its encoded text (realtime.send takes either): read it back.
        sent.extend((group, json.loads(body) if isinstance(body, str) else body) for group, body in messages)
        return presence.connected_suppliers(presence_of) if presence_of is not None else set()

    with mock.patch.object(realtime, "send", side_effect=send), \
            TestCase.captureOnCommitCallbacks(execute=True):
        yield sent


def by_group(sent: list[realtime.Message], rfq_id: int) -> dict[str, list[str]]:
    """The captured message types per group of the RFQ: {"buyer": [...], "supplier.7": [...]}."""
    groups: dict[str, list[str]] = {}
    for group, body in sent:
        groups.setdefault(group.removeprefix(f"rfq.{rfq_id}."), []).append(body["type"])
    return groups
