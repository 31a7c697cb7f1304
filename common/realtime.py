"""Live updates: the one way events reach connected clients (architecture.md "Live updates").

The audit trail decides what happened and in which order; this module only delivers. Each
app registers a family: which of its audit event types are live (with a predicate on the
RFQ) and a builder that turns a stored event into one message per audience (serialised once
per audience, never once per socket). A family or an audit type is registered once; a second
registration is an error, never a silent replacement.

A service that changes what live clients see says so next to its audit append:

    event = audit_append(type="rfq.pause", ...)
    publish_on_commit(event)

and the messages go out when the transaction commits, so nobody hears of a change that was
rolled back.

Delivery is at-most-once (Redis pub/sub may drop a message): every live message names
the live event before it (`prev_seq`), clients that see a gap resume from the stored events.

Transport: with Redis, an event's messages (one per audience) in one round trip on a kept-open
connection: a script call that also reads who is connected when the event has private
messages (common.presence), else one pipelined PUBLISH each; an event's many private
messages (ranks) in one script call; each ASGI
process holds one subscription per group and hands the text to each of its own connections
(LiveHub; common.outbox). Without Redis (the embedded default, one
process) the hub is fed in-process.
"""
from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from rest_framework.utils.encoders import JSONEncoder

from . import presence
from .after_commit import after_commit
from .outbox import InOrder
from .redis_scripts import script_for

logger = logging.getLogger(__name__)
# At DEBUG (LIVE_COMMITS_LOG_LEVEL): the moment each live publish starts, right after its
# transaction committed, with the events' seqs. Delivery latency is measured from it
# (bench/live_auction.py): an event's `at` is stamped before the COMMIT's round trip.
commits_log = logging.getLogger("quayside.live.commits")

Message = tuple[str, dict | str]  # (group, body): a dict, or its JSON text already encoded (encode())

LiveRule = Callable[[object, dict], bool]  # is an event of this type, with this payload, on this RFQ live?
Builder = Callable[[object], Iterable[Message]]  # a stored event → its messages
# A stored event → None, or what builds its private messages from the suppliers connected now
# (read from presence in the same round trip as the event's public messages are published).
PrivateBuilder = Callable[[object], Callable[[set[int]], Iterable[Message]] | None]


@dataclass(frozen=True)
class LiveFamily:
    name: str
    rules: dict[str, LiveRule]  # audit type → rule
    build: Builder
    private: PrivateBuilder | None = None


_families: dict[str, LiveFamily] = {}
_family_of: dict[str, LiveFamily] = {}  # audit type → its family


def register(family: str, live: dict[str, LiveRule], builder: Builder, private: PrivateBuilder | None = None) -> None:
    """Declare a family of live audit types (each with a predicate on the RFQ and the event's
    payload) and the builder of their messages. Registering a family or an audit type twice
    is an error."""
    if family in _families:
        raise ImproperlyConfigured(f"The live family {family!r} is registered twice.")
    taken = sorted(set(live) & set(_family_of))
    if taken:
        raise ImproperlyConfigured(f"Live audit types {taken} belong to another family already.")
    entry = LiveFamily(family, dict(live), builder, private)
    _families[family] = entry
    _family_of.update(dict.fromkeys(live, entry))


def is_live(audit_type: str, rfq, payload: dict | None = None) -> bool:
    """Whether clients receive this event with a public seq (part of the chain they replay)."""
    family = _family_of.get(audit_type)
    return bool(family and rfq is not None and family.rules[audit_type](rfq, payload or {}))


def publish_on_commit(*events) -> None:
    """Send the events' messages to live clients once the current transaction commits (now,
    outside one). Services call it next to the audit append of a change clients see; audit
    types no family registered are left out.

    Events of one transaction on one RFQ passed together go out together: every public
    message first, in the order given, in one round trip, then the private ones. A sniping
    bid's `deadline.extended` thus follows the bid at once instead of after the bid's ranking
    (a query and a publish), and the next bid's message, which names the extension as its
    `prev_seq`, is not held for it at the hubs (bench/README.md, live_auction.py)."""
    live = [(family, event) for event in events
            if (family := _family_of.get(event.type)) is not None and event.rfq_id is not None]
    if len({event.rfq_id for _, event in live}) > 1:  # a caller's mistake: said here, not after the commit
        raise ValueError("publish_on_commit takes events of one RFQ; call it once per RFQ")
    if live:
        after_commit(_publish, live)


def _publish(live: list[tuple[LiveFamily, object]]) -> None:
    if commits_log.isEnabledFor(logging.DEBUG):
        commits_log.debug("committed %.6f rfq %s seqs %s", time.time(), live[0][1].rfq_id,
                          ",".join(str(event.seq) for _, event in live))
    # The change is committed whatever happens here; a lost message is what resume is for.
    try:
        public = [message for family, event in live for message in family.build(event)]
        privates = [build for family, event in live
                    if family.private is not None and (build := family.private(event)) is not None]
        if not privates:
            send(public)
            return
        # Who is connected is read in the round trip that publishes the public messages; the
        # private ones follow, to those of them the events concern.
        listening = send(public, presence_of=live[0][1].rfq_id)
        if listening:
            for build in privates:
                send(build(listening))
    except Exception:
        logger.exception("live delivery of %s failed", ", ".join(f"{event.stream} #{event.seq}" for _, event in live))


def rfq_group(rfq_id: int, audience: str) -> str:
    return f"rfq.{rfq_id}.{audience}"


def supplier_group(rfq_id: int, supplier_id: int) -> str:
    """One supplier's private messages on one RFQ (its rank)."""
    return f"rfq.{rfq_id}.supplier.{supplier_id}"


def encode(body: dict) -> str:
    # DRF's encoder: a message reads exactly like the same object from the REST API.
    return json.dumps(body, cls=JSONEncoder, separators=(",", ":"))


def send(messages: Iterable[Message], *, presence_of: int | None = None) -> set[int]:
    """Serialise each body once and publish it to its group. With `presence_of` (an RFQ id),
    also read which suppliers are connected to that RFQ now, in the same round trip, and
    return them (else an empty set)."""
    texts = [(group, body if isinstance(body, str) else encode(body)) for group, body in messages]
    url = getattr(settings, "REDIS_URL", "")
    if url:
        return _publish_on_redis(url, texts, presence_of)
    for group, text in texts:
        hub.deliver_threadsafe(group, text)
    return presence.connected_suppliers(presence_of) if presence_of is not None else set()


def group_channel(group: str) -> str:
    # Redis pub/sub ignores the database number: the database name keeps two deployments
    # (or the test suite and a benchmark) sharing one Redis apart.
    return f"quayside:{settings.DATABASES['default'].get('NAME', '')}:live:{group}"


_redis_local = threading.local()


def _publish_on_redis(url: str, texts, presence_of: int | None) -> set[int]:
    import redis

    if not texts and presence_of is None:
        return set()

    client = getattr(_redis_local, "client", None)
    if client is None or getattr(_redis_local, "url", None) != url:
        client = _redis_local.client = redis.Redis.from_url(url, **settings.REDIS_CLIENT_TIMEOUTS)
        _redis_local.url = url
    if presence_of is not None or len(texts) > MANY:
        pairs = [part for group, text in texts for part in (group_channel(group), text)]
        if presence_of is not None:  # one script call: the public messages, then who is connected
            return presence.publish_and_read_suppliers(client, presence_of, pairs)
        # Private messages of one event (a rank for each supplier it moved: hundreds in a big
        # auction): one command, whose script publishes each. redis-py spends some 12 µs of the
        # worker's CPU per pipelined command, most of a bid's cost with 400 suppliers connected.
        script_for(client, PUBLISH_ALL)(args=pairs)
        return set()
    pipe = client.pipeline(transaction=False)  # one round trip for every audience of the event
    for group, text in texts:
        pipe.publish(group_channel(group), text)
    pipe.execute()
    return set()


MANY = 8  # texts above which one script call publishes them all
# PUBLISH from a script is allowed and keeps the order of the arguments; no key is touched.
PUBLISH_ALL = "for i = 1, #ARGV, 2 do redis.call('PUBLISH', ARGV[i], ARGV[i + 1]) end return #ARGV / 2"


# --- Receiving: one hub per process -------------------------------------------------------------

Put = Callable[[str], None]  # a connection's way in: append to its queue, never wait (common.outbox)
RESYNC = encode({"type": "resync"})  # "you may have missed messages: resume"


class LiveHub:
    """Hands each published text to this process's connections of the group.

    One Redis subscription per group per process (not per connection), the text serialised
    once by the publisher. The hub never awaits a socket: each member is a `put` that writes
    the text at once if the connection keeps up and otherwise queues it for that
    connection's own writer (common.outbox.Outbox), so a slow reader delays only itself and
    the Redis reader keeps up. A group's live events go out in
    `prev_seq` order (common.outbox.InOrder). Measured in bench/fanout.py: routing every
    message through the channel layer to a consumer per connection saturated a process at a
    few hundred subscribers.
    """

    def __init__(self):
        self.members: dict[str, set[Put]] = {}
        self.order: dict[str, InOrder] = {}
        self.loop: asyncio.AbstractEventLoop | None = None
        self._pubsub = None
        self._reader: asyncio.Task | None = None
        self._lock: asyncio.Lock | None = None

    async def join(self, group: str, put: Put) -> None:
        self._bind()
        first = group not in self.members
        self.members.setdefault(group, set()).add(put)
        if first and getattr(settings, "REDIS_URL", ""):
            async with self._lock:
                await self._subscribe(group)

    async def leave(self, group: str, put: Put) -> None:
        members = self.members.get(group)
        if members is None:
            return
        members.discard(put)
        if not members:
            del self.members[group]
            order = self.order.pop(group, None)
            if order is not None:
                order.release()
            if self._pubsub is not None:
                async with self._lock:
                    if group not in self.members:
                        await self._pubsub.unsubscribe(group_channel(group))

    def deliver_threadsafe(self, group: str, text: str) -> None:
        """From any thread (the in-process default): deliver on the hub's event loop."""
        if self.loop is None or self.loop.is_closed() or group not in self.members:
            return
        self.loop.call_soon_threadsafe(self.deliver, group, text)

    def deliver(self, group: str, text: str) -> None:
        """On the hub's loop: `text` to every connection of `group`, in chain order."""
        if group not in self.members:
            return
        order = self.order.get(group)
        if order is None:
            order = self.order[group] = InOrder(lambda text, group=group: self._fan_out(group, text))
        order.offer(text)

    def _fan_out(self, group: str, text: str) -> None:
        for put in list(self.members.get(group, ())):
            put(text)

    def _bind(self) -> None:
        loop = asyncio.get_running_loop()
        if self.loop is not loop:  # a new event loop (tests start one per scenario): start afresh
            self.members, self.order, self.loop, self._pubsub, self._reader = {}, {}, loop, None, None
            self._lock = asyncio.Lock()

    async def _subscribe(self, group: str) -> None:
        if self._pubsub is None:
            import redis.asyncio

            self._pubsub = redis.asyncio.Redis.from_url(settings.REDIS_URL).pubsub(ignore_subscribe_messages=True)
        await self._pubsub.subscribe(group_channel(group))
        if self._reader is None or self._reader.done():
            self._reader = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        prefix = len(group_channel(""))
        while self.members:
            try:
                message = await self._pubsub.get_message(timeout=1.0)
            except Exception:
                # Redis went away: subscribe again; clients resume what they missed.
                logger.warning("live subscription lost; resubscribing", exc_info=True)
                await asyncio.sleep(1.0)
                try:
                    await self._pubsub.reset()
                    for group in list(self.members):
                        await self._pubsub.subscribe(group_channel(group))
                except Exception:
                    logger.warning("resubscribing failed", exc_info=True)
                    continue
                # Messages published meanwhile are gone: every connection here resumes now
                # rather than at the next event, which may be a long time coming.
                for group in list(self.members):
                    if group in self.order:
                        self.order[group].reset()
                    self._fan_out(group, RESYNC)
                continue
            if message and message.get("type") == "message":
                self.deliver(message["channel"].decode()[prefix:], message["data"].decode())


hub = LiveHub()
