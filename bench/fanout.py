#!/usr/bin/env python
"""Live fan-out: N WebSocket subscribers on one reverse auction while bids arrive at a fixed rate.

    .venv/bin/python bench/fanout.py                       # 100, 500 and 1000 subscribers
    .venv/bin/python bench/fanout.py --sizes 2000 --ws-workers 2
    .venv/bin/python bench/fanout.py --sizes 1000 --py-spy /path/to/py-spy

For each size, in one run (bench/README.md has the details and the figures):

1. The project: `--ws-workers` Uvicorn processes serving `/ws/` (the ASGI tier of the
   README's production layout, per-message deflate off as deployed) and one Gunicorn worker
   taking the bids (the HTTP tier), Redis pub/sub, PostgreSQL, DEBUG off. N subscriber
   connections (suppliers taking part, token header), spread over `--client-procs` client
   processes (harness/subscribers.py), each reads its `state`; then bids are placed through
   `POST /bids/` at `--rate` per second for `--seconds`, by other suppliers.
2. Every subscriber follows the chain as api.md asks: on a `prev_seq` gap or the server's
   `resync` it sends `resume` and counts what the replay recovers. Afterwards each one's
   accepted `bid_placed` seqs are checked against the live events the database holds for the
   window: each exactly once (lost, duplicated, unexpected). Latency: arrival − the event's
   `at` (stamped inside the bid transaction, just before commit; one clock, one machine);
   "first" is each event's earliest arrival, the delay before fan-out starts.
3. The same with a bare `websockets` broadcast server (no Django, no Redis, no database):
   one process, `websockets.broadcast` to the same number of connections, read by the same
   client processes, of a message carrying its seq and send time, padded to the size of the
   project's `bid_placed` messages, at the moments the project's bids committed (their `at`,
   replayed from the first): the same events at the same times, with nothing behind them.
   The floor to compare with.

Prints per size: messages expected, lost, p50/p99 latency, server RSS and CPU, resyncs,
resumes and events recovered for both. Exit status 1 if any message was lost, duplicated or
unexpected, or a subscriber failed (a correctness claim); speed targets are reported, not
failed.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import textwrap
import time
from decimal import Decimal
from pathlib import Path

from harness.client import request_once
from harness.machine import code_revision, machine_info
from harness.metrics import descendants, tree_stats
from harness.pyspy import finish_py_spy, start_py_spy
from harness.runner import run_main
from harness.servers import die_with_parent, free_port, start_process, stop_processes, wait_http
from harness.setup import PG_ADMIN_URL, VENV_BIN, SetupError, prepare
from harness.stats import percentile
from harness.subscribers import verify
from harness.world import DECREMENT, STARTING_PRICE, create_world

SUBSCRIBERS = Path(__file__).resolve().parent / "harness" / "subscribers.py"
TARGET_P99_FACTOR = 2.0
LADDER = 0


class Crowd:
    """N subscribers spread over `procs` client processes (harness/subscribers.py)."""

    def __init__(self, n: int, procs: int, url: str, headers: list[dict], kind: str, tmpdir: Path):
        self.procs, self.outs = [], []
        shares = [n // procs + (1 if k < n % procs else 0) for k in range(procs)]
        offset = 0
        for k, share in enumerate(s for s in shares if s):
            out = tmpdir / f"subs-{kind}-{n}-{k}.json"
            proc = subprocess.Popen([sys.executable, str(SUBSCRIBERS), str(out)], stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, text=True, preexec_fn=die_with_parent)
            mine = [headers[(offset + i) % len(headers)] for i in range(share)] if headers else []
            proc.stdin.write(json.dumps({"url": url, "headers": mine, "kind": kind, "count": share,
                                         "batch": 25}) + "\n")
            proc.stdin.flush()
            self.procs.append(proc)
            self.outs.append(out)
            offset += share

    async def ready(self) -> None:
        for proc in self.procs:
            line = await asyncio.to_thread(proc.stdout.readline)
            if line.strip() != "ready":
                raise SetupError(f"a subscriber process failed to connect (exit {proc.poll()})")

    async def finish(self) -> list[dict]:
        for proc in self.procs:
            proc.stdin.write("stop\n")
            proc.stdin.flush()
        for proc in self.procs:
            await asyncio.to_thread(proc.wait, 120)
        return [sub for out in self.outs for sub in json.loads(out.read_text())]


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

    def message(seq, size):
        body = {"type": "bid_placed", "seq": seq, "prev_seq": seq - 1, "sent": time.time(), "pad": ""}
        text = json.dumps(body)
        body["pad"] = "x" * max(0, size - len(text))
        return json.dumps(body)

    async def main(port, schedule, deflate):
        offsets, size = schedule["offsets"], schedule["bytes"]
        async with serve(handler, "127.0.0.1", port, ping_interval=None, max_queue=None,
                         compression=deflate or None):
            print("ready", flush=True)
            await asyncio.to_thread(sys.stdin.readline)       # "go"
            start = time.monotonic()
            for seq, offset in enumerate(offsets, start=1):
                await asyncio.sleep(max(0.0, start + offset - time.monotonic()))
                broadcast(clients, message(seq, size))
            await asyncio.to_thread(sys.stdin.readline)       # "stop"

    # argv: port, the schedule's JSON file ({"offsets": [s, ...], "bytes": n}), "deflate" or ""
    asyncio.run(main(int(sys.argv[1]), json.load(open(sys.argv[2])), sys.argv[3]))
''')


def summarise(subs: list[dict], expected: set[int]) -> dict:
    """Loss and latency over every subscriber; what was recovered by resume."""
    totals = {"lost": 0, "duplicated": 0, "unexpected": 0}
    latencies, failed, first = [], 0, {}
    for sub in subs:
        for seq, latency in zip(sub["bid_seqs"], sub["latencies"], strict=True):
            first[seq] = min(latency, first.get(seq, latency))
        failed += bool(sub["closed"]) or sub["start_seq"] is None
        for key, value in verify(sub["bid_seqs"], expected, sub["start_seq"] or 0).items():
            totals[key] += value
        latencies += sub["latencies"]
    recovered = [sub["recovered"] for sub in subs]
    return {"expected": sum(len([s for s in expected if s > (sub["start_seq"] or 0)]) for sub in subs),
            **totals, "failed": failed, "p50_ms": percentile(latencies, 50) * 1000,
            "p99_ms": percentile(latencies, 99) * 1000, "recovered": sum(recovered),
            # Each event's earliest arrival: the delay before fan-out starts (bid path, Redis, hub).
            "first_p50_ms": percentile(list(first.values()), 50) * 1000,
            "first_p99_ms": percentile(list(first.values()), 99) * 1000,
            "recovered_max": max(recovered, default=0), "resumed_clients": sum(1 for r in recovered if r),
            "resyncs": sum(sub["resyncs"] for sub in subs), "resumes": sum(sub["resumes"] for sub in subs),
            "first_closed": next((sub["closed"] for sub in subs if sub["closed"]), None)}


async def run_project(args, world, ports: tuple[int, int], ws_pid: int, n: int, tmpdir: Path) -> dict:
    from asgiref.sync import sync_to_async

    from audit.models import AuditEvent, rfq_stream

    ws_port, http_port = ports
    subscriber_tokens, bidder_tokens = world.tokens[:args.identities], world.tokens[args.identities:]
    crowd = Crowd(n, args.client_procs, f"ws://127.0.0.1:{ws_port}/ws/rfqs/{world.rfq_id}/",
                  [{"Authorization": f"Token {token}"} for token in subscriber_tokens], "project", tmpdir)
    await crowd.ready()
    spies = start_py_spy(args.py_spy, int(args.seconds), descendants(ws_pid) or [ws_pid], tmpdir)  # the workers
    cpu_before, _ = tree_stats(ws_pid)
    t0 = time.time()
    bids = await bid_at_rate(http_port, world.rfq_id, bidder_tokens, args.rate, args.seconds)
    await asyncio.sleep(args.drain)
    cpu_after, rss = tree_stats(ws_pid)
    profile = finish_py_spy(spies)
    subs = await crowd.finish()
    start_seq = min((sub["start_seq"] or 0) for sub in subs)
    held = dict(await sync_to_async(lambda: list(AuditEvent.objects.filter(
        stream=rfq_stream(world.rfq_id), type="bid.placed", seq__gt=start_seq, live_prev_seq__isnull=False,
        at__gte=_aware(t0 - 5)).values_list("seq", "at")))())
    expected = set(held)
    result = summarise(subs, expected)
    # What the bare run replays: the accepted bids' commit moments and their messages' size.
    moments = [held[seq].timestamp() for seq in sorted(held)]
    sizes = sorted(sub["bid_bytes"] for sub in subs if sub["bid_bytes"])
    result["schedule"] = {"offsets": [moment - moments[0] for moment in moments],
                          "bytes": sizes[len(sizes) // 2] if sizes else 0}
    result.update(bids=bids, rss_mib=rss, cpu_pct=(cpu_after - cpu_before) / (args.seconds + args.drain) * 100,
                  profile=profile)
    return result


def _aware(epoch: float):
    from datetime import UTC, datetime

    return datetime.fromtimestamp(epoch, tz=UTC)


async def run_bare(args, n: int, schedule: dict, tmpdir: Path) -> dict:
    port = free_port()
    script, plan = tmpdir / "bare_server.py", tmpdir / f"bare-schedule-{n}.json"
    script.write_text(BARE_SERVER)
    plan.write_text(json.dumps(schedule))
    expected = len(schedule["offsets"])
    span = schedule["offsets"][-1] if expected else 0.0
    proc = subprocess.Popen([sys.executable, str(script), str(port), str(plan), "deflate" if args.ws_deflate else ""],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                            preexec_fn=die_with_parent)
    try:
        assert proc.stdout.readline().strip() == "ready"
        crowd = Crowd(n, args.client_procs, f"ws://127.0.0.1:{port}/", [], "bare", tmpdir)
        await crowd.ready()
        cpu_before, _ = tree_stats(proc.pid)
        proc.stdin.write("go\n")
        proc.stdin.flush()
        await asyncio.sleep(span + args.drain)
        cpu_after, rss = tree_stats(proc.pid)
        subs = await crowd.finish()
        result = summarise(subs, set(range(1, expected + 1)))
        result.update(rss_mib=rss, cpu_pct=(cpu_after - cpu_before) / (span + args.drain) * 100)
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
    parser.add_argument("--ws-workers", type=int, default=1,
                        help="Uvicorn processes serving /ws/ (uvicorn --workers; 2 for 2,000 subscribers)")
    parser.add_argument("--client-procs", type=int, default=4,
                        help="client processes the subscribers are spread over (both servers alike)")
    parser.add_argument("--ws-deflate", action="store_true",
                        help="per-message deflate on, in both servers (off by default, as the README deploys)")
    parser.add_argument("--py-spy", default=None, metavar="BINARY",
                        help="sample the /ws/ processes with this py-spy binary while bids arrive")
    parser.add_argument("--db", default="quayside_fanout")
    parser.add_argument("--pg-url", default=PG_ADMIN_URL)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--conn-max-age", type=int, default=None, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


async def main_async(args, world, env, tmpdir: Path) -> int:
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    ws_port, http_port = free_port(), free_port()
    ws = start_process([str(VENV_BIN / "uvicorn"), "--port", str(ws_port), "--workers", str(args.ws_workers),
                        "--no-access-log", "--http", "common.uvicorn_http:HttpToolsProtocol",
                        "--ws", "websockets-sansio", "--ws-per-message-deflate",
                        "true" if args.ws_deflate else "false", "config.asgi:application"], env, tmpdir / "uvicorn.log")
    http = start_process([str(VENV_BIN / "gunicorn"), "--bind", f"127.0.0.1:{http_port}", "--workers", "1",
                          "config.wsgi:application"], env, tmpdir / "gunicorn.log")
    rows, failed = [], False
    try:
        wait_http(ws_port)
        wait_http(http_port)
        for n in sizes:
            print(f"[run] {n} subscribers, {args.rate:g} bids/s for {args.seconds:g} s", flush=True)
            project = await run_project(args, world, (ws_port, http_port), ws.pid, n, tmpdir)
            print(f"[bare] {n} subscribers, websockets.broadcast of {len(project['schedule']['offsets'])} messages of "
                  f"{project['schedule']['bytes']} bytes at the project's commit moments", flush=True)
            bare = await run_bare(args, n, project["schedule"], tmpdir)
            rows.append((n, project, bare))
            failed |= any(project[key] for key in ("lost", "duplicated", "unexpected", "failed"))
    finally:
        stop_processes([ws, http])
    print(report(args, rows))
    return 1 if failed else 0


def report(args, rows) -> str:
    lines = ["=" * 100, "Quayside live fan-out: one auction, N subscribers, bids through the real bid path", "=" * 100,
             "machine   {nproc} cores ({cpu}), {memory_gib} GiB, Linux {kernel}, Python {python}".format(
                 **{"memory_gib": "?", **machine_info()}),
             f"code      {code_revision()}",
             f"project   {args.ws_workers} × uvicorn (/ws/, per-message deflate {'on' if args.ws_deflate else 'off'}), "
             f"1 × gunicorn (bids), "
             f"Redis pub/sub {args.redis_url}",
             f"load      {args.rate:g} bids/s for {args.seconds:g} s per size, {args.drain:g} s drain; "
             f"subscribers spread over {args.client_procs} client processes", "",
             f"{'subs':>6} | {'server':<9} | {'bids 201':>8} | {'messages':>9} | {'lost':>5} | {'failed':>6} | "
             f"{'p50 ms':>7} | {'p99 ms':>7} | {'RSS MiB':>7} | {'CPU %':>6} | {'resyncs':>7} | {'resumes':>7} | "
             f"{'recovered':>9} | {'first p50/p99 ms':>16}"]
    for n, project, bare in rows:
        for name, r in (("quayside", project), ("bare ws", bare)):
            accepted = r.get("bids", {}).get("statuses", {}).get(201, "")
            lines.append(f"{n:>6} | {name:<9} | {accepted!s:>8} | {r['expected']:>9} | {r['lost']:>5} | "
                         f"{r['failed']:>6} | {r['p50_ms']:>7.1f} | {r['p99_ms']:>7.1f} | {r['rss_mib']:>7.1f} | "
                         f"{r['cpu_pct']:>6.1f} | {r['resyncs']:>7} | {r['resumes']:>7} | {r['recovered']:>9} | "
                         f"{r['first_p50_ms']:>7.1f}/{r['first_p99_ms']:<7.1f}")
    lines.append("")
    for n, project, bare in rows:
        ratio = project["p99_ms"] / bare["p99_ms"] if bare["p99_ms"] else float("inf")
        lines.append(f"{n:>6} subscribers: loss {project['lost']}, duplicated {project['duplicated']}, unexpected "
                     f"{project['unexpected']} (target 0: {'met' if not project['lost'] + project['duplicated'] + project['unexpected'] else 'MISSED'})"
                     f"; p99 {project['p99_ms']:.1f} ms = {ratio:.1f}× bare (target ≤ {TARGET_P99_FACTOR:g}×: "
                     f"{'met' if ratio <= TARGET_P99_FACTOR else 'MISSED'}); recovered by resume: {project['recovered']} "
                     f"events by {project['resumed_clients']} clients (at most {project['recovered_max']} by one)"
                     + (f"; first failure: {project['first_closed']}" if project["first_closed"] else ""))
    for n, project, _ in rows:
        if project.get("profile"):
            lines += ["", f"py-spy, /ws/ processes at {n} subscribers:", project["profile"]]
    return "\n".join(line for line in lines if line is not None)


def main(argv=None) -> int:
    args = parse_args(argv)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    def run(tmpdir: Path, on_exit) -> int:
        env = prepare(args, tmpdir, say=lambda message: print(message, flush=True))
        world = create_world(args.identities + args.bidders)
        from django.db import connections

        connections.close_all()
        return asyncio.run(main_async(args, world, env, tmpdir))

    # The logs are always kept: the subscribers' files are what a closer look at a run needs.
    return run_main("quayside-fanout-", run, keep_logs=True)


if __name__ == "__main__":
    sys.exit(main())
