"""A WebSocket reader that stops reading (api.md "WebSocket"): the others go on receiving, and
once its backlog passes the limit it gets one `resync` instead of a silent hole; its resume
then recovers every event, in the order a reader that kept up saw them."""
from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from common import outbox
from tests.engine.helpers import bid, reverse_auction

from .helpers import ORIGIN, drain, receive, run, token_for

pytestmark = pytest.mark.django_db(transaction=True)

place = sync_to_async(bid)


def stalled_when_asked(gate: asyncio.Event):
    """The ASGI application, with the sends of a connection that carries `x-stall` waiting for
    `gate`: what the server sees of a client whose TCP window is full."""
    from config.asgi import application

    async def app(scope, receive, send):
        if (b"x-stall", b"1") not in scope.get("headers", ()):
            return await application(scope, receive, send)

        async def stalled(message):
            if message["type"] == "websocket.send":
                await gate.wait()
            await send(message)
        return await application(scope, receive, stalled)
    return app


def chain(messages) -> list[int]:
    return [body["seq"] for _, body in messages if body.get("prev_seq") is not None]


def test_a_reader_that_falls_behind_is_told_to_resync_and_its_resume_recovers_everything(demo, api, monkeypatch):
    monkeypatch.setattr(outbox, "OUTBOX_LIMIT", 4)
    rfq = reverse_auction(demo, suppliers=(1, 2, 3), accept=(1, 2, 3), show_ranking=False)

    async def scenario():
        gate = asyncio.Event()
        gate.set()
        app, token = stalled_when_asked(gate), await token_for(demo, "supplier3")
        sockets, start = {}, 0
        for name, extra in (("steady", []), ("slow", [(b"x-stall", b"1")])):
            headers = [(b"origin", ORIGIN.encode()), (b"authorization", f"Token {token}".encode()), *extra]
            sockets[name] = WebsocketCommunicator(app, f"/ws/rfqs/{rfq}/", headers=headers)
            assert (await sockets[name].connect(timeout=5))[0]
            _, state = await receive(sockets[name])
            assert state["type"] == "state"
            start = state["seq"]
        steady, slow = sockets["steady"], sockets["slow"]
        gate.clear()  # the slow reader stops reading

        for n in range(10):
            response = await place(api, f"supplier{1 + n % 2}", rfq, f"{9500 - 100 * n}.00")
            assert response.status_code == 201, response.content
        stayed = chain(await drain(steady))
        assert len(stayed) == 10  # the steady reader got every event while the other one stalled

        gate.set()  # the slow reader reads again: a resync where its backlog was dropped
        behind = await drain(slow)
        assert [body for _, body in behind].count({"type": "resync"}) == 1
        before_resync = chain(behind[:[body for _, body in behind].index({"type": "resync"})])
        last = before_resync[-1] if before_resync else start  # what it had before the hole
        await slow.send_json_to({"type": "resume", "since": last})
        replayed = await drain(slow)
        assert replayed[-1][1]["type"] == "state"
        recovered = before_resync + [seq for seq in chain(replayed) if seq > last]
        assert recovered == stayed
        for socket in (steady, slow):
            await socket.disconnect()
    run(scenario)
