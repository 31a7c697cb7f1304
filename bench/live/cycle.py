"""One live auction on a running Stack: created, followed and bid on by every client until
the Celery worker closes it, then checked. bench/live_auction.py runs one cycle, bench/soak.py
many on the same servers."""
from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from harness.metrics import DatabaseCpu, PeakRss, machine_busy, process_cpu
from harness.setup import SetupError
from harness.world import World
from throughput.invariants import check_invariants

from .plan import make_roles
from .stack import Loadgen, Stack, snapshot
from .verify import (
    bid_samples,
    commit_moments,
    database_facts,
    live_problems,
    loss_problems,
    losses,
    server_errors,
    summarise,
)

CLOSE_GRACE = 90.0  # seconds after the last possible deadline for the close to reach every client


@dataclass
class Cycle:
    n: int
    rfq_id: int = 0
    records: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    facts: dict = field(default_factory=dict)
    lost: dict = field(default_factory=dict)
    summary: dict = field(default_factory=dict)
    cpu: dict = field(default_factory=dict)  # group → CPU seconds over the bidding
    peak_rss: dict = field(default_factory=dict)  # group → MiB
    during: dict = field(default_factory=dict)  # snapshot() with every client connected
    after: dict = field(default_factory=dict)  # snapshot() once the clients have gone
    timings: dict = field(default_factory=dict)
    loadgen: dict = field(default_factory=dict)
    errors_5xx: Counter = field(default_factory=Counter)


def anti_sniping(args) -> dict:
    """One tier: a bid in the last `burst` seconds moves the deadline by `burst`, at most
    `extensions` times (so a run is bounded)."""
    return {"anti_sniping_preset": "custom", "extension_tiers": [
        {"trigger_seconds": int(args.burst), "extension_seconds": int(args.burst),
         "max_extensions": args.extensions, "cool_down_seconds": 0}]}


def open_auction(stack: Stack, args, n: int) -> tuple[int, float, float]:
    """The auction, every bench supplier invited and accepted; returns (id, window start, deadline)."""
    from django.db import connections
    from harness.world import create_auction

    began = time.time()
    deadline = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=int(args.lead + args.seconds) + 1)
    rfq_id = create_auction(f"Live-auction benchmark {n}", stack.companies, stack.users, deadline=deadline,
                            description="Live-auction benchmark: N suppliers following and bidding.",
                            **anti_sniping(args))
    connections.close_all()
    window_start = deadline.timestamp() - args.seconds
    if time.time() > window_start - 5:
        raise SetupError(f"setting the auction up took {time.time() - began:.0f} s, past the lead: raise --lead")
    return rfq_id, window_start, deadline.timestamp()


def run_cycle(stack: Stack, args, n: int, say, offsets: dict) -> Cycle:
    cycle = Cycle(n=n)
    t_create = time.time()
    cycle.rfq_id, window_start, deadline = open_auction(stack, args, n)
    until = deadline + args.extensions * args.burst + CLOSE_GRACE
    roles = make_roles(stack.tokens, bidders=args.bidders, react=args.react, snipers=args.snipers,
                       window_start=window_start, seconds=args.seconds, burst=args.burst, seed=args.seed + n)
    config = {"mode": "quayside", "roles": [r.as_dict() for r in roles], "rfq_id": cycle.rfq_id, "burst": args.burst,
              "http": f"http://127.0.0.1:{stack.http.port}", "ws": f"http://127.0.0.1:{stack.ws.port}", "until": until}
    say(f"[cycle {n}] auction {cycle.rfq_id} set up in {time.time() - t_create:.1f} s; {len(roles)} clients "
        f"({sum(r.bidder for r in roles)} bidders) connecting over {args.processes} processes")
    loadgen = Loadgen(stack.tmpdir, config, args.processes, f"cycle{n}")
    try:
        t_connect = time.time()
        ready = loadgen.wait_ready(timeout=max(30.0, window_start - time.time() + 60))
        cycle.timings.update(create=t_connect - t_create, connect=ready - t_connect, slack=window_start - ready)
        cycle.during = snapshot(stack)
        say(f"[cycle {n}] connected in {ready - t_connect:.1f} s; bidding from {window_start - time.time():.0f} s "
            f"from now for {args.seconds:g} s (+ up to {args.extensions} × {args.burst:g} s)")
        measure(stack, args, cycle, loadgen, window_start, until)
    finally:
        loadgen.stop()
    time.sleep(2.0)  # the servers notice the sockets closed
    cycle.after = snapshot(stack)
    check(stack, cycle, window_start, offsets)
    return cycle


def measure(stack: Stack, args, cycle: Cycle, loadgen: Loadgen, window_start: float, until: float) -> None:
    """CPU per process group from the window's start to the last client's end, peak RSS."""
    groups = stack.groups()
    time.sleep(max(0.0, window_start - time.time()))
    peaks = PeakRss(groups).start()
    database = DatabaseCpu(args.db).start()
    before = {name: process_cpu(pids()) for name, pids in groups.items()}
    t0, busy_before = time.monotonic(), machine_busy()
    records, cpu, rss = loadgen.collect(timeout=max(60.0, until - time.time() + 60))
    wall, busy_after = time.monotonic() - t0, machine_busy()
    # How busy the whole machine was (all cores, every process): tells a slower cycle from a busier one.
    cycle.timings["machine_busy"] = (busy_after[0] - busy_before[0]) / max(1e-9, busy_after[1] - busy_before[1])
    cycle.cpu = {name: process_cpu(pids()) - before[name] for name, pids in groups.items()}
    cycle.cpu["postgres (this db)"] = database.stop()
    cycle.peak_rss = peaks.stop()
    cycle.timings["wall"] = wall
    cycle.loadgen = {"cpu": cpu, "rss": rss, "processes": args.processes}
    cycle.records = records


def check(stack: Stack, cycle: Cycle, t0: float, offsets: dict) -> None:
    """Losses, invariants (as bid_throughput's, extensions allowed), the live checks, 5xx."""
    from django.db import connections

    expected, facts = database_facts(cycle.rfq_id)
    cycle.lost = losses(expected, cycle.records)
    lines = stack.access_lines(offsets)
    committed = commit_moments(lines, cycle.rfq_id)
    cycle.summary = summarise(cycle.records, facts["live_types"],
                              {seq: committed[seq] - at for seq, at in facts["live_at"].items() if seq in committed})
    world = World(rfq_id=cycle.rfq_id, twin_rfq_id=0, tokens=[], supplier_ids=[], user_ids=[], usernames=[],
                  supplier_names=[], conn_max_age=None)
    samples = bid_samples(cycle.records, t0)
    no_answer = Counter(rule for s in samples if s.status == 0 for rule in s.rules)
    problems, cycle.facts = check_invariants(world, samples, no_answer, extensions_allowed=facts["max_extensions"])
    cycle.facts.update(live_events=len(expected), extensions=facts["extensions"], status=facts["status"],
                       deadline=facts["deadline"], initial_deadline=facts["initial_deadline"],
                       bid_seqs=facts["bid_seqs"], extending=facts["extending"])
    cycle.errors_5xx = server_errors(lines)
    cycle.problems = loss_problems(cycle.lost) + problems + live_problems(facts)
    if cycle.errors_5xx:
        cycle.problems.append(f"the servers answered 5xx: {dict(cycle.errors_5xx)}")
    connections.close_all()
