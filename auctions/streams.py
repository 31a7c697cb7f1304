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
from common.outbox import OUTBOX_LIMIT
from common.realtime import encode

from . import live

KEEPALIVE_SECONDS = 15
STREAM_LIMIT = OUTBOX_LIMIT  # texts a stream's reader may be behind (as a WebSocket's outbox)


def sse(text: str, *, event: str | None = None, seq: int | None = None) -> str:
    head = (f"id: {seq}\n" if seq is not None else "") + (f"event: {event}\n" if event else "")
    return f"{head}data: {text}\n\n"


def live_frame(text: str) -> str:
    body = json.loads(text)
    seq = None if body.get("private") else body.get("seq")
    return sse(text, event=body.get("type"), seq=seq)


class StreamQueue:
    """What the hub puts for one stream, bounded like a WebSocket's outbox: a reader that falls
    `OUTBOX_LIMIT` texts behind is not buffered for without end; its backlog is dropped and
    the stream ends (`None`), and its EventSource reconnects with `Last-Event-ID`, which
    replays from the stored events what it had not read."""

    def __init__(self):
        self.queue: asyncio.Queue[str | None] = asyncio.Queue()
        self.limit, self.overflowed = STREAM_LIMIT, False

    def put(self, text: str) -> None:
        if self.overflowed:
            return
        if self.queue.qsize() >= self.limit:
            self.overflowed = True
            while not self.queue.empty():
                self.queue.get_nowait()
            self.queue.put_nowait(None)
            return
        self.queue.put_nowait(text)


async def event_stream(*, user, rfq_id: int, since: int | None):
    """Replay after `since` (if given), the state, then every message as it is published."""
    stream = StreamQueue()
    groups = await database_sync_to_async(live.connection_groups)(user=user, rfq_id=rfq_id)
    for group in groups:
        await realtime.hub.join(group, stream.put)
    try:
        if since is not None:
            for body in await database_sync_to_async(live.replay_all)(user=user, rfq_id=rfq_id, since=since):
                yield live_frame(encode(body))
        yield sse(encode(await database_sync_to_async(live.state_message)(user=user, rfq_id=rfq_id)), event="state")
        while True:
            try:
                text = await asyncio.wait_for(stream.queue.get(), timeout=KEEPALIVE_SECONDS)
            except TimeoutError:
                yield ": keep-alive\n\n"  # a comment line: proxies keep the connection open
                continue
            if text is None:
                return  # fell too far behind: the client reconnects and resumes
            yield live_frame(text)
    finally:
        for group in groups:
            await realtime.hub.leave(group, stream.put)
