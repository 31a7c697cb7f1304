#!/usr/bin/env python
"""A live reverse auction at the ADR's scale: N suppliers, each with the Python SDK on its own
WebSocket, most watching, some bidding, a burst at the end that triggers anti-sniping.

    .venv/bin/python bench/live_auction.py                        # 500 clients
    .venv/bin/python bench/live_auction.py --clients 100 --seconds 30   # a quick run

What one run does (bench/README.md, "live_auction.py", has the details and the figures):

1. Drops and recreates a PostgreSQL database (default `quayside_live_auction`), migrates it,
   seeds the demo, empties its own Redis database (default 14), creates N bench suppliers
   (KYC-verified, API token each) and starts the README's production topology: Gunicorn (sync
   workers, one per core) for HTTP, Uvicorn (one process per core) for `/ws/`, a Celery worker
   and beat.
2. One reverse auction, every supplier invited and accepted, the deadline `--lead` +
   `--seconds` away, anti-sniping of one tier (a bid in the last `--burst` seconds adds
   `--burst` seconds, at most `--extensions` times). Publishing sends the close job, as in
   production.
3. N clients over `--processes` load-generator processes (uvloop), each the SDK's follower
   (`quayside_client`: WebSocket, resume, prev_seq gap detection) with its own token. A share
   of them bid through the SDK (`place_bid`, an Idempotency-Key per bid): an opening bid, an
   answer when undercut (with some chance, after a think time), one snipe in the last seconds
   of every deadline. They follow until the worker closes the auction.
4. Checks: no client lost an event (every live event of the database after its first state,
   by seq, after resume), bid_throughput.py's invariants (anti-sniping allowed) and the live
   ones (extensions as audited, one close after the final deadline, no bid accepted after it),
   no 5xx in the servers' access logs.
5. The same clients and bid moments against a bare `websockets` server (bench/live/bare.py),
   twice (`--bare`): replaying the bids alone, and replaying the same messages the Quayside
   run delivered for each bid (its extension, and each rank_changed to the client that got it).

Prints bid and delivery latency p50/p99 (delivery from each bid's commit, which the servers
log, and from its `at`) against each bare run's, events lost and recovered
by resume, the invariants, CPU and RSS per server process. Exit status 1 if an event is lost
or an invariant violated, 2 if the run could not be set up; speed targets are reported.
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from harness.machine import postgres_version
from harness.runner import run_main
from harness.servers import die_with_parent, free_port
from harness.setup import PG_ADMIN_URL, SetupError, check_scratch_targets
from live.bare import replay_schedule
from live.cycle import run_cycle
from live.report import report
from live.stack import Loadgen, Stack
from live.verify import losses, summarise

BARE = Path(__file__).resolve().parent / "live" / "bare.py"


def say(message: str) -> None:
    print(message, flush=True)


BASELINES = {"bids": "bids only", "same": "same messages"}  # --bare's choices, as the report names them


def run_bare(args, cycle, tmpdir: Path, same_messages: bool) -> tuple[dict, dict]:
    """The same clients, the Quayside run's bid moments replayed (shifted to start in 3 s),
    against the bare server: its bids alone, or the same messages (bench/live/bare.py);
    returns (summary, losses)."""
    bid_seqs = cycle.facts.get("bid_seqs", {}) if same_messages else {}
    extending = cycle.facts.get("extending", set()) if same_messages else set()
    bids = replay_schedule(cycle.records, bid_seqs, extending)
    if not bids:
        raise SetupError("no bid was sent: nothing to replay against the bare server")
    port = free_port()
    server = subprocess.Popen([sys.executable, str(BARE), str(port), *(["--same-messages"] if same_messages else [])],
                              stdout=subprocess.PIPE, text=True, start_new_session=True, preexec_fn=die_with_parent)
    loadgen = None
    try:
        if server.stdout.readline().strip() != "ready":
            raise SetupError("the bare server did not start")
        span = bids[-1][0] - bids[0][0]
        config = {"mode": "bare", "roles": [{"i": r["i"]} for r in cycle.records], "ws": f"ws://127.0.0.1:{port}/",
                  "until": time.time() + 600 + span}
        loadgen = Loadgen(tmpdir, config, args.processes, "bare-same" if same_messages else "bare")
        ranks = sum(len(b[3]) for b in bids)
        say(f"[bare] {len(cycle.records)} clients, {len(bids)} bids replayed over {span:.0f} s"
            + (f" with {ranks} rank_changed and {sum(b[4] for b in bids)} extensions" if same_messages else ""))
        loadgen.wait_ready(timeout=180)
        shift = time.time() + 3 - bids[0][0]
        loadgen.go([[at + shift, *rest] for at, *rest in bids], drain_until=bids[-1][0] + shift + 5)
        records, cpu, _ = loadgen.collect(timeout=span + 120)
    finally:
        if loadgen is not None:
            loadgen.stop()
        server.kill()
        server.wait(timeout=10)
    broadcasts = sum(b[2] for b in bids)
    return {**summarise(records), "loadgen_cpu": cpu}, losses(list(range(1, broadcasts + 1)), records)


def parse_args(argv=None, *, db="quayside_live_auction", redis_db=14):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=500, help="suppliers, each one SDK client on its own socket")
    parser.add_argument("--bidders", type=float, default=0.25, help="share of the clients that bid at all")
    parser.add_argument("--react", type=float, default=0.5, help="chance a bidder answers an undercut of its best")
    parser.add_argument("--snipers", type=float, default=0.6, help="share of the bidders that snipe each deadline")
    parser.add_argument("--seconds", type=float, default=60.0, help="bidding time to the first deadline")
    parser.add_argument("--burst", type=float, default=15.0,
                        help="the last seconds of a deadline: snipes land there and extend it by as much")
    parser.add_argument("--extensions", type=int, default=2, help="anti-sniping extensions at most")
    parser.add_argument("--lead", type=float, default=None,
                        help="seconds from the auction's creation to the bidding (invitations, connections; "
                             "default 20 + 0.05 × clients)")
    parser.add_argument("--processes", type=int, default=2, help="load-generator processes")
    parser.add_argument("--workers", type=int, default=None, help="Gunicorn workers (default: one per core)")
    parser.add_argument("--ws-workers", type=int, default=None, help="Uvicorn processes (default: one per core)")
    parser.add_argument("--no-bare", action="store_true", help="skip the bare websockets baselines")
    parser.add_argument("--bare", choices=("both", *BASELINES), default="both",
                        help="the bare baselines to run: its bids only, the same messages as Quayside sent, or both")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--db", default=db, help="database to DROP and recreate")
    parser.add_argument("--pg-url", default=PG_ADMIN_URL)
    parser.add_argument("--redis-url", default=f"redis://127.0.0.1:6379/{redis_db}",
                        help="the run's own Redis database: emptied (FLUSHDB) at the start")
    parser.add_argument("--keep-logs", action="store_true")
    return parser


def check_args(parser, argv=None):
    args = parser.parse_args(argv)
    if args.clients < 2 or not 0 < args.bidders <= 1 or args.seconds <= 2 * args.burst or args.burst < 2:
        parser.error("--clients ≥ 2, --bidders in (0, 1], --burst ≥ 2 and --seconds > 2 × --burst")
    check_scratch_targets(parser, args)
    args.workers = args.workers or (os.cpu_count() or 1)
    args.ws_workers = args.ws_workers or (os.cpu_count() or 1)
    args.lead = args.lead if args.lead is not None else 20 + 0.05 * args.clients
    args.conn_max_age = None  # the project's setting (harness.setup.bench_env)
    return args


def raise_file_limit() -> None:
    """Every client holds a socket (and the servers one each): lift the soft limit to the hard."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def main(argv=None) -> int:
    args = check_args(parse_args(), argv)
    raise_file_limit()

    def run(tmpdir: Path, on_exit) -> int:
        stack = Stack(args, tmpdir, say)
        on_exit(stack.stop)
        stack.start()
        postgres = postgres_version(args)
        cycle = run_cycle(stack, args, 1, say, {})
        stack.stop()
        bares = {} if args.no_bare else {
            BASELINES[mode]: run_bare(args, cycle, tmpdir, same_messages=mode == "same")
            for mode in BASELINES if args.bare in ("both", mode)}
        print(report(args, postgres, cycle, bares))
        return 1 if cycle.problems else 0

    return run_main("quayside-live-auction-", run, keep_logs=args.keep_logs)


if __name__ == "__main__":
    sys.exit(main())
