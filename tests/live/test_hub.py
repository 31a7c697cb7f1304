"""LiveHub: a process's one subscription per group, and what happens when Redis drops it."""
from __future__ import annotations

import asyncio

from common.realtime import RESYNC, LiveHub, group_channel
from tests.waiting import wait_until_async

from .helpers import run


class DroppingPubSub:
    """A Redis subscription whose connection fails once, then carries one message."""

    def __init__(self, message: dict):
        self.calls, self.subscribed, self.message = 0, [], message

    async def get_message(self, timeout):
        self.calls += 1
        if self.calls == 1:
            raise ConnectionError("Connection reset by peer")
        if self.calls == 2:
            return self.message
        # Redis would block up to `timeout` for a message; a short stand-in lets the reader
        # see soon that its members left.
        await asyncio.sleep(min(timeout, 0.01))
        return None

    async def reset(self):
        self.subscribed = []

    async def subscribe(self, channel):
        self.subscribed.append(channel)


def test_after_a_lost_subscription_the_hub_resubscribes_and_tells_every_connection_to_resume():
    async def scenario():
        hub = LiveHub()
        hub._bind()
        received: dict[str, list[str]] = {"a": [], "b": []}

        async def to_a(text):
            received["a"].append(text)

        async def to_b(text):
            received["b"].append(text)

        hub.members = {"rfq.1.bidders": {to_a}, "rfq.1.buyer": {to_b}}
        hub._pubsub = DroppingPubSub({"type": "message", "channel": group_channel("rfq.1.bidders").encode(),
                                      "data": b'{"type":"bid_placed","seq":9}'})
        reader = asyncio.ensure_future(hub._read())
        await wait_until_async(lambda: len(received["a"]) >= 2, 5, lambda: received)  # the hub waits 1 s to resubscribe
        hub.members = {}
        await reader
        assert sorted(hub._pubsub.subscribed) == sorted(group_channel(g) for g in ("rfq.1.bidders", "rfq.1.buyer"))
        assert received == {"a": [RESYNC, '{"type":"bid_placed","seq":9}'], "b": [RESYNC]}
    run(scenario)


def test_in_process_delivery_reaches_only_the_groups_members():
    async def scenario():
        hub = LiveHub()
        got = []

        async def member(text):
            got.append(text)

        async def control(text):
            flushed.append(text)

        async def delivered_so_far():
            """Deliveries run in the order they were sent: once a marker sent last to another
            group has arrived, everything sent before it was delivered or dropped."""
            hub.deliver_threadsafe("rfq.2.control", "marker")
            await wait_until_async(lambda: flushed, 5, "the marker was not delivered")
            flushed.clear()

        flushed = []
        await hub.join("rfq.2.control", control)
        await hub.join("rfq.2.bidders", member)
        hub.deliver_threadsafe("rfq.2.bidders", "one")
        hub.deliver_threadsafe("rfq.2.buyer", "not for us")
        await delivered_so_far()
        assert got == ["one"]
        await hub.leave("rfq.2.bidders", member)
        hub.deliver_threadsafe("rfq.2.bidders", "after leaving")
        await delivered_so_far()
        assert got == ["one"]
    run(scenario)
