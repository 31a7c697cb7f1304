"""Live texts written as frames encoded once (common.ws_frames), through a real Uvicorn.

The frame must be byte for byte what the `websockets` protocol would have sent; the fast path
must be taken for an SDK connection (token, no compression) and declined where it would not
be equivalent — per-message deflate negotiated, flow control paused, the socket closing —
in which case everything still arrives through the ASGI send."""
from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest
from websockets.asyncio.client import connect
from websockets.protocol import State
from websockets.server import ServerProtocol

from common import ws_frames
from tests.client.conftest import placed, releasing, token_of
from tests.engine.helpers import reverse_auction

TEXTS = ["", "x" * 125, "y" * 126, "é" * 40_000, "z" * 65_536, json.dumps({"type": "bid_placed", "seq": 7})]


@pytest.mark.parametrize("text", TEXTS, ids=lambda t: f"{len(t.encode())} bytes")
def test_the_frame_is_what_the_websockets_protocol_sends_for_the_text(text):
    protocol = ServerProtocol()
    protocol.state = State.OPEN
    protocol.send_text(text.encode())
    assert ws_frames.text_frame(text) == b"".join(protocol.data_to_send())


def test_the_frame_is_encoded_once_for_the_text_handed_to_each_socket():
    text = json.dumps({"type": "bid_placed", "seq": 8})
    first = ws_frames.text_frame(text)
    assert ws_frames.text_frame(text) is first
    equal_but_another = "".join(text)  # a new str object: encoded anew, never mistaken by identity
    other = json.dumps({"type": "bid_placed", "seq": 9})
    assert ws_frames.text_frame(other) != first and ws_frames.text_frame(text) == first
    assert ws_frames.text_frame(equal_but_another) == first


def test_anything_but_uvicorns_sansio_send_gets_no_fast_path():
    async def send(message):
        pass
    assert ws_frames.direct_writer(send) is None
    assert ws_frames.direct_writer(SimpleNamespace(__self__=object())) is None


def test_a_paused_or_closing_connection_is_left_to_the_asgi_send():
    from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

    written = []
    conn = SimpleNamespace(state=State.OPEN, extensions=[], expect_continuation_frame=False)
    transport = SimpleNamespace(is_closing=lambda: False, write=written.append)
    protocol = WebSocketsSansIOProtocol.__new__(WebSocketsSansIOProtocol)
    protocol.conn, protocol.transport = conn, transport
    protocol.handshake_complete, protocol.close_sent, protocol.disconnected = True, False, False
    protocol.initial_response = None
    protocol.writable = asyncio.Event()
    write_now = ws_frames.direct_writer(protocol.send)
    assert write_now is not None
    assert not write_now("paused") and not written  # the buffer is full: the ASGI send waits for it
    protocol.writable.set()
    assert write_now("open") and written == [ws_frames.text_frame("open")]
    for change, undo in ((("close_sent", True), ("close_sent", False)), (("disconnected", True), ("disconnected", False))):
        setattr(protocol, *change)
        assert not write_now("no")
        setattr(protocol, *undo)
    conn.extensions = ["permessage-deflate"]
    assert not write_now("compressed per socket")
    conn.extensions, conn.state = [], State.CLOSING
    assert not write_now("closing")
    assert len(written) == 1


def received_bids(site: str, token: str, rfq: int, compression, act, count: int) -> list[dict]:
    """The first `count` bid_placed bodies a token WebSocket receives while `act()` bids."""
    async def scenario():
        url = site.replace("http", "ws") + f"/ws/rfqs/{rfq}/"
        async with connect(url, additional_headers={"Authorization": f"Token {token}"}, compression=compression) as ws:
            assert json.loads(await ws.recv())["type"] == "state"
            acting = asyncio.ensure_future(asyncio.to_thread(releasing(act)))
            bodies = []
            while len(bodies) < count:
                body = json.loads(await asyncio.wait_for(ws.recv(), 20))
                if body["type"] == "bid_placed":
                    bodies.append(body)
            await acting
            return bodies

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, scenario()).result()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("compression, fast", [(None, True), ("deflate", False)], ids=["sdk", "deflate"])
def test_live_bids_arrive_whole_with_or_without_the_fast_path(site, demo, api, monkeypatch, compression, fast):
    encoded = []
    original = ws_frames.text_frame
    monkeypatch.setattr(ws_frames, "text_frame", lambda text: encoded.append(text) or original(text))
    rfq = reverse_auction(demo, suppliers=(1, 2, 3), accept=(1, 2, 3))
    amounts = ["9900.00", "9800.00", "9700.00"]

    def act():
        for n, amount in enumerate(amounts):
            placed(api, f"supplier{2 + n % 2}", rfq, amount)

    bodies = received_bids(site, token_of(demo, "supplier1"), rfq, compression, act, len(amounts))
    assert [b["prev_seq"] for b in bodies[1:]] == [b["seq"] for b in bodies[:-1]]  # whole, in order
    assert bool(encoded) is fast
