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
"""
from __future__ import annotations

import argparse
import cProfile
import io
import logging
import pstats
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bid_throughput as bench  # noqa: E402


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
    parser.add_argument("--pg-url", default=bench.PG_ADMIN_URL)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--conn-max-age", type=int, default=None)
    parser.add_argument("--top", type=int, default=30, help="cProfile rows to print")
    args = parser.parse_args(argv)
    args.clients = 1
    tmpdir = Path(tempfile.mkdtemp(prefix="quayside-profile-"))
    try:
        bench.hold_database_lock(args.db)
        env = bench.bench_env(args, tmpdir)
        bench.recreate_database(args)
        bench.manage(env, "migrate", "--noinput", "-v", "0")
        bench.manage(env, "seed_demo")
        bench.django_setup(env)
        world = bench.create_world(args.suppliers)
        return profile(args, world)
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


def profile(args, world) -> int:
    from django.db import connection
    from django.test import Client

    client = Client()
    bids_path = f"/api/v1/rfqs/{world.rfq_id}/bids/"
    state_path = f"/api/v1/rfqs/{world.rfq_id}/state/"
    # Each supplier bids at most 60 times a minute; spread the bids so the limit never refuses.
    if args.bids * 5 // 4 > 50 * len(world.tokens):
        args.bids = 50 * len(world.tokens) * 4 // 5
        print(f"capping --bids at {args.bids}: each supplier may bid 60 times a minute")
    # A refused bid is logged as a warning by django.request (as on the server); keep it off the report.
    logging.getLogger("django.request").setLevel(logging.ERROR)

    # Warm up (imports, URL resolver, first connection); not measured.
    for n in range(3):
        client.get(state_path, HTTP_AUTHORIZATION=f"Token {world.tokens[n]}")

    # New-connection cost (CONN_MAX_AGE=0 pays it on every request).
    connect_times = []
    for _ in range(20):
        connection.close()
        began = time.perf_counter()
        connection.ensure_connection()
        connection.cursor().execute("SELECT 1")
        connect_times.append(time.perf_counter() - began)

    results = defaultdict(list)
    shapes = defaultdict(Counter)
    profiler = cProfile.Profile()
    expected = {"accepted": 201, "refused": 422, "state": 200}
    # First pass timed without the profiler (it slows Python down); the last quarter of the
    # rounds runs again under cProfile for the function breakdown.
    rounds = [("timed", kind) for _ in range(args.bids) for kind in ("accepted", "refused", "state")]
    rounds += [("profiled", kind) for _ in range(max(1, args.bids // 4)) for kind in ("accepted", "refused", "state")]
    for i, (mode, kind) in enumerate(rounds):
        token = world.tokens[i % len(world.tokens)]
        auth = {"HTTP_AUTHORIZATION": f"Token {token}", "HTTP_USER_AGENT": bench.USER_AGENT}
        if kind != "state":
            # The bid's own state read is not part of the measurement.
            best = Decimal(client.get(state_path, **auth).json()["leading_bid"] or bench.STARTING_PRICE)
            amount = best - Decimal("0.05") if kind == "accepted" else best
        log = QueryLog(connection)
        with connection.execute_wrapper(log):
            if mode == "profiled":
                profiler.enable()
            began = time.perf_counter()
            if kind == "state":
                response = client.get(state_path, **auth)
            else:
                response = client.post(bids_path, {"amount": f"{amount:.2f}"}, content_type="application/json",
                                       **auth)
            wall = time.perf_counter() - began
            profiler.disable()
        if response.status_code != expected[kind]:
            print(f"unexpected {response.status_code} for a {kind} request: {response.content[:300]!r}")
            return 1
        if mode == "profiled":
            continue
        in_tx = [r for r in log.rows if r[2]]
        results[kind].append({"wall": wall, "queries": len(log.rows), "in_tx": len(in_tx),
                              "db": sum(r[1] for r in log.rows), "db_tx": sum(r[1] for r in in_tx)})
        for sql, _, inside in log.rows:
            shapes[kind][("tx " if inside else "   ") + shape(sql)] += 1

    print("=" * 78)
    print(f"One request at a time through Django's test client; {len(world.tokens)} suppliers on the auction, "
          f"CONN_MAX_AGE={connection.settings_dict.get('CONN_MAX_AGE')}")
    print(f"new PostgreSQL connection (connect + first query): mean {statistics.fmean(connect_times) * 1000:.2f} ms")
    print("=" * 78)
    for kind in ("accepted", "refused", "state"):
        rows = results[kind]
        mean = {k: statistics.fmean(r[k] for r in rows) for k in rows[0]}
        print(f"{kind:<9s} n={len(rows)}  wall {mean['wall'] * 1000:6.2f} ms  SQL statements {mean['queries']:5.1f} "
              f"(inside the transaction {mean['in_tx']:4.1f})  time in SQL {mean['db'] * 1000:5.2f} ms "
              f"(inside {mean['db_tx'] * 1000:5.2f})  → Python {(mean['wall'] - mean['db']) * 1000:5.2f} ms")
        for name, count in shapes[kind].most_common():
            print(f"      {count / len(rows):6.1f} × {name}")
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
    stats.print_stats(args.top)
    print(out.getvalue()[:20000])
    out = io.StringIO()  # by own time
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(args.top)
    print(out.getvalue()[:20000])
    return 0


if __name__ == "__main__":
    sys.exit(main())
