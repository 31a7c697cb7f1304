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
