#!/usr/bin/env python
"""Live fan-out: N WebSocket subscribers on one reverse auction while bids arrive at a fixed rate.

    .venv/bin/python bench/fanout.py                       # 100, 500 and 1000 subscribers
    .venv/bin/python bench/fanout.py --sizes 500 --seconds 20

For each size, in one run (bench/README.md has the details and the figures):

1. The project: one Uvicorn process serving `/ws/` (the ASGI tier of the README's
   production layout) and one Gunicorn worker taking the bids (the HTTP tier), on the Redis
   pub/sub channel layer, PostgreSQL, DEBUG off. N subscriber connections (suppliers taking
   part, token header) are opened in batches and each reads its `state`; then bids are placed
   through `POST /bids/` at `--rate` per second for `--seconds`, by other suppliers.
2. Every subscriber records each `bid_placed` it receives (seq, arrival time). Loss: the
   live events the database holds for the window that a subscriber never received.
   Latency: arrival − the event's `at` (stamped inside the bid transaction, just before
   commit; one clock, one machine).
3. The same with a bare `websockets` broadcast server (no Django, no Redis, no database):
   one process, `websockets.broadcast` of a message carrying its seq and send time, at the
   same rate to the same number of connections. The floor to compare with.

Prints per size: messages expected, lost, p50/p99 latency, server RSS and CPU for both.
Exit status 1 if any message was lost (the zero-loss target is a correctness claim); speed
targets are reported, not failed.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from harness.client import request_once
from harness.machine import code_revision, machine_info
from harness.metrics import tree_stats
from harness.servers import die_with_parent, free_port, start_process, stop_processes, wait_http
from harness.setup import PG_ADMIN_URL, VENV_BIN, SetupError, prepare
from harness.stats import percentile
from harness.world import DECREMENT, STARTING_PRICE, create_world

TARGET_P99_FACTOR = 2.0
LADDER = 0


@dataclass
class Subscriber:
    received: dict[int, float] = field(default_factory=dict)  # seq → arrival (epoch seconds)
    latencies: list[float] = field(default_factory=list)
    start_seq: int = 0
    closed: str | None = None


async def subscribe(url: str, headers: dict, sub: Subscriber, ready: asyncio.Event, stop: asyncio.Event,
                    kind: str):
    from websockets.asyncio.client import connect

    try:
        async with connect(url, additional_headers=headers, open_timeout=60, ping_interval=None,
                           max_queue=None) as socket:
            first = json.loads(await socket.recv())
            if kind == "project":
                assert first["type"] == "state", first
                sub.start_seq = first["seq"]
            ready.set()
            while not stop.is_set():
                try:
                    raw = await asyncio.wait_for(socket.recv(), timeout=0.5)
                except TimeoutError:
                    continue
                now = time.time()
                body = json.loads(raw)
                if body.get("type") == "bid_placed" and not body.get("private"):
                    sub.received[body["seq"]] = now
                    sent = body.get("sent") or parse_iso(body["at"])
                    sub.latencies.append(now - sent)
    except Exception as exc:  # noqa: BLE001 - recorded, reported as a failed subscriber
        sub.closed = f"{type(exc).__name__}: {exc}"
        ready.set()


def parse_iso(text: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


async def open_subscribers(n: int, url_for, headers_for, kind: str, batch: int = 50):
    subs = [Subscriber() for _ in range(n)]
    stop = asyncio.Event()
    tasks = []
    for start in range(0, n, batch):
        events = []
        for i in range(start, min(n, start + batch)):
            ready = asyncio.Event()
            events.append(ready)
            tasks.append(asyncio.create_task(subscribe(url_for(i), headers_for(i), subs[i], ready, stop, kind)))
        await asyncio.wait_for(asyncio.gather(*(e.wait() for e in events)), timeout=120)
    return subs, tasks, stop


async def bid_at_rate(port: int, rfq_id: int, tokens: list[str], rate: float, seconds: float) -> dict:
    """Bids through the real bid path at `rate` per second (descending ladder, one decrement apart)."""
    def post(token: str, amount: Decimal) -> int:
        return request_once(port, "POST", f"/api/v1/rfqs/{rfq_id}/bids/", token, {"amount": f"{amount:.2f}"},
                            timeout=30)[0]

    statuses: dict[int, int] = {}
    start, n = time.monotonic(), 0
    global LADDER
    loop = asyncio.get_running_loop()
    pending = []
    while time.monotonic() - start < seconds:
        due = start + n / rate
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        LADDER += 1  # one descending ladder across sizes: every bid beats the one before
        amount = STARTING_PRICE - LADDER * DECREMENT * 10
        pending.append(loop.run_in_executor(None, post, tokens[n % len(tokens)], amount))
        n += 1
    for status in await asyncio.gather(*pending):
        statuses[status] = statuses.get(status, 0) + 1
    return {"sent": n, "statuses": statuses, "seconds": time.monotonic() - start}


BARE_SERVER = textwrap.dedent('''
    import asyncio, json, sys, time
    from websockets.asyncio.server import serve, broadcast

    clients = set()

    async def handler(socket):
        clients.add(socket)
        await socket.send(json.dumps({"type": "hello"}))
        try:
            await socket.wait_closed()
        finally:
            clients.discard(socket)

    async def main(port, rate, expected):
        async with serve(handler, "127.0.0.1", port, ping_interval=None, max_queue=None):
            print("ready", flush=True)
            await asyncio.to_thread(sys.stdin.readline)       # "go"
            seq, start = 0, time.monotonic()
            while seq < expected:
                seq += 1
                await asyncio.sleep(max(0.0, start + seq / rate - time.monotonic()))
                broadcast(clients, json.dumps({"type": "bid_placed", "seq": seq, "sent": time.time()}))
            await asyncio.to_thread(sys.stdin.readline)       # "stop"

    asyncio.run(main(int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])))
''')


def summarise(subs: list[Subscriber], expected: set[int]) -> dict:
    lost = 0
    latencies = []
    failed = sum(1 for s in subs if s.closed)
    for sub in subs:
        want = {seq for seq in expected if seq > sub.start_seq}
        lost += len(want - set(sub.received))
        latencies += sub.latencies
    return {"expected": len(expected) * len(subs), "lost": lost, "failed": failed,
            "p50_ms": percentile(latencies, 50) * 1000, "p99_ms": percentile(latencies, 99) * 1000}


async def run_project(args, world, ws_port: int, http_port: int, ws_pid: int, n: int) -> dict:
    from asgiref.sync import sync_to_async

    from audit.models import AuditEvent, rfq_stream

    subscriber_tokens, bidder_tokens = world.tokens[:args.identities], world.tokens[args.identities:]
    subs, tasks, stop = await open_subscribers(
        n, lambda i: f"ws://127.0.0.1:{ws_port}/ws/rfqs/{world.rfq_id}/",
        lambda i: {"Authorization": f"Token {subscriber_tokens[i % len(subscriber_tokens)]}"}, "project")
    cpu_before, _ = tree_stats(ws_pid)
    t0 = time.time()
    bids = await bid_at_rate(http_port, world.rfq_id, bidder_tokens, args.rate, args.seconds)
    await asyncio.sleep(args.drain)
    cpu_after, rss = tree_stats(ws_pid)
    stop.set()
    await asyncio.gather(*tasks)
    start_seq = min(s.start_seq for s in subs)
    expected = set(await sync_to_async(lambda: list(AuditEvent.objects.filter(
        stream=rfq_stream(world.rfq_id), type="bid.placed", seq__gt=start_seq, live_prev_seq__isnull=False,
        at__gte=_aware(t0 - 5)).values_list("seq", flat=True)))())
    result = summarise(subs, expected)
    result.update(bids=bids, rss_mib=rss, cpu_pct=(cpu_after - cpu_before) / (args.seconds + args.drain) * 100)
    return result


def _aware(epoch: float):
    from datetime import UTC, datetime

    return datetime.fromtimestamp(epoch, tz=UTC)


async def run_bare(args, n: int, expected: int, tmpdir: Path) -> dict:
    port = free_port()
    script = tmpdir / "bare_server.py"
    script.write_text(BARE_SERVER)
    proc = subprocess.Popen([sys.executable, str(script), str(port), str(args.rate), str(expected)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                            preexec_fn=die_with_parent)
    try:
        assert proc.stdout.readline().strip() == "ready"
        subs, tasks, stop = await open_subscribers(n, lambda i: f"ws://127.0.0.1:{port}/", lambda i: {}, "bare")
        cpu_before, _ = tree_stats(proc.pid)
        proc.stdin.write("go\n")
        proc.stdin.flush()
        await asyncio.sleep(expected / args.rate + args.drain)
        cpu_after, rss = tree_stats(proc.pid)
        stop.set()
        await asyncio.gather(*tasks)
        result = summarise(subs, set(range(1, expected + 1)))
        result.update(rss_mib=rss, cpu_pct=(cpu_after - cpu_before) / (expected / args.rate + args.drain) * 100)
        return result
    finally:
        proc.stdin.write("stop\n") if proc.poll() is None else None
        proc.terminate()
        proc.wait(timeout=10)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100,500,1000", help="subscriber counts, comma-separated")
    parser.add_argument("--rate", type=float, default=20.0, help="bids per second")
    parser.add_argument("--seconds", type=float, default=15.0, help="bidding time per size")
    parser.add_argument("--drain", type=float, default=3.0, help="seconds to wait for stragglers after the last bid")
    parser.add_argument("--identities", type=int, default=50,
                        help="supplier accounts the subscribers connect as (connections share them)")
    parser.add_argument("--bidders", type=int, default=40, help="suppliers placing the bids (60 bids/min each)")
    parser.add_argument("--db", default="quayside_fanout")
    parser.add_argument("--pg-url", default=PG_ADMIN_URL)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--conn-max-age", type=int, default=None, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


async def main_async(args, world, env, tmpdir: Path) -> int:
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    ws_port, http_port = free_port(), free_port()
    ws = start_process([str(VENV_BIN / "uvicorn"), "--port", str(ws_port), "--no-access-log", "--ws", "websockets-sansio",
                "config.asgi:application"], env, tmpdir / "uvicorn.log")
    http = start_process([str(VENV_BIN / "gunicorn"), "--bind", f"127.0.0.1:{http_port}", "--workers", "1",
                  "config.wsgi:application"], env, tmpdir / "gunicorn.log")
    rows, lost_any = [], False
    try:
        wait_http(ws_port)
        wait_http(http_port)
        for n in sizes:
            print(f"[run] {n} subscribers, {args.rate:g} bids/s for {args.seconds:g} s", flush=True)
            project = await run_project(args, world, ws_port, http_port, ws.pid, n)
            print(f"[bare] {n} subscribers, websockets.broadcast", flush=True)
            bare = await run_bare(args, n, project["bids"]["sent"], tmpdir)
            rows.append((n, project, bare))
            lost_any |= project["lost"] > 0 or project["failed"] > 0
    finally:
        stop_processes([ws, http])
    print(report(args, rows))
    return 1 if lost_any else 0


def report(args, rows) -> str:
    lines = ["=" * 100, "Quayside live fan-out: one auction, N subscribers, bids through the real bid path", "=" * 100,
             "machine   {nproc} cores ({cpu}), {memory_gib} GiB, Linux {kernel}, Python {python}".format(
                 **{"memory_gib": "?", **machine_info()}),
             f"code      {code_revision()}",
             f"project   1 × uvicorn (/ws/), 1 × gunicorn (bids), channels_redis pub/sub layer, {args.redis_url}",
             f"load      {args.rate:g} bids/s for {args.seconds:g} s per size, {args.drain:g} s drain", "",
             f"{'subs':>6} | {'server':<9} | {'bids 201':>8} | {'messages':>9} | {'lost':>5} | {'failed':>6} | "
             f"{'p50 ms':>7} | {'p99 ms':>7} | {'RSS MiB':>7} | {'CPU %':>6}"]
    for n, project, bare in rows:
        for name, r in (("quayside", project), ("bare ws", bare)):
            accepted = r.get("bids", {}).get("statuses", {}).get(201, "")
            lines.append(f"{n:>6} | {name:<9} | {accepted!s:>8} | {r['expected']:>9} | {r['lost']:>5} | "
                         f"{r['failed']:>6} | {r['p50_ms']:>7.1f} | {r['p99_ms']:>7.1f} | {r['rss_mib']:>7.1f} | "
                         f"{r['cpu_pct']:>6.1f}")
    lines.append("")
    for n, project, bare in rows:
        ratio = project["p99_ms"] / bare["p99_ms"] if bare["p99_ms"] else float("inf")
        lines.append(f"{n:>6} subscribers: loss {project['lost']} (target 0: {'met' if project['lost'] == 0 else 'MISSED'})"
                     f"; p99 {project['p99_ms']:.1f} ms = {ratio:.1f}× bare"
                     + (f" (target ≤ {TARGET_P99_FACTOR:g}× at 500: {'met' if ratio <= TARGET_P99_FACTOR else 'MISSED'})"
                        if n == 500 else ""))
    return "\n".join(line for line in lines if line is not None)


def main(argv=None) -> int:
    args = parse_args(argv)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    tmpdir = Path(tempfile.mkdtemp(prefix="quayside-fanout-"))
    try:
        env = prepare(args, tmpdir, say=lambda message: print(message, flush=True))
        world = create_world(args.identities + args.bidders)
        from django.db import connections

        connections.close_all()
        return asyncio.run(main_async(args, world, env, tmpdir))
    except SetupError as exc:
        print(f"bench could not run: {exc}", file=sys.stderr)
        return 2
    finally:
        print(f"[logs] {tmpdir}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
