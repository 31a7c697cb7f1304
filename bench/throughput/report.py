"""The printed report of a bid_throughput.py run and its --json figures."""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass

from django.utils.functional import cached_property
from harness.machine import code_revision, machine_info, postgres_version
from harness.stats import ms, percentiles
from harness.world import World

from .load import LoadResult

TARGET_RATIO = 0.40  # of pgbench per statement: the first bid-throughput issue's target
BATCHED_TARGET_RATIO = 0.60  # of pgbench batched as the Django transaction: issue 17's target


@dataclass
class Outcome:
    """Everything one run measured and checked."""

    load: LoadResult
    problems: list[str]
    facts: dict
    pg: dict  # run_pgbench's figures, the batched run's under "batched"
    server_info: str
    profile: str = ""  # the py-spy summary, when --py-spy was given

    @cached_property
    def bids(self):
        return [s for s in self.load.samples if s.kind == "bid"]

    @cached_property
    def accepted(self):
        return [s for s in self.bids if s.status == 201]

    @cached_property
    def refused(self):
        return [s for s in self.bids if s.status in (422, 429)]


def report(args, world: World, outcome: Outcome) -> str:
    import django

    info = machine_info()
    lines = ["=" * 78, "Quayside reverse-auction bid throughput", "=" * 78,
             f"machine      {info['nproc']} cores ({info['cpu']}), {info.get('memory_gib', '?')} GiB, "
             f"Linux {info['kernel']}, Python {info['python']}, Django {django.get_version()}",
             f"code         {code_revision()}",
             f"postgres     {postgres_version(args)}",
             f"server       {outcome.server_info}",
             f"clients      {args.clients} threads (keep-alive), {len(world.tokens)} suppliers "
             f"({len(world.tokens) / args.clients:.1f} per client, round-robin), 60 bids/min/supplier",
             f"auction      {lots_line(args, world)}",
             f"duration     {args.seconds} s requested, {outcome.load.wall:.2f} s measured"
             f"{rounds_note(outcome)}; hard cap {args.max_requests} requests"
             f"{' (REACHED)' if outcome.load.capped else ''}",
             ""]
    lines += http_section(outcome)
    lines += cpu_section(outcome, info["nproc"])
    lines.append("")
    lines += pgbench_section(outcome)
    lines.append("")
    lines += lots_section(outcome)
    lines += invariants_section(outcome)
    lines.append("=" * 78)
    return "\n".join(lines)


def http_section(outcome: Outcome) -> list[str]:
    """Requests and bids per second, refusals by rule, latencies."""
    samples, wall = outcome.load.samples, outcome.load.wall
    bids, accepted, refused = outcome.bids, outcome.accepted, outcome.refused
    by_rule = Counter((s.status, rule) for s in refused for rule in s.rules)
    statuses = Counter(s.status for s in samples)
    lines = [f"requests     {len(samples)} ({len(samples) / wall:.1f}/s); status counts {dict(sorted(statuses.items()))}",
             f"bids         {len(bids)} sent, {len(bids) / wall:.1f}/s",
             f"  accepted   {len(accepted):6d}   {len(accepted) / wall:8.1f}/s   (201)",
             f"  refused    {len(refused):6d}   {len(refused) / wall:8.1f}/s   by rule:"]
    for (status, rule), count in by_rule.most_common():
        lines.append(f"     {status} {rule:<28s} {count:6d}   {count / wall:8.1f}/s")
    if outcome.load.skipped:
        lines.append(f"  (clients found all their suppliers rate-limited {outcome.load.skipped} times and waited)")
    lines += ["latency",
              f"  accepted   {ms([s.latency for s in accepted])}",
              f"  refused    {ms([s.latency for s in refused])}",
              f"  all        {ms([s.latency for s in samples])}"]
    return lines


def cpu_section(outcome: Outcome, nproc: int) -> list[str]:
    """CPU seconds of servers, PostgreSQL and client, per request and per accepted bid."""
    cpu, wall = outcome.load.cpu, outcome.load.wall
    if not (cpu and wall):
        return []
    n = max(1, len(outcome.accepted))
    r = max(1, len(outcome.load.samples))
    lines = ["cpu during the HTTP run (seconds; per request / per accepted bid in ms)"]
    for part in ("server", "postgres", "client"):
        lines.append(f"  {part:<9s}  {cpu[part]:6.2f} s  {cpu[part] / wall * 100:5.0f}% of one core   "
                     f"{cpu[part] / r * 1000:6.2f} ms/request   {cpu[part] / n * 1000:6.2f} ms/accepted")
    if cpu["total"]:
        lines.append(f"  machine    {cpu['busy'] / cpu['total'] * 100:5.0f}% busy over {nproc} cores")
    return lines


def pgbench_section(outcome: Outcome) -> list[str]:
    """Both pgbench runs and the ratios of HTTP accepted bids to them."""
    pg = outcome.pg
    if "error" in pg:
        return [f"pgbench      ERROR: {pg['error']}"]
    accepted_s = len(outcome.accepted) / outcome.load.wall
    bids_s = len(outcome.bids) / outcome.load.wall
    lines = [f"pgbench      {pg['tps']:.1f} tps, latency avg {pg['latency_ms']} ms, {pg['processed']} transactions, "
             f"{pg['failed']} failed",
             f"             {pg['command']}"]
    if pg.get("cpu") and pg["cpu"]["total"]:
        lines.append(f"             postgres cpu {pg['cpu']['postgres'] / pg['cpu']['wall'] * 100:.0f}% of one core, "
                     f"machine {pg['cpu']['busy'] / pg['cpu']['total'] * 100:.0f}% busy")
    ratio = accepted_s / pg["tps"] if pg["tps"] else 0.0
    lines.append(f"ratio        HTTP accepted/s ÷ pgbench tps = {accepted_s:.1f} / {pg['tps']:.1f} = "
                 f"{ratio * 100:.1f}%  (target ≥ {TARGET_RATIO * 100:.0f}%: "
                 f"{'met' if ratio >= TARGET_RATIO else 'MISSED'})")
    lines.append(f"             (every bid, refused ones too, locks the auction row and appends an audit event: "
                 f"all bids/s ÷ pgbench tps = {bids_s / pg['tps'] * 100:.1f}%)" if pg["tps"] else "")
    lines += reference_lines("batched", pg.get("batched"), accepted_s, "the round trips of the Django transaction",
                             target=BATCHED_TARGET_RATIO)
    lines += round_lines(outcome)
    lines += reference_lines("prepared", pg.get("prepared"), accepted_s,
                             "per statement, -M prepared: planned once per connection, as the server's hot path now is")
    return lines


def reference_lines(name: str, run: dict | None, accepted_s: float, what: str,
                    target: float | None = None) -> list[str]:
    """A further pgbench run's figures and the HTTP ratio to it (nothing if it did not run),
    judged against `target` when one is given."""
    if not run:
        return []
    label = f"pgbench, {name}".ljust(18)
    if "tps" not in run:
        return [f"{label} ERROR: {run['error']}"]
    lines = [f"{label} {run['tps']:.1f} tps, latency avg {run['latency_ms']} ms, {run['processed']} transactions, "
             f"{run['failed']} failed ({what})"]
    if run["tps"]:
        ratio = accepted_s / run["tps"]
        verdict = f"  (target ≥ {target * 100:.0f}%: {'met' if ratio >= target else 'MISSED'})" if target else ""
        lines.append(f"             HTTP accepted/s ÷ {name} pgbench tps = {ratio * 100:.1f}%{verdict}")
    return lines


def rounds_note(outcome: Outcome) -> str:
    rounds = outcome.load.rounds
    return f" in {len(rounds)} rounds, each followed by pgbench batched" if len(rounds) > 1 else ""


def round_lines(outcome: Outcome) -> list[str]:
    """Each round's accepted bids/s, the batched pgbench round after it, and their ratio."""
    batched = (outcome.pg.get("batched") or {}).get("rounds") or []
    if len(batched) < 2 or len(batched) != len(outcome.load.rounds):
        return []
    cells = [f"{accepted / wall:.1f} / {tps:.1f} = {accepted / wall / tps * 100:.1f}%" if wall and tps else "-"
             for (accepted, wall), tps in zip(outcome.load.rounds, batched, strict=True)]
    return ["             by round (accepted/s / batched tps): " + "; ".join(cells)]


def lots_line(args, world: World) -> str:
    if not world.line_ids:
        return "bidding_basis TOTAL: each bid prices the whole auction"
    return (f"{len(world.line_ids)} lots (bidding_basis PER_LINE), each bid on one lot picked at random, "
            f"{args.pattern} pattern per lot")


def lots_section(outcome: Outcome) -> list[str]:
    """--lots: bids sent, accepted and refused, and the final best, per lot."""
    figures = outcome.facts.get("lines") or {}
    if not figures:
        return []
    wall = outcome.load.wall
    lines = ["per lot      lot  line      sent  accepted  accepted/s  refused  final best"]
    for line_id, f in figures.items():
        lines.append(f"             {f['lot']:3d}  {line_id:<8d} {f['sent']:5d}  {f['accepted']:8d}  "
                     f"{f['accepted'] / wall:10.1f}  {f['refused']:7d}  {f['best']}")
    return lines + [""]


def invariants_section(outcome: Outcome) -> list[str]:
    facts = outcome.facts
    lines = [f"invariants   {len(outcome.problems)} violations "
             f"(accepted rows {facts.get('accepted_rows')}, bid.placed {facts.get('placed_events')}, "
             f"bid.place_rejected {facts.get('refused_events')}, chain events verified "
             f"{facts.get('chain_events_checked')} on the auction, {facts.get('all_streams_checked')} in all streams; "
             f"final best {facts.get('final_best')})"]
    lines += [f"  VIOLATION: {problem}" for problem in outcome.problems]
    if outcome.load.errors:
        lines.append(f"client errors {dict(outcome.load.errors)}")
    return lines


def write_json(args, outcome: Outcome) -> None:
    load, pg = outcome.load, outcome.pg
    accepted = [s.latency for s in outcome.accepted]
    everything = [s.latency for s in load.samples]
    data = {
        "clients": args.clients, "seconds": args.seconds, "wall": load.wall, "server": args.server,
        "workers": args.workers, "accepted_per_s": len(accepted) / load.wall, "bids_per_s": len(outcome.bids) / load.wall,
        "refused": dict(Counter(f"{s.status} {','.join(s.rules)}" for s in outcome.refused)),
        "latency_ms": {name: dict(zip((50, 95, 99), (v * 1000 for v in percentiles(values)), strict=True))
                       for name, values in (("accepted", accepted), ("all", everything))},
        "cpu": load.cpu, "pgbench_tps": pg.get("tps"), "pgbench_batched_tps": (pg.get("batched") or {}).get("tps"),
        "pgbench_prepared_tps": (pg.get("prepared") or {}).get("tps"),
        "violations": outcome.problems, "facts": {k: str(v) for k, v in outcome.facts.items()},
        "machine": machine_info(),
    }
    args.json.write_text(json.dumps(data, indent=2, default=str))
