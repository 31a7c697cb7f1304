"""Live updates: the one way events reach connected clients (architecture.md "Live updates").

The audit trail decides what happened and in which order; this module only delivers. An
app registers which of its audit event types are live and a builder that turns a stored
event into one message per audience (serialised once per audience, never once per socket).
`announce` is called for every audit event as it is written and publishes the messages
when the transaction commits, so nobody hears of a change that was rolled back.

Delivery is at-most-once (the channel layer may drop a message): every live message names
the live event before it (`prev_seq`), clients that see a gap resume from the stored events.

Transport: the channel layer of the settings. On Redis it is channels_redis's pub/sub layer
(one PUBLISH per audience, each ASGI process fans out to its own sockets); publishing from a
sync worker goes through one pipelined PUBLISH on a kept-open Redis connection rather than
through a fresh event loop and connection per message.
"""
from __future__ import annotations

import functools
import json
import logging
import threading
from collections.abc import Callable, Iterable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from rest_framework.utils.encoders import JSONEncoder

logger = logging.getLogger(__name__)

Message = tuple[str, dict]  # (group, body)

# audit type -> whether an event of that type on this RFQ is live (in the seq chain)
_live_rules: dict[str, Callable[[object], bool]] = {}
_builder: Callable[[object], Iterable[Message]] | None = None


def register(live: dict[str, Callable[[object], bool]], builder: Callable[[object], Iterable[Message]]) -> None:
    """Declare the live audit types (each with a predicate on the RFQ) and the message builder."""
    global _builder
    _live_rules.update(live)
    _builder = builder


def is_live(audit_type: str, rfq) -> bool:
    """Whether clients receive this event with a public seq (part of the chain they replay)."""
    rule = _live_rules.get(audit_type)
    return bool(rule and rfq is not None and rule(rfq))


def announce(event) -> None:
    """Publish `event`'s messages once the current transaction commits (now, outside one)."""
    if _builder is None or event.rfq_id is None or event.type not in _live_rules:
        return
    transaction.on_commit(functools.partial(_publish, event))


def _publish(event) -> None:
    # The change is committed whatever happens here; a lost message is what resume is for.
    try:
        send(_builder(event))
    except Exception:
        logger.exception("live delivery of %s #%s failed", event.stream, event.seq)


def rfq_group(rfq_id: int, audience: str) -> str:
    return f"rfq.{rfq_id}.{audience}"


def supplier_group(rfq_id: int, supplier_id: int) -> str:
    """One supplier's private messages on one RFQ (its rank)."""
    return f"rfq.{rfq_id}.supplier.{supplier_id}"


def encode(body: dict) -> str:
    # DRF's encoder: a message reads exactly like the same object from the REST API.
    return json.dumps(body, cls=JSONEncoder, separators=(",", ":"))


def send(messages: Iterable[Message]) -> None:
    """Serialise each body once and hand all of them to the channel layer."""
    envelopes = [(group, {"type": "live.message", "text": encode(body)}) for group, body in messages]
    if not envelopes:
        return
    layer = get_channel_layer()
    publisher = _redis_publisher(layer)
    if publisher is not None:
        publisher(layer, envelopes)
    else:
        async_to_sync(_group_send_all)(layer, envelopes)


async def _group_send_all(layer, envelopes) -> None:
    for group, envelope in envelopes:
        await layer.group_send(group, envelope)


_redis_local = threading.local()


def _redis_publisher(layer):
    """A sync publisher for channels_redis's pub/sub layer on one Redis host, else None."""
    try:
        from channels_redis.pubsub import RedisPubSubChannelLayer
    except ImportError:  # pragma: no cover - channels_redis is a dependency
        return None
    hosts = getattr(layer, "_kwargs", {}).get("hosts") or []
    if not isinstance(layer, RedisPubSubChannelLayer) or len(hosts) != 1 or not isinstance(hosts[0], str):
        return None
    return functools.partial(_publish_on_redis, url=hosts[0], prefix=layer._kwargs.get("prefix", "asgi"))


def _publish_on_redis(layer, envelopes, *, url: str, prefix: str) -> None:
    import redis

    client = getattr(_redis_local, "client", None)
    if client is None or getattr(_redis_local, "url", None) != url:
        client = _redis_local.client = redis.Redis.from_url(url)
        _redis_local.url = url
    pipe = client.pipeline(transaction=False)
    for group, envelope in envelopes:
        # The channel name and the serialisation channels_redis's pub/sub layer subscribes
        # with (RedisPubSubLoopLayer._get_group_channel_name); a test holds us to it.
        pipe.publish(f"{prefix}__group__{group}", layer.serialize(envelope))
    pipe.execute()
