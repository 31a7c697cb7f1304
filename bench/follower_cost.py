#!/usr/bin/env python
"""CPU per received live message on the client side: a bare `websockets` receive loop, the
SDK's Follower, and live_auction.py's client (CountingFollower + LiveClient), against one local
`websockets` server that broadcasts Quayside-shaped messages (no Django, Redis or database).

    python bench/follower_cost.py [--connections 250] [--events 400] [--rate 40] [--modes bare,sdk,bench]
                                  [--repeat 1] [--profile sdk]

Per mode a fresh server process and a fresh client process (uvloop, as bench/live/loadgen.py):
the client opens N sockets, waits for every first `state`, then starts the server's broadcast
over a control socket and measures its own CPU (time.process_time) until every socket has the
closing event. The server sends, `--rate` times a second, one `bid_placed` (seq/prev_seq chain,
now and then a seq skipped as an audit event between live ones) to all, `rank_changed` to about
11 % of them (live_auction.py's ~54 per accepted bid among 500), and every 50 events a `state`
to all (a resume's answer). Prints the CPU µs per message; never asserts a figure.
`--profile MODE` runs that mode under cProfile (CPU clock) and prints the top functions.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import random
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH), str(BENCH.parent / "clients" / "python" / "src")]

from live.shapes import bid_placed, iso, rank_changed  # noqa: E402

RFQ = 42
RANK_SHARE = 54 / 500
STATE_EVERY = 50


# --- the server (its own process: only the client's CPU is measured) ----------------------------

def state_body(seq: int, bids: int, deadline: datetime) -> dict:
    """The /state/ object a supplier gets on connect and after a resume (auction_state)."""
    now = datetime.now(UTC)
    return {"type": "state", "rfq": RFQ, "status": "open", "bidding_deadline": iso(deadline),
            "original_deadline": iso(deadline), "extensions": 0, "seq": seq, "server_time": iso(now),
            "paused_at": None, "currency": "EUR", "auction_type": "REVERSE_AUCTION", "amendments": 0,
            "max_extensions": 10, "mode": "live", "amendments_to_acknowledge": [], "bid_count": bids,
            "leading_bid": f"{100000 - bids * 25:.2f}", "your_best": None, "your_rank": None,
            "minimum_next_bid": f"{100000 - bids * 25 - 25:.2f}"}


def serve(connections: int, events: int, rate: float, seed: int) -> None:
    from websockets.asyncio.server import broadcast
    from websockets.asyncio.server import serve as ws_serve

    rng = random.Random(seed)
    sockets: list = []
    go: list[asyncio.Future] = []  # made in the loop
    deadline = datetime.now(UTC) + timedelta(hours=1)
    head = {"seq": 0, "bids": 0}

    async def handler(socket):
        if socket.request.path == "/control":
            await socket.recv()
            go[0].set_result(socket)
            await socket.wait_closed()
            return
        sockets.append(socket)
        await socket.send(json.dumps(state_body(head["seq"], head["bids"], deadline), separators=(",", ":")))
        async for raw in socket:  # a ping is answered; a resume by the state (nothing is lost here)
            kind = json.loads(raw).get("type")
            if kind == "ping":
                await socket.send('{"type":"pong"}')
            elif kind == "resume":
                await socket.send(json.dumps(state_body(head["seq"], head["bids"], deadline), separators=(",", ":")))

    def send_all(body: dict, to: list) -> int:
        broadcast(to, json.dumps(body, separators=(",", ":")))
        return len(to)

    async def main() -> None:
        async with ws_serve(handler, "127.0.0.1", 0, ping_interval=None, max_queue=None, compression=None) as server:
            go.append(asyncio.get_running_loop().create_future())
            print(server.sockets[0].getsockname()[1], flush=True)
            control = await go[0]
            sent, seq = 0, 0
            for n in range(1, events + 2):
                prev, seq = seq, seq + rng.choice((1, 1, 1, 2))
                head.update(seq=seq, bids=n)
                at = iso(datetime.now(UTC))
                common = {"seq": seq, "prev_seq": prev, "rfq": RFQ, "at": at}
                if n > events:
                    sent += send_all({"type": "auction_closed", **common, "status": "closed",
                                      "bidding_deadline": iso(deadline), "leading_bid": f"{100000 - n * 25:.2f}",
                                      "bid_count": n}, sockets)
                    break
                sent += send_all(bid_placed(seq, prev, RFQ, at, f"{100000 - n * 25:.2f}", n), sockets)
                for socket in rng.sample(sockets, round(len(sockets) * RANK_SHARE)):
                    sent += send_all({**rank_changed(seq, RFQ, at), "your_rank": rng.randint(2, 40)}, [socket])
                if n % STATE_EVERY == 0:
                    sent += send_all(state_body(seq, n, deadline), sockets)
                await asyncio.sleep(1 / rate)
            await control.send(json.dumps({"sent": sent}))
            await control.wait_closed()

    import uvloop

    uvloop.run(main())


# --- the clients ---------------------------------------------------------------------------------

class Bare:
    """bench/live/bare.py's receive loop: json.loads and the seq, on a socket opened as it opens it."""

    def __init__(self, i: int, port: int):
        self.url, self.ready, self.done = f"ws://127.0.0.1:{port}/ws/rfqs/{RFQ}/", asyncio.Event(), False
        self.seqs: list[int] = []

    async def run(self) -> None:
        from websockets.asyncio.client import connect

        async with connect(self.url, ping_interval=None, max_queue=None, compression=None) as socket:
            async for raw in socket:
                now = time.time()
                message = json.loads(raw)
                kind = message.get("type")
                if kind == "state":
                    self.ready.set()
                elif kind == "auction_closed":
                    break
                elif not message.get("private"):
                    self.seqs.append(message["seq"])
                    self.arrived = now
        self.done = True


class Sdk:
    """The SDK's Follower, as an application uses it (`client.follow`), doing nothing with events."""

    def __init__(self, i: int, port: int):
        self.port, self.ready, self.done = port, asyncio.Event(), False

    async def run(self) -> None:
        from quayside_client import AsyncQuaysideClient, FollowOptions

        async with AsyncQuaysideClient("http://127.0.0.1:1", token="t", live_url=f"http://127.0.0.1:{self.port}") as c:
            async for _event in c.follow(RFQ, options=FollowOptions(transports=("websocket",)), stop_at_close=True):
                self.ready.set()
        self.done = True


class Bench:
    """live_auction.py's supplier, not bidding: its follower and its on_event bookkeeping."""

    def __init__(self, i: int, port: int):
        from live.client import LiveClient
        from live.plan import Role

        role = Role(i=i, token="t", bidder=False, react=0.0, sniper=False, opening_at=None, seed=i)
        self.client = LiveClient(role, http="http://127.0.0.1:1", ws=f"http://127.0.0.1:{port}", rfq_id=RFQ, burst=10)
        self.ready, self.done = self.client.ready, False

    async def run(self) -> None:
        await self.client.run(time.time() + 600)
        self.done = self.client.closed


MODES = {"bare": Bare, "sdk": Sdk, "bench": Bench}


async def measure(mode: str, port: int, connections: int) -> dict:
    from websockets.asyncio.client import connect

    clients = [MODES[mode](i, port) for i in range(connections)]
    tasks = []
    for first in range(0, connections, 50):
        tasks += [asyncio.ensure_future(c.run()) for c in clients[first:first + 50]]
        await asyncio.wait_for(asyncio.gather(*(c.ready.wait() for c in clients[first:first + 50])), 60)
    async with connect(f"ws://127.0.0.1:{port}/control", ping_interval=None) as control:
        cpu, wall = time.process_time(), time.monotonic()
        await control.send("go")
        await asyncio.gather(*tasks)
        cpu, wall = time.process_time() - cpu, time.monotonic() - wall
        sent = json.loads(await control.recv())["sent"]
    return {"mode": mode, "cpu": cpu, "wall": wall, "messages": sent, "finished": sum(c.done for c in clients)}


def client_main(mode: str, port: int, connections: int, profile: bool) -> None:
    import uvloop

    uvloop.install()
    if not profile:
        print(json.dumps(asyncio.run(measure(mode, port, connections))), flush=True)
        return
    import cProfile
    import pstats

    profiler = cProfile.Profile(time.process_time)
    result = profiler.runcall(asyncio.run, measure(mode, port, connections))
    print(json.dumps(result), flush=True)
    pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(int(__import__("os").environ.get("TOP", "30")))


def run_mode(args, mode: str, profile: bool = False) -> dict:
    me = [sys.executable, __file__]
    server = subprocess.Popen([*me, "--serve", str(args.connections), str(args.events), str(args.rate)],
                              stdout=subprocess.PIPE, text=True)
    try:
        port = int(server.stdout.readline())
        out = subprocess.run([*me, "--client", mode, str(port), str(args.connections)] + (["--profile", mode] if profile
                             else []), capture_output=True, text=True)
        if out.returncode:
            sys.exit(f"the {mode} client failed:\n{out.stderr}")
        if profile:
            print(out.stderr)
        return json.loads(out.stdout.splitlines()[-1])
    finally:
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:  # the client failed before the end: nobody will stop it
            server.kill()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", type=int, default=250)
    parser.add_argument("--events", type=int, default=400)
    parser.add_argument("--rate", type=float, default=40.0, help="events a second")
    parser.add_argument("--modes", default="bare,sdk,bench")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--profile", choices=list(MODES))
    parser.add_argument("--serve", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--client", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(int(args.serve[0]), int(args.serve[1]), float(args.serve[2]), seed=1)
        return 0
    if args.client:
        client_main(args.client[0], int(args.client[1]), int(args.client[2]), args.profile is not None)
        return 0
    if args.profile:
        run_mode(args, args.profile, profile=True)
        return 0
    results: dict[str, list[float]] = {}
    for _ in range(args.repeat):
        for mode in args.modes.split(","):
            r = run_mode(args, mode)
            per = r["cpu"] / r["messages"] * 1e6
            results.setdefault(mode, []).append(per)
            print(f"{mode:6} {r['messages']:7d} messages  {r['cpu']:6.2f} CPU s in {r['wall']:5.1f} s  "
                  f"{per:5.1f} µs/message  ({r['finished']}/{args.connections} to the close)", flush=True)
    base = min(results.get("bare", [0.0])) or None
    for mode, figures in results.items():
        ratio = f"  {min(figures) / base:.2f}× bare" if base else ""
        print(f"{mode:6} best {min(figures):5.1f} µs/message{ratio}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
