#!/usr/bin/env python
"""A soak: bench/live_auction.py's auction again and again on the same servers, so that a leak
shows as a slope.

    .venv/bin/python bench/soak.py                                  # 30 minutes of 500-client auctions
    .venv/bin/python bench/soak.py --minutes 240                     # the ADR's 4 h (a real deployment)
    .venv/bin/python bench/soak.py --cycles 3 --clients 200 --seconds 40 --burst 10   # a short check

One setup (the scratch database `quayside_soak`, Redis database 15, the suppliers, Gunicorn,
Uvicorn, the Celery worker and beat), then cycles until `--minutes` have passed (or `--cycles`
ran): each a new auction followed and bid on by every client to its close, checked like
live_auction.py's (no event lost, the invariants, no 5xx). After each cycle it prints every
server process's RSS and established TCP connections once the clients have gone, and the
cycle's latencies; at the end the slope of each over the cycles (per cycle and per hour).
A process that grows cycle after cycle, or keeps connections its clients closed, leaks.

Exit status 1 if any cycle lost an event or broke an invariant, 2 if it could not be set up.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

from harness.machine import code_revision, machine_info
from harness.runner import run_main
from harness.stats import slope
from live.cycle import run_cycle
from live.report import p50_p99
from live.stack import Stack
from live_auction import check_args, parse_args, raise_file_limit, say


def cycle_line(cycle, elapsed: float) -> str:
    s = cycle.summary
    b50, b99 = p50_p99(s["bid_latency"])
    d50, d99 = p50_p99(s["delivery"])
    return (f"cycle {cycle.n:>3} at {elapsed / 60:5.1f} min | bids 201 {s['bid_statuses'].get(201, 0):>5} | "
            f"bid p50/p99 {b50:6.1f}/{b99:7.1f} ms | delivery p50/p99 {d50:6.1f}/{d99:7.1f} ms | "
            f"lost {cycle.lost['lost']} | recovered {s['recovered']} | resumes {s['resumes']} | "
            f"violations {len(cycle.problems)} | machine busy {cycle.timings.get('machine_busy', 0):.0%}")


def process_lines(cycle) -> list[str]:
    return [f"    {name:18} pid {now['pid']:>7} | RSS {now['rss']:7.1f} MiB (connected {cycle.during.get(name, {}).get('rss', float('nan')):7.1f}) "
            f"| TCP conns {now['conns']:>4} (connected {cycle.during.get(name, {}).get('conns', 0):>4})"
            for name, now in cycle.after.items()]


def slopes(cycles: list, hours: list[float]) -> list[str]:
    """Per process: RSS and connections after each cycle, their slope per cycle and per hour."""
    xs = [float(c.n) for c in cycles]
    lines = [f"{'process':18} | {'RSS MiB after each cycle':>30} | {'MiB/cycle':>9} | {'MiB/hour':>8} | "
             f"{'conns after each cycle':>24} | {'conns/cycle':>11}"]
    for name in cycles[0].after:
        rss = [c.after.get(name, {}).get("rss", float("nan")) for c in cycles]
        conns = [float(c.after.get(name, {}).get("conns", 0)) for c in cycles]
        pids = {c.after.get(name, {}).get("pid") for c in cycles}
        note = "" if len(pids) == 1 else f"  (replaced: pids {sorted(p for p in pids if p)})"
        lines.append(f"{name:18} | {' '.join(f'{x:.0f}' for x in rss):>30} | {slope(xs, rss):9.2f} | "
                     f"{slope(hours, rss):8.1f} | {' '.join(f'{x:.0f}' for x in conns):>24} | "
                     f"{slope(xs, conns):11.2f}{note}")
    for label, key in (("bid p99 ms", "bid_latency"), ("delivery p99 ms", "delivery")):
        ys = [p50_p99(c.summary[key])[1] for c in cycles]
        lines.append(f"{label:18} | {' '.join(f'{y:.0f}' for y in ys):>30} | {slope(xs, ys):9.2f} (ms per cycle)")
    return lines


def soak(args, stack: Stack) -> int:
    began, offsets, cycles, hours = time.monotonic(), {}, [], []
    while True:
        n = len(cycles) + 1
        cycle = run_cycle(stack, args, n, say, offsets)
        cycles.append(cycle)
        hours.append((time.monotonic() - began) / 3600)
        say(cycle_line(cycle, time.monotonic() - began))
        for line in process_lines(cycle) + [f"    ! {p}" for p in cycle.problems]:
            say(line)
        if (args.cycles and n >= args.cycles) or time.monotonic() - began >= args.minutes * 60:
            break
    info = {"memory_gib": "?", **machine_info()}
    print("\n".join(["=" * 100, f"Soak: {len(cycles)} cycles of {args.clients} clients in "
                     f"{(time.monotonic() - began) / 60:.1f} min; machine {info['nproc']} cores ({info['cpu']}), "
                     f"code {code_revision()}", "=" * 100, *slopes(cycles, hours)]))
    bad = sum(1 for c in cycles if c.problems)
    print(f"cycles with violations or losses: {bad} of {len(cycles)}")
    return 1 if bad else 0


def main(argv=None) -> int:
    parser = parse_args(db="quayside_soak", redis_db=15)
    parser.description = __doc__.split("\n\n")[0]
    parser.add_argument("--minutes", type=float, default=30.0, help="cycles until this much time has passed")
    parser.add_argument("--cycles", type=int, default=0, help="stop after this many cycles (0: by --minutes)")
    args = check_args(parser, argv)
    raise_file_limit()

    def run(tmpdir: Path, on_exit) -> int:
        stack = Stack(args, tmpdir, say)
        on_exit(stack.stop)
        stack.start()
        return soak(args, stack)

    return run_main("quayside-soak-", run, keep_logs=args.keep_logs, what="soak")


if __name__ == "__main__":
    sys.exit(main())
