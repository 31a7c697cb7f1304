"""Many private messages of one event (a rank for each supplier a bid moved) go to Redis as one
script call: each reaches its own channel, whole and in order, and a Redis that lost the script
(a restart, SCRIPT FLUSH) gets it again."""
from __future__ import annotations

import json
import time

import pytest
import redis
from django.conf import settings

from auctions.live import _with_rank
from common import realtime

pytestmark = pytest.mark.redis


def received(pubsub, count: int, timeout: float = 5.0) -> list[tuple[str, str]]:
    got, give_up = [], time.monotonic() + timeout
    while len(got) < count and time.monotonic() < give_up:
        message = pubsub.get_message(timeout=0.2)
        if message and message["type"] == "message":
            got.append((message["channel"].decode(), message["data"].decode()))
    return got


@pytest.mark.parametrize("flush", [False, True])
def test_more_than_a_few_texts_are_published_by_one_script_each_to_its_channel(flush):
    client = redis.Redis.from_url(settings.REDIS_URL)
    groups = [realtime.supplier_group(990_001, n) for n in range(realtime.MANY * 5)]
    pubsub = client.pubsub()
    pubsub.subscribe(*(realtime.group_channel(group) for group in groups))
    while pubsub.get_message(timeout=0.2):  # the subscription confirmations
        pass
    if flush:
        client.script_flush()
    texts = [(group, _with_rank('{"type":"rank_changed","private":true,"seq":7}', n))
             for n, group in enumerate(groups)]
    assert realtime.send(texts) == set()
    got = received(pubsub, len(texts))
    pubsub.close()
    assert got == [(realtime.group_channel(group), text) for group, text in texts]
    assert [json.loads(text)["your_rank"] for _, text in got] == list(range(len(groups)))


def test_a_rank_text_reads_as_the_object_it_stands_for():
    common = realtime.encode({"type": "rank_changed", "private": True, "seq": 12, "rfq": 3,
                              "at": "2026-12-04T10:00:00Z", "line_item_id": 5})
    for rank in (1, 17, None):
        assert json.loads(_with_rank(common, rank)) == {
            "type": "rank_changed", "private": True, "seq": 12, "rfq": 3, "at": "2026-12-04T10:00:00Z",
            "line_item_id": 5, "your_rank": rank}
        # A lot's rank also comes in `lines`, as api.md gives per-line figures.
        assert json.loads(_with_rank(common, rank, 5)) == {
            "type": "rank_changed", "private": True, "seq": 12, "rfq": 3, "at": "2026-12-04T10:00:00Z",
            "line_item_id": 5, "lines": [{"line_item_id": 5, "your_rank": rank}], "your_rank": rank}


@pytest.mark.parametrize("flush", [False, True])
def test_an_events_public_messages_and_the_read_of_who_is_connected_are_one_script_call(flush):
    from common import presence

    rfq_id = 990_002
    client = redis.Redis.from_url(settings.REDIS_URL)
    key = presence._key(rfq_id)
    client.delete(key)
    now = time.time()
    live = {"supplier:7|a": now + 60, "supplier:7|b": now + 60, "supplier:12|c": now + 60,  # 7: two tabs
            "buyer:3|d": now + 60, "compliance:1|e": now + 60, "supplier:40|f": now - 1}  # 40: expired
    client.zadd(key, live)
    groups = [realtime.rfq_group(rfq_id, audience) for audience in ("buyer", "bidders", "observers")]
    pubsub = client.pubsub()
    pubsub.subscribe(*(realtime.group_channel(group) for group in groups))
    while pubsub.get_message(timeout=0.2):
        pass
    if flush:
        client.script_flush()
    texts = [(group, json.dumps({"type": "bid_placed", "n": n})) for n, group in enumerate(groups)]
    assert realtime.send(texts, presence_of=rfq_id) == {7, 12}
    got = received(pubsub, len(texts))
    pubsub.close()
    assert got == [(realtime.group_channel(group), text) for group, text in texts]
    assert presence.suppliers_of(list(live)) == {7, 12, 40}  # the Python reading, before pruning
    assert client.zscore(key, "supplier:40|f") is None  # pruned by the read
    assert presence.connected_suppliers(rfq_id) == {7, 12}
    client.delete(key)
    assert presence.connected_suppliers(rfq_id) == set() == realtime.send([], presence_of=rfq_id)
