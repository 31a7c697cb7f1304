"""LiveHub: a process's one subscription per group, what happens when Redis drops it, a
connection that stops reading (common.outbox.Outbox) and messages that overtake each other
(common.outbox.InOrder)."""
from __future__ import annotations

import asyncio
import json

from common.outbox import InOrder, Outbox, first_step
from common.realtime import RESYNC, LiveHub, encode, group_channel
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
        hub.members = {"rfq.1.bidders": {received["a"].append}, "rfq.1.buyer": {received["b"].append}}
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
        got, flushed = [], []
        member, control = got.append, flushed.append

        async def delivered_so_far():
            """Deliveries run in the order they were sent: once a marker sent last to another
            group has arrived, everything sent before it was delivered or dropped."""
            hub.deliver_threadsafe("rfq.2.control", "marker")
            await wait_until_async(lambda: flushed, 5, "the marker was not delivered")
            flushed.clear()

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


def live(seq: int, prev: int, **extra) -> str:
    return encode({"type": "bid_placed", "seq": seq, "prev_seq": prev, "rfq": 1, **extra})


def test_a_connection_that_stops_reading_holds_up_nobody_and_is_told_to_resync(settings):
    settings.REDIS_URL = ""  # the hub fed in-process: this is about the connections
    async def scenario():
        hub = LiveHub()
        stuck, fast, slow = asyncio.Event(), [], []

        async def stops_draining(text):  # a socket whose reader stopped: the send waits
            await stuck.wait()
            slow.append(text)

        async def drains(text):
            fast.append(text)

        slow_box, fast_box = Outbox(stops_draining, RESYNC, limit=5), Outbox(drains, RESYNC, limit=50)
        for box in (slow_box, fast_box):
            box.start()
            await hub.join("rfq.1.bidders", box.put)
        texts = [live(seq, seq - 1) for seq in range(1, 21)]
        hub.deliver("rfq.1.bidders", texts[0])
        await wait_until_async(lambda: not slow_box.queue, 5, "the slow writer did not take the first text")
        for text in texts[1:]:
            hub.deliver("rfq.1.bidders", text)  # returns at once: the hub awaits no socket
        await wait_until_async(lambda: len(fast) == 20, 5, lambda: fast)
        assert fast == texts
        assert slow_box.resyncs >= 1 and len(slow_box.queue) <= 5
        stuck.set()  # the reader catches up: what it missed is replaced by one resync
        await wait_until_async(lambda: not slow_box.queue, 5, lambda: slow)
        assert slow[0] == texts[0] and slow[1] == RESYNC and slow[2:] == texts[20 - len(slow[2:]):]
        for box in (slow_box, fast_box):
            box.close()
    run(scenario)


def test_an_outbox_writes_nothing_before_it_starts_and_everything_in_order_after():
    async def scenario():
        sent = []

        async def send(text):
            sent.append(text)

        box = Outbox(send, RESYNC, limit=10)
        box.put("a")
        box.put("b")
        await asyncio.sleep(0.01)
        assert sent == []  # the consumer's state goes out first
        box.start()
        box.put("c")
        await wait_until_async(lambda: len(sent) == 3, 5, lambda: sent)
        assert sent == ["a", "b", "c"]
        box.close()
        box.put("d")
        await asyncio.sleep(0.01)
        assert sent == ["a", "b", "c"]
    run(scenario)


def test_an_outbox_whose_socket_fails_stops_writing():
    async def scenario():
        calls = []

        async def closed(text):
            calls.append(text)
            raise RuntimeError("socket closed")

        box = Outbox(closed, RESYNC)
        box.start()
        box.put("a")
        box.put("b")
        await wait_until_async(lambda: box.closed, 5, "the outbox went on writing")
        assert calls == ["a"] and not box.queue
    run(scenario)


def test_a_direct_write_that_fails_closes_only_its_own_outbox_and_one_that_declines_falls_back_to_send():
    async def scenario():
        sent, direct = [], []

        async def send(text):
            sent.append(text)

        def broken(text):
            raise ConnectionResetError("socket gone")

        def declines_then_writes(text):
            direct.append(text)
            return text != "first"  # the first finds the transport paused: send it through ASGI

        hub = LiveHub()
        failing, falling_back = Outbox(send, RESYNC, write_now=broken), Outbox(send, RESYNC, write_now=declines_then_writes)
        for box in (failing, falling_back):
            box.start()
            await hub.join("rfq.3.bidders", box.put)
        await asyncio.sleep(0.01)  # the writers wait: idle
        hub.deliver("rfq.3.bidders", "first")
        hub.deliver("rfq.3.bidders", "second")
        await wait_until_async(lambda: direct == ["first", "second"], 5, lambda: direct)
        assert failing.closed and not falling_back.closed
        assert sent == ["first"]  # the decline went through send; the failure reached nobody else's
    run(scenario)


def test_a_message_that_overtook_its_predecessor_waits_for_it():
    async def scenario():
        out = []
        order = InOrder(out.append, hold=5.0)
        order.offer(live(10, 9))
        order.offer(live(12, 11))  # 11 was published first but reached us later
        order.offer(encode({"type": "rank_changed", "private": True, "seq": 12, "rfq": 1, "your_rank": 1}))
        order.offer(RESYNC)
        assert [json.loads(t).get("seq") for t in out] == [10, 12, None]  # private and resync pass straight
        order.offer(live(11, 10))
        assert [json.loads(t).get("seq") for t in out] == [10, 12, None, 11, 12]
        assert order.last == 12 and not order.waiting and order._timer is None
    run(scenario)


def test_a_gap_that_never_fills_is_given_up_after_the_hold_and_the_rest_goes_in_order():
    async def scenario():
        out = []
        order = InOrder(out.append, hold=0.05)
        order.offer(live(1, 0))
        order.offer(live(4, 3))
        order.offer(live(3, 2))  # 2 never comes (Redis lost it): clients resume
        assert [json.loads(t)["seq"] for t in out] == [1]
        await wait_until_async(lambda: len(out) == 3, 5, lambda: out)
        assert [json.loads(t)["seq"] for t in out] == [1, 3, 4] and order.released_early == 1
        order.offer(live(2, 1))  # arrives at last: handed on (clients already have it, or resume)
        order.offer(live(5, 4))
        assert [json.loads(t)["seq"] for t in out] == [1, 3, 4, 2, 5]
    run(scenario)


def test_held_messages_are_bounded_in_number():
    async def scenario():
        out = []
        order = InOrder(out.append, hold=60.0, limit=3)
        order.offer(live(1, 0))
        for seq in (3, 4, 5, 6):  # 2 missing; the fourth held message is one too many
            order.offer(live(seq, seq - 1))
        assert [json.loads(t)["seq"] for t in out] == [1, 3, 4, 5, 6] and order._timer is None
    run(scenario)


def test_the_hub_delivers_a_groups_events_in_chain_order(settings):
    settings.REDIS_URL = ""
    async def scenario():
        hub, got = LiveHub(), []
        await hub.join("rfq.3.bidders", got.append)
        hub.deliver("rfq.3.bidders", live(1, 0))
        hub.deliver("rfq.3.bidders", live(3, 2))
        hub.deliver("rfq.3.bidders", live(2, 1))
        assert [json.loads(t)["seq"] for t in got] == [1, 2, 3]
        await hub.leave("rfq.3.bidders", got.append)
        assert "rfq.3.bidders" not in hub.order
    run(scenario)


def test_first_step_finishes_a_send_that_never_waits_and_hands_on_one_that_does():
    async def scenario():
        steps = []

        async def quick():
            steps.append("quick")

        assert first_step(quick()) is None and steps == ["quick"]  # done inside the call: no task

        gate = asyncio.Event()

        async def waits_twice():
            steps.append("start")
            await gate.wait()
            await asyncio.sleep(0)
            steps.append("end")

        rest = first_step(waits_twice())
        assert rest is not None and steps[-1] == "start"
        task = asyncio.ensure_future(rest)
        gate.set()
        await task
        assert steps[-1] == "end"

        async def fails_later():
            await asyncio.sleep(0)
            raise ConnectionError("closed")

        try:
            await first_step(fails_later())
        except ConnectionError:
            pass
        else:
            raise AssertionError("the exception was lost")

        stuck = asyncio.ensure_future(first_step(asyncio.Event().wait()))
        await asyncio.sleep(0)
        stuck.cancel()
        try:
            await stuck
        except asyncio.CancelledError:
            pass
        assert stuck.cancelled()
    run(scenario)
