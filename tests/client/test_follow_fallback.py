"""follow() where the WebSocket is not served: Django's WSGI live server answers /ws/ with
404 and the event stream with 421, so the client polls /events/?since=; against the ASGI
site, the event stream alone carries it. Either way: every event once, in order."""
from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from quayside_client import AsyncQuaysideClient, Follower, FollowOptions

from tests.client.conftest import close_now, placed, releasing, token_of
from tests.engine.helpers import reverse_auction

pytestmark = pytest.mark.django_db(transaction=True)

QUICK = dict(backoff_base=0.05, backoff_cap=0.5, ping_interval=2, ping_timeout=2, poll_interval=0.25)


def follow_whole_auction(url: str, token: str, rfq: int, options: FollowOptions, act) -> tuple[list, str]:
    """Follow from seq 0 until the close while `act()` (in a thread) bids and closes; the
    events and the transport that carried them."""
    async def scenario():
        async with AsyncQuaysideClient(url, token=token) as client:
            follower = Follower(client, rfq, since=0, options=options, stop_at_close=True)
            acting = asyncio.ensure_future(asyncio.to_thread(releasing(act)))
            events = [event async for event in follower.events()]
            await acting
            return events, follower.transport

    # In a thread of its own: Playwright's sync API (browser tests in the same session) leaves
    # an event loop running in the test thread.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, asyncio.wait_for(scenario(), 60)).result()


def bids_and_close(demo, api, rfq):
    def act():
        for supplier, amount in ((2, "9900.00"), (3, "9800.00"), (2, "9700.00")):
            placed(api, f"supplier{supplier}", rfq, amount)
        close_now(api, rfq)
    return act


def truth(url: str, token: str, rfq: int) -> list[dict]:
    return requests.get(f"{url}/api/v1/rfqs/{rfq}/events/?since=0", timeout=10,
                        headers={"Authorization": f"Token {token}"}).json()


def test_on_a_wsgi_server_it_falls_back_to_polling(demo, api, live_server):
    rfq = reverse_auction(demo, suppliers=(1, 2, 3), accept=(1, 2, 3))
    token = token_of(demo, "supplier1")
    events, transport = follow_whole_auction(live_server.url, token, rfq, FollowOptions(**QUICK),
                                             bids_and_close(demo, api, rfq))
    assert transport == "poll"  # /ws/ answered 404, the stream 421
    public = [e.data for e in events if e.type != "state"]
    assert public == truth(live_server.url, token, rfq)
    assert [e["type"] for e in public][-4:] == ["bid_placed"] * 3 + ["auction_closed"]


def test_the_event_stream_alone_carries_it(demo, api, site):
    rfq = reverse_auction(demo, suppliers=(1, 2, 3), accept=(1, 2, 3))
    token = token_of(demo, "supplier1")
    options = FollowOptions(transports=("sse",), **QUICK)
    events, transport = follow_whole_auction(site, token, rfq, options, bids_and_close(demo, api, rfq))
    assert transport == "sse"
    public = [e.data for e in events if e.type != "state"]
    assert public == truth(site, token, rfq)
    assert [e["type"] for e in public][-4:] == ["bid_placed"] * 3 + ["auction_closed"]
