#!/usr/bin/env python
"""Reverse-auction bid throughput over real HTTP, against raw PostgreSQL doing the same writes.

    .venv/bin/python bench/bid_throughput.py --clients 32 --seconds 20

What one run does (bench/README.md has the details and the figures):

1. Drops and recreates a PostgreSQL database (default `quayside_bench`), migrates it, seeds
   the demo, and creates bench suppliers (KYC-verified, qualified, invitation accepted, API
   token each) and one open reverse auction (AMOUNT decrement 0.01, 60 bids/min/supplier,
   deadline a day away so anti-sniping never fires).
2. Starts the real server, as the README runs it in production (Gunicorn, WSGI sync workers;
   or Uvicorn / Daphne, ASGI) on one listening socket on a free loopback port, DEBUG off.
3. N client threads, each with its own keep-alive connection, bid for a fixed time, rotating
   over their own suppliers: prices from one shared descending ladder (default), or the best
   they know minus a random step (--pattern race). Every
   request's latency and outcome is recorded; the loop stops at the deadline and at a hard
   cap on requests.
4. Checks invariants in the database: strictly decreasing accepted bids in audit order by at
   least the decrement, accepted responses == Bid rows == bid.placed events, the same order
   in bids and audit trail, every refusal audited, the hash chain verifies, no 5xx.
5. Runs pgbench with the same client count and duration on the same database, executing an
   accepted bid's SQL batched as the Django transaction sends it, one statement per round
   trip, and per statement prepared (bench/README.md lists them), and compares. The batched
   run, the target's figure, is interleaved with the HTTP run: the HTTP run is split into
   `--rounds` rounds (default 3 × 5 s of a 15 s run), each followed by as long a pgbench
   round, so that both halves of the ratio are measured on the same machine: a VM's CPU speed
   drifts for tens of seconds at a time, every process's CPU per request with it.

Exit status: 1 if any invariant is violated, 2 if the run could not be set up; missing the
speed target is reported, not failed.

The parts shared with the other benchmarks are in bench/harness/, this one's own parts
(load, invariants, pgbench, report) in bench/throughput/.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

from harness.client import request_once
from harness.metrics import settle
from harness.pyspy import finish_py_spy, start_py_spy
from harness.runner import run_main
from harness.servers import SERVERS, Servers
from harness.setup import PG_ADMIN_URL, prepare
from harness.world import World, create_world
from throughput.invariants import check_invariants
from throughput.load import Shared, merge_rounds, run_load
from throughput.pgbench import combine_rounds, run_pgbench
from throughput.report import Outcome, report, write_json


def say(message: str) -> None:
    print(message, flush=True)


def build(args, tmpdir: Path) -> tuple[dict, World]:
    """The scratch database, the bench suppliers and auctions; the servers' environment."""
    t0 = time.monotonic()
    env = prepare(args, tmpdir, say=say)
    n_suppliers = args.clients * args.suppliers_per_client
    say(f"[setup] {n_suppliers} bench suppliers and the auction" + (f" ({args.lots} lots)" if args.lots else ""))
    world = create_world(n_suppliers, lots=args.lots)
    from django.db import connections

    connections.close_all()
    say(f"[setup] done in {time.monotonic() - t0:.1f} s; starting {args.server} ({args.workers} workers)")
    return env, world


def start_servers(args, world: World, servers: Servers) -> str:
    """Start and warm the servers; returns the report's description of them."""
    from django.conf import settings

    servers.start()
    servers.wait_ready(world.tokens[0], world.rfq_id)
    # Warm every process (URL conf, DRF, first connection) with reads only.
    for _ in range(4 * args.workers):
        request_once(servers.port, "GET", f"/api/v1/rfqs/{world.rfq_id}/state/", world.tokens[0])
    pool = settings.DATABASES["default"].get("OPTIONS", {}).get("pool")
    persistent = (f"persistent DB connections (CONN_MAX_AGE={world.conn_max_age})" if world.conn_max_age
                  else f"a psycopg connection pool per process (max {pool['max_size']})" if pool
                  else "no persistent DB connections (CONN_MAX_AGE=0: one new connection per request)")
    server_info = (f"{args.workers} × {args.server} (one shared socket, 127.0.0.1:{servers.port}), DEBUG off, "
                   f"{persistent}, Redis {args.redis_url}")
    busy, waited = settle()
    return server_info + (f"; machine {busy * 100:.0f}% busy in the idle second before the run"
                          + (f" (after {waited:.0f} s waiting for it to settle below 10 %)" if waited else ""))


def measure(args, world: World, servers: Servers, tmpdir: Path) -> Outcome:
    """The HTTP run in rounds, each followed by pgbench batched (the target's figure, measured on
    the same machine minutes apart at most seconds), the invariants, then pgbench per statement
    and prepared."""
    from django.db import connections

    server_info = start_servers(args, world, servers)
    rounds = 1 if args.skip_pgbench else args.rounds
    seconds = args.seconds if rounds == 1 else max(1, round(args.seconds / rounds))
    say(f"[run] {args.clients} clients × {seconds} s" + (f" × {rounds} rounds, each followed by pgbench batched"
                                                          if rounds > 1 else "") + f" against {server_info}")
    spies = start_py_spy(args.py_spy, rounds * seconds * 2, servers.pids(), tmpdir)
    loads, batched, shared = [], [], Shared.of(args, world)
    for n in range(rounds):
        loads.append(run_load(args, servers.port, world, servers.pids(), seconds=seconds, shared=shared))
        if not args.skip_pgbench:
            connections.close_all()
            say(f"[pgbench] round {n + 1}: the same writes, batched as the Django transaction sends them")
            batched.append(run_pgbench(args, world, tmpdir, "bid-batched", seconds=seconds))
    profile = finish_py_spy(spies)
    servers.stop()
    load = merge_rounds(loads)
    say("[check] invariants")
    problems, facts = check_invariants(world, load.samples, load.errors, pgbench_ran=bool(batched))
    connections.close_all()
    if args.skip_pgbench:
        pg = {"error": "skipped (--skip-pgbench)"}
    else:
        say(f"[pgbench] {args.clients} clients × {args.seconds} s, per statement")
        pg = run_pgbench(args, world, tmpdir)
        pg["batched"] = combine_rounds(batched)
        say("[pgbench] per statement again, every statement prepared")
        pg["prepared"] = run_pgbench(args, world, tmpdir, "bid-prepared")
    return Outcome(load=load, problems=problems, facts=facts, pg=pg, server_info=server_info, profile=profile)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=32, help="concurrent HTTP clients (and pgbench clients)")
    parser.add_argument("--seconds", type=int, default=20, help="duration of the HTTP run and of pgbench")
    parser.add_argument("--server", choices=SERVERS, default="gunicorn",
                        help="gunicorn: WSGI sync workers, the production HTTP setup (default); uvicorn or "
                             "daphne: ASGI processes")
    parser.add_argument("--workers", type=int, default=None,
                        help="server worker processes (default: one per core, the fastest here: see bench/README.md)")
    parser.add_argument("--suppliers-per-client", type=int, default=12,
                        help="bench suppliers per client, used round-robin (the rate limit is 60 bids/min each)")
    parser.add_argument("--pattern", choices=["ladder", "race"], default="ladder",
                        help="ladder: clients take descending prices from one shared list, one decrement apart "
                             "(each bid is accepted unless a later one overtakes it: the work pgbench does); race: "
                             "each client bids the best it knows minus a random step (a bidding war: most bids "
                             "lose the race and are refused)")
    parser.add_argument("--lots", type=int, default=0, metavar="N",
                        help="bid per line: the auction is PER_LINE with N lines (each its own ceiling, best and "
                             "chain), each bid on a line picked at random; invariants are checked per line "
                             "(default 0: one total bid, as before)")
    parser.add_argument("--max-step-cents", type=int, default=50,
                        help="race pattern: each bid is the best known minus a random 1..N cents")
    parser.add_argument("--max-requests", type=int, default=None,
                        help="hard cap on HTTP requests (default: 1000 per client per 10 s)")
    parser.add_argument("--conn-max-age", type=int, default=None,
                        help="append ?conn_max_age=N to DATABASE_URL (default: the project's setting, 0: "
                             "a new PostgreSQL connection per request; under ASGI every request thread keeps its "
                             "own connection, so N > 0 can exhaust max_connections)")
    parser.add_argument("--db", default="quayside_bench", help="database to DROP and recreate")
    parser.add_argument("--pg-url", default=PG_ADMIN_URL, help="PostgreSQL server URL without the database name")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--skip-pgbench", action="store_true")
    parser.add_argument("--rounds", type=int, default=3,
                        help="split the HTTP run into this many rounds of --seconds/N, each followed by as long a "
                             "run of pgbench batched, so the ratio's two halves meet the same machine (a VM's speed "
                             "drifts over tens of seconds); 1: the HTTP run whole, then pgbench (default 3)")
    parser.add_argument("--py-spy", metavar="BIN", default=None,
                        help="sample every server process with this py-spy binary during the run and print "
                             "where server CPU goes (py-spy is not a dependency: see bench/README.md)")
    parser.add_argument("--keep-logs", action="store_true", help="keep the temp dir with server logs")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures as JSON here")
    args = parser.parse_args(argv)
    if args.clients < 1 or args.seconds < 1 or args.rounds < 1:
        parser.error("--clients, --seconds and --rounds must be positive")
    if not 0 <= args.lots <= 100:
        parser.error("--lots must be between 0 and 100")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", args.db) or args.db in ("postgres", "template0", "template1"):
        parser.error("--db must be a plain lower-case name of a scratch database")
    args.workers = args.workers or (os.cpu_count() or 1)
    args.max_requests = args.max_requests or max(1000, 100 * args.clients * args.seconds)
    port = re.search(r":(\d+)$", args.pg_url)
    args.pg_port = int(port.group(1)) if port else 5432
    return args


def main(argv=None) -> int:
    args = parse_args(argv)

    def run(tmpdir: Path, on_exit) -> int:
        env, world = build(args, tmpdir)
        servers = Servers(env, args.server, args.workers, tmpdir)
        on_exit(servers.stop)
        outcome = measure(args, world, servers, tmpdir)
        print(report(args, world, outcome))
        if outcome.profile:
            print(outcome.profile)
        if args.json:
            write_json(args, outcome)
        return 1 if outcome.problems else 0  # the server logs of a run with violations are kept

    return run_main("quayside-bench-", run, keep_logs=args.keep_logs)


if __name__ == "__main__":
    sys.exit(main())
