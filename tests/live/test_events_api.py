"""`/events/?since=` (polling) and `/events/stream/` (Server-Sent Events): the same events as
the WebSocket, for clients that cannot use one."""
from __future__ import annotations

import asyncio
import json

import pytest
from asgiref.sync import sync_to_async
from django.test import AsyncClient

from tests.api.helpers import assert_error
from tests.engine.helpers import bid, reverse_auction

from .helpers import run, token_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_polling_returns_the_live_events_after_since_in_order(demo, api):
    rfq = reverse_auction(demo, suppliers=(1, 2), accept=(1, 2))
    before = api("supplier2").get(f"/api/v1/rfqs/{rfq}/state/").json()["seq"]
    for n, amount in ((1, "9500.00"), (2, "9400.00"), (1, "9399.99"), (1, "9300.00")):
        bid(api, f"supplier{n}", rfq, amount)
    events = api("supplier2").get(f"/api/v1/rfqs/{rfq}/events/?since={before}").json()
    assert [e["type"] for e in events] == ["bid_placed"] * 3  # the refused bid is no live event
    assert [e["leading_bid"] for e in events] == ["9500.00", "9400.00", "9300.00"]
    assert events[0]["prev_seq"] <= before and all(b["prev_seq"] == a["seq"] for a, b in zip(events, events[1:], strict=False))
    later = api("supplier2").get(f"/api/v1/rfqs/{rfq}/events/?since={events[1]['seq']}").json()
    assert later == events[2:]
    assert api("buyer").get(f"/api/v1/rfqs/{rfq}/events/").json()[-1]["supplier"]["name"] == demo.supplier(1).name


@pytest.mark.parametrize("since", ["x", "-1", "1.5", "9" * 30, ""])  # empty: the schema says integer
def test_a_bad_since_is_a_400(demo, api, since):
    rfq = reverse_auction(demo, suppliers=(1, 2), accept=(1, 2))
    response = api("supplier1").get(f"/api/v1/rfqs/{rfq}/events/?since={since}")
    assert_error(response, 400)
    assert "since" in response.json()["error"]["fields"]


def test_outsiders_get_404_from_both(demo, api):
    rfq = reverse_auction(demo, suppliers=(1, 2), accept=(1, 2))
    for username in ("buyer2", "supplier4"):
        assert_error(api(username).get(f"/api/v1/rfqs/{rfq}/events/"), 404)
        assert_error(api(username).get(f"/api/v1/rfqs/{rfq}/events/stream/"), 404)
    assert api(None).get(f"/api/v1/rfqs/{rfq}/events/").status_code == 401


def frames(chunk: bytes) -> list[dict]:
    """Server-Sent Events frames → {id?, event?, data} (comment lines skipped)."""
    parsed = []
    for block in chunk.decode().strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.split("\n") if not line.startswith(":"))
        if fields:
            parsed.append({**fields, "data": json.loads(fields["data"])})
    return parsed


def test_the_stream_replays_sends_the_state_then_follows_live(demo, api):
    rfq = reverse_auction(demo, suppliers=(1, 2), accept=(1, 2))
    bid(api, "supplier1", rfq, "9500.00")
    so_far = api("supplier2").get(f"/api/v1/rfqs/{rfq}/events/?since=0").json()
    assert [e["type"] for e in so_far] == ["auction_opened", "bid_placed"]

    async def scenario():
        token = await token_for(demo, "supplier2")
        # Accepting only the event stream, as EventSource does.
        response = await AsyncClient().get(f"/api/v1/rfqs/{rfq}/events/stream/", headers={
            "Authorization": f"Token {token}", "Last-Event-ID": "0", "Accept": "text/event-stream"})
        assert response.status_code == 200 and response["Content-Type"] == "text/event-stream"
        chunks = response.streaming_content.__aiter__()
        replayed = []
        while not replayed or replayed[-1]["event"] != "state":
            replayed += frames(await anext(chunks))
        *replayed, state = replayed
        assert replayed == [{"id": str(e["seq"]), "event": e["type"], "data": e} for e in so_far]
        assert state["data"]["leading_bid"] == "9500.00" and "id" not in state
        assert (await sync_to_async(bid)(api, "supplier1", rfq, "9400.00")).status_code == 201
        live = frames(await anext(chunks))
        assert live[0]["event"] == "bid_placed" and live[0]["data"]["leading_bid"] == "9400.00"
        assert live[0]["id"] == str(live[0]["data"]["seq"]) and live[0]["data"]["prev_seq"] == so_far[-1]["seq"]
        await chunks.aclose()
    run(scenario)


def test_a_stream_that_falls_too_far_behind_ends_and_resumes_with_last_event_id(demo, api, monkeypatch):
    """A reader that stops reading is not buffered for without end: past the limit its backlog
    is dropped and the stream ends; reopened with Last-Event-ID it gets the rest in order."""
    from auctions import streams

    monkeypatch.setattr(streams, "STREAM_LIMIT", 3)
    rfq = reverse_auction(demo, suppliers=(1, 2), accept=(1, 2))

    async def open_stream(token, last):
        response = await AsyncClient().get(f"/api/v1/rfqs/{rfq}/events/stream/", headers={
            "Authorization": f"Token {token}", "Last-Event-ID": str(last), "Accept": "text/event-stream"})
        return response.streaming_content.__aiter__()

    async def read_all(chunks):
        received = []
        async for chunk in chunks:
            received += frames(chunk)
        return received

    async def scenario():
        token = await token_for(demo, "supplier2")
        chunks = await open_stream(token, 0)
        received = []
        while not received or received[-1]["event"] != "state":
            received += frames(await anext(chunks))
        for amount in ("9500.00", "9400.00", "9300.00", "9200.00", "9100.00"):  # nobody reads meanwhile
            assert (await sync_to_async(bid)(api, "supplier1", rfq, amount)).status_code == 201
        # The backlog was dropped and the stream ended (without the bound it would wait for more).
        assert await asyncio.wait_for(read_all(chunks), timeout=10) == []
        last = max(int(frame["id"]) for frame in received if "id" in frame)
        replayed = await read_all_until_state(await open_stream(token, last))
        amounts = [frame["data"]["leading_bid"] for frame in replayed if frame["event"] == "bid_placed"]
        assert amounts == ["9500.00", "9400.00", "9300.00", "9200.00", "9100.00"]

    async def read_all_until_state(chunks):
        received = []
        while not received or received[-1]["event"] != "state":
            received += frames(await anext(chunks))
        await chunks.aclose()
        return received
    run(scenario)


def test_a_wsgi_worker_does_not_hold_a_stream_open(demo, api):
    rfq = reverse_auction(demo, suppliers=(1, 2), accept=(1, 2))
    error = assert_error(api("supplier1").get(f"/api/v1/rfqs/{rfq}/events/stream/"), 421, "misdirected_request")
    # An EventSource's Accept gets the same answer, as JSON.
    assert_error(api("supplier1").get(f"/api/v1/rfqs/{rfq}/events/stream/", HTTP_ACCEPT="text/event-stream"), 421,
                 "misdirected_request")
    assert f"/api/v1/rfqs/{rfq}/events/?since=" in error["message"]


def test_a_bad_last_event_id_is_a_400_before_the_421(demo, api):
    """Input is judged wherever the stream is served. An empty Last-Event-ID is no seq either:
    the schema says integer, and EventSource leaves the header out rather than send it empty."""
    rfq = reverse_auction(demo, suppliers=(1, 2), accept=(1, 2))
    path = f"/api/v1/rfqs/{rfq}/events/stream/"
    for bad in ("", "-1", "x", str(2**63)):
        error = assert_error(api("supplier1").get(path, HTTP_LAST_EVENT_ID=bad), 400)
        assert error["fields"] == {"Last-Event-ID": ["An integer ≥ 0."]}, bad
    assert_error(api("supplier1").get(path + "?since="), 400)
    assert_error(api("supplier1").get(path, HTTP_LAST_EVENT_ID="0"), 421, "misdirected_request")
