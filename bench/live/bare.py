#!/usr/bin/env python
"""The floor to compare with: a bare `websockets` server (no Django, no Redis, no database)
and its clients, replaying the Quayside run's bids at the same moments.

    python bench/live/bare.py PORT      # the server; prints "ready"

A client's bid is a WebSocket message to the server, which answers `ack` to the sender and,
for a bid the Quayside run accepted, broadcasts `bid_placed` with a seq and its send time to
every connection (`websockets.broadcast`). Bid latency: send → ack; delivery latency:
broadcast → arrival, parsed as the SDK parses JSON."""
from __future__ import annotations

import asyncio
import itertools
import json
import sys
import time

from websockets.asyncio.server import broadcast, serve


def serve_forever(port: int) -> None:
    clients: set = set()
    seq = itertools.count(1)

    async def handler(socket):
        clients.add(socket)
        await socket.send(json.dumps({"type": "state", "seq": 0}))
        try:
            async for raw in socket:
                message = json.loads(raw)
                if message.get("type") == "bid":
                    if message.get("broadcast"):
                        n = next(seq)
                        broadcast(clients, json.dumps({"type": "bid_placed", "seq": n, "prev_seq": n - 1,
                                                       "sent": time.time()}))
                    await socket.send(json.dumps({"type": "ack", "n": message["n"]}))
        finally:
            clients.discard(socket)

    async def main():
        # No per-message deflate: the Uvicorn tier runs without it (README).
        async with serve(handler, "127.0.0.1", port, ping_interval=None, max_queue=None, compression=None):
            print("ready", flush=True)
            await asyncio.Future()

    asyncio.run(main())


class BareClient:
    """The bare server's subscriber (and, at the replayed moments, bidder)."""

    def __init__(self, i: int, url: str):
        self.i, self.url = i, url
        self.seqs: list[int] = []
        self.latencies: list[float] = []
        self.bids: list[list] = []
        self.acks: dict[int, asyncio.Future] = {}
        self.counter = itertools.count()
        self.ready = asyncio.Event()
        self.stopped = asyncio.Event()
        self.socket = None
        self.error: str | None = None

    async def run(self, until: float) -> None:
        from websockets.asyncio.client import connect

        try:
            async with connect(self.url, open_timeout=60, ping_interval=None, max_queue=None) as socket:
                self.socket = socket
                reader = asyncio.ensure_future(self.read(socket))
                await asyncio.wait([reader, asyncio.ensure_future(self.stopped.wait())],
                                   timeout=max(1.0, until - time.time()), return_when=asyncio.FIRST_COMPLETED)
                reader.cancel()
        except OSError as exc:
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            self.ready.set()

    async def read(self, socket) -> None:
        async for raw in socket:
            now = time.time()
            message = json.loads(raw)
            kind = message.get("type")
            if kind == "state":
                self.ready.set()
            elif kind == "bid_placed":
                self.seqs.append(message["seq"])
                self.latencies.append(now - message["sent"])
            elif kind == "ack" and message["n"] in self.acks:
                self.acks.pop(message["n"]).set_result(now)

    async def bid_at(self, at: float, broadcast_it: bool) -> None:
        await asyncio.sleep(max(0.0, at - time.time()))
        if self.socket is None:
            return
        n = next(self.counter)
        ack = self.acks[n] = asyncio.get_running_loop().create_future()
        sent = time.time()
        await self.socket.send(json.dumps({"type": "bid", "n": n, "broadcast": broadcast_it}))
        try:
            done = await asyncio.wait_for(ack, timeout=30)
            self.bids.append([sent, done - sent, 201, None, []])
        except TimeoutError:
            self.bids.append([sent, 30.0, 0, None, ["timeout"]])

    def stop(self) -> None:
        self.stopped.set()

    def record(self) -> dict:
        return {"i": self.i, "start": 0, "seqs": self.seqs, "lat": [round(x, 6) for x in self.latencies],
                "bids": self.bids, "error": self.error, "closed": self.error is None, "recovered": 0, "resumes": 0,
                "connections": 1, "failures": 0, "duplicates": 0, "private": 0}


if __name__ == "__main__":
    serve_forever(int(sys.argv[1]))
