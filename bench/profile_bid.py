#!/usr/bin/env python
"""Where one bid request spends its time: queries, lock time, Python — in one process.

    .venv/bin/python bench/profile_bid.py --bids 300 --suppliers 128

Builds the same world as bid_throughput.py in its own scratch database (default
`quayside_bench_profile`, dropped and recreated), then sends bids one after another through
Django's test client (the full middleware + DRF + service stack, no server, no concurrency):
accepted bids (best − 0.05) and refused ones (at the best: minimum_decrement), plus
GET /state/. For each kind it prints wall time, number of SQL statements (before, inside and
after the bid transaction), time waiting on PostgreSQL, and a cProfile of the hot functions.
It shows cost per request without contention; bid_throughput.py shows it under load.

Last, the lock's span: the Python an accepted bid runs while it holds the auction row's lock
(from the lock's round trip returning to the writes' batch being sent), which sets the pace
of one auction under load (bench/README.md, thirteenth session). Timed without the query log
(which changes how the batches are sent), then profiled alone.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import re
import statistics
import sys
import time
from collections import Counter, defaultdict
from contextlib import nullcontext
from decimal import Decimal

from harness.client import USER_AGENT
from harness.setup import PG_ADMIN_URL
from harness.world import STARTING_PRICE, in_process_world


class QueryLog:
    """Every SQL statement with its duration and whether it ran inside a transaction."""

    def __init__(self, connection):
        self.connection = connection
        self.rows: list[tuple[str, float, bool]] = []

    def __call__(self, execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.rows.append((sql, time.perf_counter() - began, self.connection.in_atomic_block))


def shape(sql: str) -> str:
    """A statement's kind and main table, for the per-request breakdown."""
    sql = sql.strip()
    verb = sql.split(None, 1)[0].upper()
    table = re.search(r'(?:FROM|INTO|UPDATE)\s+"([a-z_]+)"', sql)
    suffix = " FOR UPDATE" if "FOR UPDATE" in sql or "FOR NO KEY UPDATE" in sql else ""
    return f"{verb} {table.group(1) if table else '?'}{suffix}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bids", type=int, default=300, help="accepted bids to place (and as many refused)")
    parser.add_argument("--suppliers", type=int, default=128, help="bench suppliers on the auction")
    parser.add_argument("--db", default="quayside_bench_profile")
    parser.add_argument("--pg-url", default=PG_ADMIN_URL)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--conn-max-age", type=int, default=None)
    parser.add_argument("--top", type=int, default=30, help="cProfile rows to print")
    args = parser.parse_args(argv)
    args.clients = 1
    with in_process_world(args, "quayside-profile-", args.suppliers) as world:
        return profile(args, world)


def connect_cost(connection, times: int = 20) -> list[float]:
    """Seconds to open a new PostgreSQL connection and run a first query (CONN_MAX_AGE=0 pays
    it on every request)."""
    out = []
    for _ in range(times):
        connection.close()
        began = time.perf_counter()
        connection.ensure_connection()
        connection.cursor().execute("SELECT 1")
        out.append(time.perf_counter() - began)
    return out


class LockSpan:
    """Times (and optionally profiles) an accepted bid's work under the auction row's lock, as
    auctions.services.bids does it: from its lock batch's results (common.db.run_batch) to the
    writes' batch being called (`python`: all Python, bar sending the writes) and to that batch
    returning after its COMMIT (`held`: the lock as the client sees it held)."""

    def __init__(self):
        from auctions.services import bids

        self.module, self.profiler, self.profiling = bids, cProfile.Profile(), False
        self.python: list[float] = []
        self.held: list[float] = []
        self.began: float | None = None
        self.run_batch = bids.run_batch

    def __enter__(self):
        def run_batch(statements, *, commit=False):
            if not commit:
                result = self.run_batch(statements, commit=commit)
                if self.profiling:
                    self.profiler.enable()
                self.began = time.perf_counter()
                return result
            began, self.began = self.began, None
            if began is not None:
                self.python.append(time.perf_counter() - began)
            try:
                return self.run_batch(statements, commit=commit)
            finally:
                if began is not None:
                    self.held.append(time.perf_counter() - began)
                    self.profiler.disable()

        self.module.run_batch = run_batch
        return self

    def __exit__(self, *exc):
        self.module.run_batch = self.run_batch


class Rounds:
    """The requests, one at a time: per kind, what each cost and which statements it ran."""

    expected = {"accepted": 201, "refused": 422, "state": 200}

    def __init__(self, client, world, connection):
        self.client, self.world, self.connection = client, world, connection
        self.bids_path = f"/api/v1/rfqs/{world.rfq_id}/bids/"
        self.state_path = f"/api/v1/rfqs/{world.rfq_id}/state/"
        self.results = defaultdict(list)
        self.shapes = defaultdict(Counter)
        self.profiler = cProfile.Profile()

    def run(self, i: int, mode: str, kind: str) -> bool:
        """One request; False (after printing why) when its status is not the expected one."""
        token = self.world.tokens[i % len(self.world.tokens)]
        auth = {"HTTP_AUTHORIZATION": f"Token {token}", "HTTP_USER_AGENT": USER_AGENT}
        if kind != "state":
            # The bid's own state read is not part of the measurement.
            best = Decimal(self.client.get(self.state_path, **auth).json()["leading_bid"] or STARTING_PRICE)
            amount = best - Decimal("0.05") if kind == "accepted" else best
        log = QueryLog(self.connection)
        with nullcontext() if mode in ("span", "span-profiled") else self.connection.execute_wrapper(log):
            if mode == "profiled":
                self.profiler.enable()
            began = time.perf_counter()
            if kind == "state":
                response = self.client.get(self.state_path, **auth)
            else:
                response = self.client.post(self.bids_path, {"amount": f"{amount:.2f}"},
                                            content_type="application/json", **auth)
            wall = time.perf_counter() - began
            self.profiler.disable()
        if response.status_code != self.expected[kind]:
            print(f"unexpected {response.status_code} for a {kind} request: {response.content[:300]!r}")
            return False
        if mode == "timed":
            self.record(kind, wall, log.rows)
        return True

    def record(self, kind: str, wall: float, rows: list[tuple[str, float, bool]]) -> None:
        in_tx = [r for r in rows if r[2]]
        self.results[kind].append({"wall": wall, "queries": len(rows), "in_tx": len(in_tx),
                                   "db": sum(r[1] for r in rows), "db_tx": sum(r[1] for r in in_tx)})
        for sql, _, inside in rows:
            self.shapes[kind][("tx " if inside else "   ") + shape(sql)] += 1


def profile(args, world) -> int:
    from django.db import connection
    from django.test import Client

    client = Client()
    # Each supplier bids at most 60 times a minute; spread the bids so the limit never refuses.
    if args.bids * 5 // 4 > 50 * len(world.tokens):
        args.bids = 50 * len(world.tokens) * 4 // 5
        print(f"capping --bids at {args.bids}: each supplier may bid 60 times a minute")
    # Warm up (imports, URL resolver, first connection); not measured.
    for n in range(3):
        client.get(f"/api/v1/rfqs/{world.rfq_id}/state/", HTTP_AUTHORIZATION=f"Token {world.tokens[n]}")
    connect_times = connect_cost(connection)

    rounds = Rounds(client, world, connection)
    # First pass timed without the profiler (it slows Python down); the last quarter of the
    # rounds runs again under cProfile for the function breakdown.
    plan = [("timed", kind) for _ in range(args.bids) for kind in ("accepted", "refused", "state")]
    plan += [("profiled", kind) for _ in range(max(1, args.bids // 4)) for kind in ("accepted", "refused", "state")]
    for i, (mode, kind) in enumerate(plan):
        if not rounds.run(i, mode, kind):
            return 1
    print_report(args, world, connection, connect_times, rounds)
    with LockSpan() as span:
        for i in range(args.bids):
            if not rounds.run(i, "span", "accepted"):
                return 1
        python, held = list(span.python), list(span.held)
        span.profiling = True
        for i in range(max(1, args.bids // 4)):
            if not rounds.run(i, "span-profiled", "accepted"):
                return 1
    print_span(args, python, held, span.profiler)
    return 0


def print_span(args, python: list[float], held: list[float], profiler: cProfile.Profile) -> None:
    def figures(values: list[float]) -> str:
        ordered = sorted(values)
        return (f"mean {statistics.fmean(values) * 1e6:.0f} µs, p50 {ordered[len(ordered) // 2] * 1e6:.0f} µs, "
                f"p90 {ordered[len(ordered) * 9 // 10] * 1e6:.0f} µs")

    print("=" * 78)
    print(f"Accepted bids under the auction row's lock (n={len(python)}, no query log), from the lock's results:")
    print(f"  Python until the writes are sent: {figures(python)}")
    print(f"  until their COMMIT returns:       {figures(held)}")
    print("=" * 78)
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(args.top)
        print(out.getvalue()[:20000])


def print_report(args, world, connection, connect_times: list[float], rounds: Rounds) -> None:
    print("=" * 78)
    print(f"One request at a time through Django's test client; {len(world.tokens)} suppliers on the auction, "
          f"CONN_MAX_AGE={connection.settings_dict.get('CONN_MAX_AGE')}")
    print(f"new PostgreSQL connection (connect + first query): mean {statistics.fmean(connect_times) * 1000:.2f} ms")
    print("=" * 78)
    for kind in ("accepted", "refused", "state"):
        rows = rounds.results[kind]
        mean = {k: statistics.fmean(r[k] for r in rows) for k in rows[0]}
        print(f"{kind:<9s} n={len(rows)}  wall {mean['wall'] * 1000:6.2f} ms  SQL statements {mean['queries']:5.1f} "
              f"(inside the transaction {mean['in_tx']:4.1f})  time in SQL {mean['db'] * 1000:5.2f} ms "
              f"(inside {mean['db_tx'] * 1000:5.2f})  → Python {(mean['wall'] - mean['db']) * 1000:5.2f} ms")
        for name, count in rounds.shapes[kind].most_common():
            print(f"      {count / len(rows):6.1f} × {name}")
    for order in ("cumulative", "tottime"):  # by time including callees, then by own time
        out = io.StringIO()
        pstats.Stats(rounds.profiler, stream=out).sort_stats(order).print_stats(args.top)
        print(out.getvalue()[:20000])


if __name__ == "__main__":
    sys.exit(main())
