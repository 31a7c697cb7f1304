"""The follower against stand-in servers (no Django): a WebSocket that loses an event and then
the connection, and a server without WebSocket or stream, where polling takes over."""
import asyncio
import json

import httpx
from loop_thread import run
from websockets.asyncio.server import serve
from websockets.datastructures import Headers
from websockets.http11 import Response

from quayside_client import AsyncQuaysideClient, FollowOptions

FAST = FollowOptions(backoff_base=0.01, backoff_cap=0.05, ping_interval=0.5, ping_timeout=0.5, poll_interval=0.01)


def event(seq, prev, kind="bid_placed", **extra):
    return {"type": kind, "seq": seq, "prev_seq": prev, "rfq": 1, "at": "2026-12-01T10:00:00Z", **extra}


def state(seq, status="open"):
    return {"type": "state", "rfq": 1, "seq": seq, "status": status, "server_time": "2026-12-01T10:00:00Z",
            "bidding_deadline": "2026-12-01T11:00:00Z"}


CHAIN = [event(3, 0), event(5, 3), event(8, 5), event(10, 8), event(13, 10, "auction_closed", status="closed")]


def after(seq):
    return [e for e in CHAIN if e["seq"] > seq]


async def follow(client, **kwargs):
    return [e async for e in client.follow(1, options=kwargs.pop("options", FAST), stop_at_close=True, **kwargs)]


def test_a_lost_event_and_a_lost_connection_end_with_every_event_once_in_order():
    received, headers = [], []

    async def handler(socket):
        headers.append(socket.request.headers.get("Authorization"))
        connection = len(headers)
        await socket.send(json.dumps(state(2)))
        if connection == 1:
            await socket.send(json.dumps(CHAIN[0]))
            await socket.send(json.dumps(CHAIN[2]))  # 5 is lost: the client must resume from 3
        async for text in socket:
            message = json.loads(text)
            received.append(message)
            if message["type"] == "resume":
                for body in after(message["since"]):
                    if connection == 1 and body["seq"] == 13:
                        break  # this connection dies before the close is sent
                    await socket.send(json.dumps(body))
                if connection == 1:
                    await socket.send(json.dumps(CHAIN[3]))  # 10 twice: once replayed, once live
                    socket.transport.abort()  # the server is killed
                    return
                await socket.send(json.dumps(state(13, "closed")))

    async def scenario():
        async with serve(handler, "127.0.0.1", 0) as server:
            port = server.sockets[0].getsockname()[1]
            async with AsyncQuaysideClient(f"http://127.0.0.1:{port}", token="t0k") as client:
                return await asyncio.wait_for(follow(client), 10)

    events = run(scenario())
    public = [e.seq for e in events if e.type != "state"]
    assert public == [3, 5, 8, 10, 13]
    assert headers == ["Token t0k", "Token t0k"]
    assert [m["since"] for m in received if m["type"] == "resume"] == [3, 10]
    assert events[-1].type == "auction_closed"  # and the follower stops there (stop_at_close)


def test_a_quiet_connection_is_pinged_and_a_dead_one_replaced():
    pings = []

    async def handler(socket):
        await socket.send(json.dumps(state(2)))
        async for text in socket:
            message = json.loads(text)
            pings.append(message["type"])
            if len(pings) == 1:
                await socket.send(json.dumps({"type": "pong"}))
            elif message["type"] == "resume":
                for body in after(message["since"]):
                    await socket.send(json.dumps(body))
            # else: no answer at all, as from a half-dead connection

    async def scenario():
        async with serve(handler, "127.0.0.1", 0) as server:
            port = server.sockets[0].getsockname()[1]
            async with AsyncQuaysideClient(f"http://127.0.0.1:{port}", token="t0k") as client:
                follower_options = FollowOptions(backoff_base=0.01, backoff_cap=0.05, ping_interval=0.2,
                                                 ping_timeout=0.2, resync_interval=60)
                return await asyncio.wait_for(follow(client, options=follower_options), 10)

    events = run(scenario())
    assert pings[0] == "ping" and "resume" in pings  # reconnected after the unanswered ping, and resumed
    assert [e.seq for e in events if e.type != "state"] == [3, 5, 8, 10, 13]


def test_without_websocket_and_stream_it_polls_events_since_the_last_seq():
    polled = []

    def http(request):
        path = request.url.path
        if path.endswith("/events/stream/"):
            return httpx.Response(421, json={"error": {"code": "misdirected_request", "message": "use polling",
                                                       "fields": {}, "violations": []}})
        if path.endswith("/events/"):
            since = int(request.url.params["since"])
            polled.append(since)
            return httpx.Response(200, json=after(since)[:2])  # two at a time
        assert path.endswith("/state/"), path
        return httpx.Response(200, json={k: v for k, v in state(2 if len(polled) < 3 else 13).items() if k != "type"})

    async def no_websocket(connection, request):
        return Response(404, "Not Found", Headers({"Content-Length": "0"}), b"")

    async def scenario():
        async with serve(lambda socket: socket.close(), "127.0.0.1", 0, process_request=no_websocket) as server:
            port = server.sockets[0].getsockname()[1]
            async with AsyncQuaysideClient(f"http://127.0.0.1:{port}", token="t0k",
                                           transport=httpx.MockTransport(http)) as client:
                return await asyncio.wait_for(follow(client, since=0), 10)

    events = run(scenario())
    assert [e.seq for e in events if e.type != "state"] == [3, 5, 8, 10, 13]
    assert polled[:3] == [0, 5, 10]
