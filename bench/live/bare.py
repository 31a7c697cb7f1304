#!/usr/bin/env python
"""The floor to compare with: a bare `websockets` server (no Django, no Redis, no database)
and its clients, replaying the Quayside run's bids at the same moments.

    python bench/live/bare.py PORT [--same-messages]   # the server; prints "ready"

A client's bid is a WebSocket message to the server, which answers `ack` to the sender and,
for a bid the Quayside run accepted, broadcasts `bid_placed` with a seq and its send time to
every connection (`websockets.broadcast`). Bid latency: send → ack; delivery latency:
broadcast → arrival, parsed as the SDK parses JSON.

Two baselines. **Bids only** (the first one, kept for comparison across sessions): a small
`bid_placed` per accepted bid, nothing else. **The same messages** (`--same-messages`): what
the Quayside run delivered for each bid, in number, order and shape: `bid_placed` with the
fields a supplier's copy has, the `deadline_extended` that followed a sniping bid, then a
private `rank_changed` to each client that got one for that bid in the Quayside run. The
bids' delivery is measured the same way in both; only the load around it differs."""
from __future__ import annotations

import asyncio
import itertools
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from websockets.asyncio.server import broadcast, serve

if __package__ in (None, ""):  # run as the server's script: bench/ on the path, as for an import
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from live.shapes import bid_placed, deadline_extended, iso, rank_changed  # noqa: E402

RFQ = 1  # the shaped messages name an RFQ as Quayside's do; the bare server has one


def replay_schedule(records: list[dict], bid_seqs: dict[int, int], extending: set[int]) -> list[list]:
    """The Quayside run's bids as the bare run replays them, by send time: [sent (epoch),
    client index, accepted?, the clients that got a rank_changed for it, did it extend the
    deadline?]. `bid_seqs`: accepted bid id → its audit seq (the seq its ranks name);
    `extending`: the ids of the bids that triggered an extension."""
    ranked: dict[int, list[int]] = {}
    for record in records:
        for seq in record.get("ranks", ()):
            ranked.setdefault(seq, []).append(record["i"])
    schedule = []
    for record in records:
        for sent, _, status, bid_id, _ in record["bids"]:
            seq = bid_seqs.get(bid_id) if status == 201 else None
            schedule.append([sent, record["i"], status == 201, sorted(ranked.get(seq, ())) if seq else [],
                             bid_id in extending])
    return sorted(schedule)


def shaped(seq: int, sent: float) -> tuple[str, str, str]:
    """The bid's `bid_placed` (with its send time), `deadline_extended` and the encoded common
    part of its `rank_changed`, shaped as a supplier's copies from Quayside (live/shapes.py)."""
    at = iso(datetime.fromtimestamp(sent, UTC))
    placed = {**bid_placed(seq, seq - 1, RFQ, at, f"{1_000_000 - seq * 0.01:.2f}", seq), "sent": sent}
    # Outside the bid_placed chain the clients count (its seq would break it): a seq-less copy.
    extended = {**deadline_extended(0, seq, RFQ, at, at, 1, 2), "seq": None}
    return json.dumps(placed), json.dumps(extended), json.dumps(rank_changed(seq, RFQ, at))[:-1]


def serve_forever(port: int, same_messages: bool) -> None:
    clients: set = set()
    by_index: dict[int, object] = {}
    seq = itertools.count(1)

    def deliver(message: dict) -> None:
        n, sent = next(seq), time.time()
        if not same_messages:
            broadcast(clients, json.dumps({"type": "bid_placed", "seq": n, "prev_seq": n - 1, "sent": sent}))
            return
        placed, extended, rank = shaped(n, sent)
        broadcast(clients, placed)
        if message.get("extends"):
            broadcast(clients, extended)
        for place, i in enumerate(message.get("ranks", ())):
            if i in by_index:
                broadcast([by_index[i]], f'{rank},"your_rank":{place + 2}}}')

    async def handler(socket):
        index = socket.request.path.strip("/")
        clients.add(socket)
        if index.isdigit():
            by_index[int(index)] = socket
        await socket.send(json.dumps({"type": "state", "seq": 0}))
        try:
            async for raw in socket:
                message = json.loads(raw)
                if message.get("type") == "bid":
                    if message.get("broadcast"):
                        deliver(message)
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
        self.i, self.url = i, f"{url.rstrip('/')}/{i}"
        self.seqs: list[int] = []
        self.latencies: list[float] = []
        self.bids: list[list] = []
        self.acks: dict[int, asyncio.Future] = {}
        self.counter = itertools.count()
        self.ready = asyncio.Event()
        self.stopped = asyncio.Event()
        self.socket = None
        self.error: str | None = None
        self.private = 0

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
            elif message.get("private"):
                self.private += 1

    async def bid_at(self, at: float, broadcast_it: bool, ranks: list[int], extends: bool) -> None:
        await asyncio.sleep(max(0.0, at - time.time()))
        if self.socket is None:
            return
        n = next(self.counter)
        ack = self.acks[n] = asyncio.get_running_loop().create_future()
        sent = time.time()
        # The same-messages replay's extras only when there are some: the bids-only baseline's
        # messages stay as they always were, so its figures compare across sessions.
        extras = {**({"ranks": ranks} if ranks else {}), **({"extends": True} if extends else {})}
        await self.socket.send(json.dumps({"type": "bid", "n": n, "broadcast": broadcast_it, **extras}))
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
                "connections": 1, "failures": 0, "duplicates": 0, "private": self.private}


if __name__ == "__main__":
    serve_forever(int(sys.argv[1]), "--same-messages" in sys.argv[2:])
