#!/usr/bin/env python
"""A burst of sealed quotes in the last minute before the deadline, then the close.

    .venv/bin/python bench/sealed_burst.py                      # 1,000 suppliers × 20 lines, 60 s window
    .venv/bin/python bench/sealed_burst.py --suppliers 100      # a quick run

What one run does (bench/README.md has the details and the figures):

1. Drops and recreates a PostgreSQL database (default `quayside_sealed_burst`), migrates it,
   seeds the demo, empties its own Redis database (default 11), and creates the bench
   suppliers (KYC-verified, qualified, API token each).
2. Starts the production topology of the README: Gunicorn (WSGI sync workers, one per core)
   and a Celery worker and beat on Redis. Then, through the services, one SEALED_BID RFQ with
   `--lines` line items (revisions allowed), every supplier invited and accepted; publishing
   it sends the close job for its deadline, as in production.
3. The burst: every supplier sends one sealed quote pricing every line over real HTTP at a
   random moment of the last `--window` seconds before the deadline; `--revise` of them send a
   revision later in the window, and `--late` suppliers try one just after the deadline (it must
   be refused). Several client processes × threads, each quote at its planned moment; every
   answer and its latency recorded.
4. The deadline passes and the close runs as in production (the worker's close job, or beat's
   sweep): opening (`bids.opened`), ranking (`auction.ranked`), then `after_close` (gaming scan,
   fairness report). The bench watches it as the buyer: GET /evaluation/ until 200, the report.
5. Verifies from the database and the audit trail that no quote was lost and every one was
   opened and ranked exactly once (bench/README.md lists every check) and that `audit verify`
   passes; prints accept latency, server / worker / PostgreSQL CPU and RSS, the close's timings.

Exit status: 1 if any check fails, 2 if the run could not be set up, 130 on Ctrl-C; speed
figures are reported, never failed.
"""
from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from harness.client import request_once
from harness.jobs import Jobs, purge_redis_db
from harness.metrics import CpuMeter, DatabaseCpu, PeakRss, machine_busy, process_cpu
from harness.runner import run_main
from harness.servers import SERVERS, Servers, wait_http
from harness.setup import PG_ADMIN_URL, SetupError, check_scratch_targets, prepare
from harness.world import create_sealed_rfq, create_suppliers
from sealed.burst import Clients
from sealed.close import server_moments, watch_close
from sealed.plan import make_plan
from sealed.report import Outcome, report, write_json
from sealed.verify import verify

SPAWN_AHEAD = 8.0  # seconds before the window the client processes are started (they wait for their moments)


def say(message: str) -> None:
    print(message, flush=True)


class Run:
    """The processes of one run, always stopped."""

    def __init__(self, args, tmpdir: Path):
        self.args, self.tmpdir = args, tmpdir
        self.servers: Servers | None = None
        self.jobs: Jobs | None = None
        self.clients: Clients | None = None
        self.setup: dict = {}

    def stop(self) -> None:
        for part in (self.clients, self.servers, self.jobs):
            if part is not None:
                part.stop()

    def build(self):
        """Database, suppliers, servers, worker and beat, then the RFQ; returns the world's facts."""
        args = self.args
        began = time.monotonic()
        env = prepare(args, self.tmpdir, say=say)
        self.setup["prepare_seconds"] = time.monotonic() - began
        dropped = purge_redis_db(args.redis_url)
        say(f"[setup] Redis {args.redis_url} emptied ({dropped} keys: jobs of earlier runs); "
            f"{args.suppliers} bench suppliers")
        from django.conf import settings
        from rest_framework.authtoken.models import Token

        from accounts.models import User

        companies, users, tokens = create_suppliers(args.suppliers)
        buyer_token = Token.objects.get_or_create(user=User.objects.get(username="buyer"))[0].key
        self.setup["sweep_seconds"] = settings.SWEEP_SECONDS
        from django.db import connections

        connections.close_all()
        say(f"[setup] starting {args.workers} × {args.server}, a Celery worker and beat")
        self.servers = Servers(env, args.server, args.workers, self.tmpdir)
        self.servers.start()
        self.jobs = Jobs(env, self.tmpdir, concurrency=args.worker_concurrency)
        self.jobs.start()
        wait_http(self.servers.port)
        for _ in range(4 * args.workers):  # warm every server process with reads
            request_once(self.servers.port, "GET", "/api/v1/rfqs/", buyer_token, timeout=60)
        self.setup["worker_concurrency"] = len(self.jobs.worker_pids()) - 1
        lead = args.lead if args.lead is not None else 20 + 0.08 * args.suppliers
        rfq_began = time.monotonic()
        deadline = datetime.now(UTC) + timedelta(seconds=lead + args.window)
        say(f"[setup] the sealed RFQ ({args.lines} lines), deadline in {lead + args.window:.0f} s; inviting "
            f"{args.suppliers} suppliers, each accepting")
        rfq_id = create_sealed_rfq("Sealed-burst benchmark", companies, users, lines=args.lines,
                                   deadline=deadline.replace(microsecond=0) + timedelta(seconds=1))
        from rfqs.models import RFQ, LineItem

        rfq = RFQ.objects.get(pk=rfq_id)
        items = list(LineItem.objects.filter(rfq_id=rfq_id).order_by("position").values_list("pk", "quantity"))
        connections.close_all()
        self.setup.update(rfq_seconds=time.monotonic() - rfq_began, seconds=time.monotonic() - began, lead=lead,
                          deadline_iso=rfq.bidding_deadline.isoformat())
        return rfq, items, [t.key for t in tokens], buyer_token

    def measure(self) -> tuple[Outcome, int]:
        args = self.args
        rfq, items, tokens, buyer_token = self.build()
        deadline = rfq.bidding_deadline.timestamp()
        if time.time() > deadline - args.window - SPAWN_AHEAD:
            raise SetupError(f"the setup overran the lead: the window opens in {deadline - args.window - time.time():.0f} s "
                             f"(raise --lead; it was {self.setup['lead']:.0f} s)")
        line_ids, quantities = [pk for pk, _ in items], [q for _, q in items]
        plan = make_plan(tokens, quantities, deadline=deadline, window=args.window, tail=args.tail,
                         revise=args.revise, late=args.late, seed=args.seed)
        self.setup.update({kind: sum(s.kind == kind for s in plan) for kind in ("first", "revision", "late")})
        valid_until = (rfq.bidding_deadline + timedelta(days=30)).date().isoformat()
        assert self.servers is not None
        self.clients = Clients(self.servers.port, rfq.pk, line_ids, valid_until, plan, processes=args.processes,
                               threads=args.threads)
        self.wait_for_window(deadline)
        say(f"[burst] {len(plan)} quotes over the {args.window:g} s before the deadline "
            f"({rfq.bidding_deadline:%H:%M:%S} UTC), {args.processes} × {args.threads} client threads")
        burst, watch, cpu_burst, cpu_close, rss = self.burst_and_close(rfq.pk, deadline, buyer_token)
        assert self.jobs is not None
        time.sleep(1.0)  # a report job queued by the scan's alerts: let it land in the log
        task_runs, failures = self.jobs.task_runs(), self.jobs.failures()
        self.stop()
        say("[check] the database and the audit trail")
        problems, facts = verify(rfq.pk, plan, burst.answers, watch.evaluation_body, line_ids, quantities)
        problems = watch.problems + problems
        if failures:
            problems.append(f"the worker logged {len(failures)} ERROR/CRITICAL lines (first: {failures[0][:200]})")
        outcome = Outcome(burst=burst, watch=watch, moments=server_moments(rfq.pk), cpu_burst=cpu_burst,
                          cpu_close=cpu_close, rss=rss, problems=problems, facts=facts, setup=self.setup,
                          task_runs=task_runs, worker_failures=failures)
        return outcome, (1 if problems else 0)

    def wait_for_window(self, deadline: float) -> None:
        """Start the client processes SPAWN_AHEAD seconds before the window (they wait for their
        moments), note how busy the machine is meanwhile."""
        args = self.args
        window_start = deadline - args.window
        time.sleep(max(0.0, window_start - SPAWN_AHEAD - time.time()))
        assert self.clients is not None and self.servers is not None
        self.clients.start()
        busy_from = machine_busy()
        time.sleep(max(0.0, window_start - 0.5 - time.time()))
        busy_to = machine_busy()
        self.setup.update(busy_before=(busy_to[0] - busy_from[0]) / max(1e-9, busy_to[1] - busy_from[1]),
                          busy_seconds=SPAWN_AHEAD, loadavg=" ".join(f"{x:.2f}" for x in os.getloadavg()),
                          server_info=f"{args.workers} × {args.server} (one shared socket, 127.0.0.1:"
                                      f"{self.servers.port}), DEBUG off, PostgreSQL {args.db}")

    def burst_and_close(self, rfq_id: int, deadline: float, buyer_token: str):
        """The burst, and from just before the deadline the close watch beside it (late quotes are
        still being answered while the close runs). CPU split at the deadline."""
        args = self.args
        assert self.servers is not None and self.jobs is not None and self.clients is not None
        servers, jobs = self.servers, self.jobs
        meter = CpuMeter(servers.pids())
        peaks = PeakRss({"servers": servers.pids, "worker": jobs.worker_pids}).start()
        database = DatabaseCpu(args.db).start()

        def sample() -> dict:
            now = meter.sample()
            return {**now, "bench": now["client"], "worker": process_cpu(jobs.worker_pids() + jobs.beat_pids()),
                    "client": 0.0, "database": database.total()}

        watched: list = []  # the CloseWatch, or the exception that ended the watch

        def watch() -> None:
            from django.db import connections

            time.sleep(max(0.0, deadline - 1.0 - time.time()))
            try:
                watched.append(watch_close(servers.port, rfq_id, buyer_token, deadline, jobs,
                                           timeout=args.close_timeout))
            except Exception as exc:  # noqa: BLE001 - raised again in the main thread
                watched.append(exc)
            finally:
                connections.close_all()

        watcher = threading.Thread(target=watch, name="close-watch", daemon=True)
        before = sample()
        watcher.start()
        time.sleep(max(0.0, deadline - time.time()))
        at_deadline = sample()
        burst = self.clients.collect(timeout=args.window + 600)
        say(f"[close] {sum(a.status == 201 for a in burst.answers)} of {len(burst.answers)} accepted; watching "
            f"the close")
        watcher.join(timeout=args.close_timeout + 60)
        after_close = sample()
        rss = peaks.stop()
        database.stop()
        cpu_burst = CpuMeter.delta(before, at_deadline)
        cpu_burst["client"] = sum(p.cpu for p in burst.processes)  # the client processes' own totals
        cpu_close = CpuMeter.delta(at_deadline, after_close)
        if not watched:
            raise SetupError("the close watch did not finish")
        if isinstance(watched[0], Exception):
            raise watched[0]
        return burst, watched[0], cpu_burst, cpu_close, rss


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--suppliers", type=int, default=1000, help="suppliers, each sending one sealed quote")
    parser.add_argument("--lines", type=int, default=20, help="line items of the RFQ, each quote prices every one")
    parser.add_argument("--window", type=float, default=60.0,
                        help="seconds before the deadline in which every quote is sent")
    parser.add_argument("--tail", type=float, default=5.0,
                        help="no quote is planned in the last TAIL seconds (they would risk arriving late)")
    parser.add_argument("--revise", type=float, default=0.1,
                        help="fraction of suppliers that send a revision (a second version) later in the window")
    parser.add_argument("--late", type=int, default=10,
                        help="suppliers that try a revision just after the deadline (0.05–2 s, while the close "
                             "runs): each must be refused (422 deadline_passed), none stored")
    parser.add_argument("--processes", type=int, default=2, help="client processes")
    parser.add_argument("--threads", type=int, default=32, help="threads per client process (one connection each)")
    parser.add_argument("--server", choices=SERVERS, default="gunicorn",
                        help="gunicorn: WSGI sync workers, the production HTTP setup (default)")
    parser.add_argument("--workers", type=int, default=None, help="server worker processes (default: one per core)")
    parser.add_argument("--worker-concurrency", type=int, default=None,
                        help="Celery worker pool processes (default: Celery's, one per core)")
    parser.add_argument("--lead", type=float, default=None,
                        help="seconds from the RFQ's publication to the start of the window, time for every "
                             "invitation to be accepted (default 20 + 0.08 × suppliers)")
    parser.add_argument("--close-timeout", type=float, default=900.0,
                        help="seconds after the deadline to wait for the close, the evaluation and the report")
    parser.add_argument("--seed", type=int, default=17, help="seed of the prices and moments")
    parser.add_argument("--db", default="quayside_sealed_burst", help="database to DROP and recreate")
    parser.add_argument("--pg-url", default=PG_ADMIN_URL, help="PostgreSQL server URL without the database name")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/11",
                        help="the run's own Redis database: it is emptied (FLUSHDB) at the start")
    parser.add_argument("--keep-logs", action="store_true", help="keep the temp dir with server and worker logs")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures as JSON here")
    args = parser.parse_args(argv)
    if args.suppliers < 2 or args.lines < 1 or args.window <= args.tail or args.tail < 0:
        parser.error("--suppliers ≥ 2, --lines ≥ 1, --window > --tail ≥ 0")
    if not 0 <= args.revise <= 1 or args.processes < 1 or args.threads < 1 or args.late < 0:
        parser.error("--revise in 0…1, --processes and --threads ≥ 1, --late ≥ 0")
    check_scratch_targets(parser, args)
    args.workers = args.workers or (os.cpu_count() or 1)
    args.conn_max_age = None  # the project's setting (harness.setup.bench_env)
    return args


def main(argv=None) -> int:
    args = parse_args(argv)

    def go(tmpdir: Path, on_exit) -> int:
        run = Run(args, tmpdir)
        on_exit(run.stop)
        outcome, status = run.measure()
        print(report(args, outcome))
        if args.json:
            write_json(args, outcome)
        return status

    return run_main("quayside-sealed-burst-", go, keep_logs=args.keep_logs)


if __name__ == "__main__":
    sys.exit(main())
