"""Server-Sent Events: the live messages for clients that cannot use WebSocket.

`GET /api/v1/rfqs/{id}/events/stream/` (api.md): the same messages as `/ws/rfqs/{id}/`,
`id:` = seq on live events so a browser's EventSource resumes with `Last-Event-ID`. The
response is an async iterator, so it needs the ASGI server (`/ws/` and this path are routed
there in production; README "Production").
"""
from __future__ import annotations

import asyncio
import json

from channels.db import database_sync_to_async

from common import realtime
from common.realtime import encode

from . import live

KEEPALIVE_SECONDS = 15


def sse(text: str, *, event: str | None = None, seq: int | None = None) -> str:
    head = (f"id: {seq}\n" if seq is not None else "") + (f"event: {event}\n" if event else "")
    return f"{head}data: {text}\n\n"


def live_frame(text: str) -> str:
    body = json.loads(text)
    seq = None if body.get("private") else body.get("seq")
    return sse(text, event=body.get("type"), seq=seq)


async def event_stream(*, user, rfq_id: int, since: int | None):
    """Replay after `since` (if given), the state, then every message as it is published."""
    queue: asyncio.Queue[str] = asyncio.Queue()
    groups = await database_sync_to_async(live.connection_groups)(user=user, rfq_id=rfq_id)
    for group in groups:
        await realtime.hub.join(group, queue.put_nowait)
    try:
        if since is not None:
            for body in await database_sync_to_async(live.replay_all)(user=user, rfq_id=rfq_id, since=since):
                yield live_frame(encode(body))
        yield sse(encode(await database_sync_to_async(live.state_message)(user=user, rfq_id=rfq_id)), event="state")
        while True:
            try:
                text = await asyncio.wait_for(queue.get(), timeout=KEEPALIVE_SECONDS)
            except TimeoutError:
                yield ": keep-alive\n\n"  # a comment line: proxies keep the connection open
                continue
            yield live_frame(text)
    finally:
        for group in groups:
            await realtime.hub.leave(group, queue.put_nowait)
