"""The printed report of a sealed_burst.py run and its --json figures."""
from __future__ import annotations

import json
import os
import statistics
from collections import Counter
from dataclasses import dataclass, field

from harness.machine import code_revision, machine_info, postgres_version
from harness.stats import ms, percentiles

from .burst import Burst
from .close import CloseWatch

LATE = 0.1  # a quote sent more than this after its planned moment counts as late


@dataclass
class Outcome:
    """Everything one run measured and checked."""

    burst: Burst
    watch: CloseWatch
    moments: dict
    cpu_burst: dict  # CpuMeter.delta over the burst (+ "worker")
    cpu_close: dict  # over the close (+ "worker")
    rss: dict  # peak MiB per group
    problems: list[str]
    facts: dict
    setup: dict  # what the setup did: seconds, lead, machine before
    task_runs: list[dict] = field(default_factory=list)
    worker_failures: list[str] = field(default_factory=list)


def _s(value: float | None) -> str:
    return "—" if value is None else f"{value:7.2f} s"


def report(args, outcome: Outcome) -> str:
    import django

    info = machine_info()
    setup = outcome.setup
    lines = ["=" * 78, "Quayside sealed-bid burst: many sealed quotes in the last minute, then the close", "=" * 78,
             f"machine      {info['nproc']} cores ({info['cpu']}), {info.get('memory_gib', '?')} GiB, Linux "
             f"{info['kernel']}, Python {info['python']}, Django {django.get_version()}",
             f"             before the burst: {setup['busy_before'] * 100:.0f}% busy over {setup['busy_seconds']:.0f} s, "
             f"load average {setup['loadavg']}",
             f"code         {code_revision()}",
             f"postgres     {postgres_version(args)}",
             f"servers      {setup['server_info']}",
             f"jobs         Celery worker (prefork, {setup['worker_concurrency']} processes) + beat (sweeps every "
             f"{setup['sweep_seconds']:g} s), Redis {args.redis_url}",
             f"rfq          SEALED_BID, {args.lines} line items, {args.suppliers} suppliers invited and accepted; "
             f"deadline {setup['deadline_iso']} (set {setup['lead']:.0f} s ahead of the window at publication)",
             f"plan         {setup['first']} first quotes + {setup['revision']} revisions "
             f"(allow_multiple_submissions; {args.revise * 100:g}% of suppliers revise once, 3% lower) over the "
             f"window [deadline − {args.window:g} s, deadline − {args.tail:g} s]; {setup['late']} late revisions "
             f"0.05–2 s after the deadline (must be refused)",
             f"clients      {args.processes} processes × {args.threads} threads (spawned, standard library only)",
             f"setup        {setup['seconds']:.0f} s (migrate + seed {setup['prepare_seconds']:.0f} s, the RFQ with "
             f"invitations accepted {setup['rfq_seconds']:.0f} s)", ""]
    lines += burst_section(outcome, args)
    lines += [""] + close_section(outcome)
    lines += [""] + verification_section(outcome)
    lines.append("=" * 78)
    return "\n".join(lines)


def burst_section(outcome: Outcome, args) -> list[str]:
    answers = outcome.burst.answers
    in_window = [a for a in answers if a.kind != "late"]
    late = [a for a in answers if a.kind == "late"]
    start = min((a.sent for a in in_window if a.sent), default=0.0)
    end = max((a.finished for a in in_window), default=0.0)
    wall = max(1e-9, end - start)
    statuses = Counter(a.status for a in in_window)
    ok = [a for a in in_window if a.status == 201]
    refused = [a for a in answers if a.status not in (201, 0)]
    reasons = Counter((a.kind, a.status, ",".join(a.rules) or a.error.split(":")[0]) for a in refused)
    lines = [f"burst        {len(in_window)} quotes sent from {_clock(start, outcome)} to the last answer at "
             f"{_clock(end, outcome)} ({wall:.1f} s, {len(in_window) / wall:.1f}/s); statuses "
             f"{dict(sorted(statuses.items()))}",
             f"  accepted   {len(ok):5d}  (201: {sum(a.kind == 'first' for a in ok)} first quotes, "
             f"{sum(a.kind == 'revision' for a in ok)} revisions; {sum(a.replayed for a in ok)} replayed by "
             f"Idempotency-Key after a retry)",
             f"  refused    {len(refused):5d}" + ("" if refused else "  (none)")]
    for (kind, status, reason), count in reasons.most_common():
        lines.append(f"     {status} {reason:<34s} {count:5d}  ({kind})")
    unanswered = [a for a in answers if a.status == 0]
    if unanswered:
        lines.append(f"  no answer  {len(unanswered):5d}  (after {max(a.attempts for a in unanswered)} attempts)")
    retried = sum(1 for a in answers if a.attempts > 1)
    if retried:
        lines.append(f"  retried    {retried:5d}  (a first attempt without an answer; the same Idempotency-Key again)")
    if late:
        lines.append(f"  late       {len(late):5d}  revisions sent {_clock(min(a.sent for a in late), outcome)} … "
                     f"{_clock(max(a.sent for a in late), outcome)}, while the close runs: "
                     f"{sum(a.status == 422 for a in late)} refused, {sum(a.status == 201 for a in late)} accepted; "
                     f"answered in {ms([a.latency for a in late])}")
    lines += ["accept latency (201)",
              f"  all        {ms([a.latency for a in ok])}",
              f"  first      {ms([a.latency for a in ok if a.kind == 'first'])}",
              f"  revision   {ms([a.latency for a in ok if a.kind == 'revision'])}"]
    lines += generator_lines(outcome, wall)
    lines += cpu_lines("cpu during the burst, from the window's start to the deadline", outcome.cpu_burst, len(ok),
                       outcome.rss)
    return lines


def _clock(epoch: float, outcome: Outcome) -> str:
    """A moment as seconds relative to the deadline ("D−12.3 s")."""
    delta = epoch - outcome.moments["deadline"]
    return f"D{'+' if delta >= 0 else '−'}{abs(delta):.1f} s"


def generator_lines(outcome: Outcome, wall: float) -> list[str]:
    """Was the load generator the bottleneck? Late sends, and why."""
    answers = [a for a in outcome.burst.answers if a.sent]
    taken_late = [a for a in answers if a.taken - a.scheduled > LATE]
    sent_late = [a for a in answers if a.sent - a.scheduled > LATE and a not in taken_late]
    lateness = [max(0.0, a.sent - a.scheduled) for a in answers]
    cpu = [p.cpu for p in outcome.burst.processes]
    p50, p99 = (percentiles(lateness, (50, 99)) if lateness else [0.0, 0.0])
    lines = [f"generator    send lateness p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, max "
             f"{max(lateness, default=0) * 1000:.1f} ms; client processes' CPU "
             f"{', '.join(f'{c:.1f} s' for c in cpu)} (at most {max(cpu, default=0) / wall * 100:.0f}% of a core each over "
             f"the burst)"]
    if taken_late:
        lines.append(f"  NOTE: {len(taken_late)} quotes were sent > {LATE * 1000:.0f} ms late because every thread of "
                     f"their process was waiting for an answer: the server answered slower than the plan sent "
                     f"(raise --threads to keep the offered load)")
    if len(sent_late) > len(answers) * 0.01:
        lines.append(f"  LOAD GENERATOR BOTTLENECK: {len(sent_late)} quotes were sent > {LATE * 1000:.0f} ms late "
                     f"with a thread free: the client processes lacked CPU")
    elif not taken_late:
        lines.append(f"  the generator kept to the plan (≤ 1% sent > {LATE * 1000:.0f} ms late): not the bottleneck")
    return lines


def cpu_lines(title: str, cpu: dict, accepted: int, rss: dict | None = None) -> list[str]:
    if not cpu or not cpu.get("wall"):
        return []
    wall = cpu["wall"]
    lines = [f"{title} ({wall:.1f} s; seconds, share of one core" + (", per accepted quote)" if accepted else ")")]
    for part, label in (("server", "server"), ("worker", "worker"), ("database", "postgres"), ("client", "client"),
                        ("bench", "bench"), ("postgres", "postgres*")):
        if part not in cpu:
            continue
        per = f"   {cpu[part] / accepted * 1000:6.1f} ms/quote" if accepted else ""
        lines.append(f"  {label:<9s}  {cpu[part]:7.2f} s  {cpu[part] / wall * 100:5.0f}%{per}")
    lines.append("  (worker: Celery worker and beat; bench: this process (polling, the close watch); postgres: the "
                 "backends of this run's database; postgres*: every PostgreSQL process on the machine, other "
                 "databases' and WAL writing included)")
    if cpu.get("total"):
        ours = sum(cpu.get(part, 0.0) for part in ("server", "worker", "database", "client", "bench"))
        other = max(0.0, cpu["busy"] - ours)
        lines.append(f"  machine    {cpu['busy'] / cpu['total'] * 100:5.0f}% busy over {os.cpu_count()} cores; other "
                     f"work (not this run's processes) {other:.1f} s = {other / cpu['total'] * 100:.0f}% of the machine")
    if rss:
        lines.append("  peak RSS   " + ", ".join(f"{name} {mib:.0f} MiB" for name, mib in rss.items()))
    return lines


def close_section(outcome: Outcome) -> list[str]:
    m, w = outcome.moments, outcome.watch
    d = m["deadline"]

    def since(value: float | None) -> float | None:
        return None if value is None else value - d

    def gap(a: float | None, b: float | None) -> float | None:
        return None if a is None or b is None else b - a

    closer = [r for r in outcome.task_runs if r["task"] in ("procurement.tasks.close_rfq_when_due",
                                                             "procurement.tasks.close_overdue_rfqs")
              and r["result"].strip() not in ("False", "[]")]
    after = [r for r in outcome.task_runs if r["task"] == "procurement.tasks.after_close"]
    lines = ["close        (D = the deadline; server moments from the row and the audit trail, bench moments as seen "
             "over the API and the database)",
             f"  deadline → close transition (closed_at)             {_s(since(m['closed_at']))}",
             f"  close transition → quotes opened (bids.opened)      {_s(gap(m['closed_at'], m['opened_event']))}",
             f"  opened → ranked (auction.ranked)                    {_s(gap(m['opened_event'], m['ranked_event']))}",
             f"  deadline → close committed (seen closed)            {_s(since(w.seen_closed))}",
             f"  deadline → evaluation available (GET 200)           {_s(since(w.evaluation_200))}"
             + (f"   (that request took {w.evaluation_latency * 1000:.0f} ms)" if w.evaluation_latency else ""),
             f"  deadline → fairness report generated (first event)  {_s(since(m['report_event']))}",
             f"  deadline → after_close finished (seen in the log)   {_s(since(w.after_close_done))}"]
    if closer:
        lines.append(f"  closed by  {closer[0]['task']} in {closer[0]['seconds']:.2f} s (worker log)")
    else:
        lines.append("  closed by  (no close task logged as having closed it)")
    if after:
        lines.append(f"  after_close (gaming scan at close + fairness report) {after[0]['seconds']:.2f} s"
                     + (f"; {len(after)} runs" if len(after) > 1 else ""))
    reports = [r for r in outcome.task_runs if r["task"].endswith("generate_fairness_report")]
    if reports:
        runs = ", ".join(f"{r['seconds']:.2f} s → {r['result']}" for r in reports[:4])
        lines.append(f"  generate_fairness_report also ran {len(reports)} times ({runs})")
    if w.report_get:
        lines.append(f"  GET /fairness-report/ afterwards: {w.report_get[0]} in {w.report_get[1] * 1000:.0f} ms")
    lines += cpu_lines("cpu during the close, from the deadline to after_close done", outcome.cpu_close, 0)
    return lines


def verification_section(outcome: Outcome) -> list[str]:
    f = outcome.facts
    checked = f.get("chain_verified") or (0, 0)
    lines = [f"verified     {len(outcome.problems)} violations",
             f"  stored     {f.get('bids')} bids ({f.get('standing')} standing, {f.get('superseded')} superseded) == "
             f"201 answers == {f.get('placed_events')} bid.placed; refusals audited: {f.get('rejected_events')}",
             f"  opened     {f.get('opened_events')} bids.opened event naming {f.get('opened_quotes')} quotes "
             f"(superseded versions included, each once); {f.get('bid_lines')} quote lines written",
             f"  ranked     {f.get('ranked_events')} auction.ranked event ranking {f.get('ranked')} quotes; GET "
             f"/evaluation/ ranks {f.get('evaluation_rankings')} (same order)",
             f"  report     fairness report version {f.get('report_version')}; gaming alerts raised {f.get('alerts')} "
             f"({', '.join(f.get('alert_detectors') or []) or 'none'})",
             f"  audit      verify: the RFQ's stream ({checked[0]} events: chain, checkpoints, state replayed), then "
             f"every stream ({checked[1]} events), in {f.get('verify_seconds', 0):.1f} s"]
    lines += [f"  VIOLATION: {p}" for p in outcome.problems]
    if outcome.worker_failures:
        lines.append(f"  worker log: {len(outcome.worker_failures)} ERROR/CRITICAL lines, first: "
                     f"{outcome.worker_failures[0][:200]}")
    return lines


def write_json(args, outcome: Outcome) -> None:
    answers = outcome.burst.answers
    ok = [a.latency for a in answers if a.status == 201]
    m = outcome.moments
    data = {
        "suppliers": args.suppliers, "lines": args.lines, "window": args.window, "revise": args.revise,
        "processes": args.processes, "threads": args.threads, "server": args.server, "workers": args.workers,
        "late": args.late,
        "sent": len(answers), "accepted": len(ok),
        "refused": dict(Counter(f"{a.status} {','.join(a.rules) or a.error.split(':')[0]}"
                                for a in answers if a.status not in (201, 0))),
        "unanswered": sum(1 for a in answers if a.status == 0),
        "accept_latency_ms": dict(zip(("p50", "p95", "p99"), (v * 1000 for v in percentiles(ok)), strict=True))
        | {"mean": statistics.fmean(ok) * 1000 if ok else None},
        "close_s": {name: (m[key] - m["deadline"]) if m.get(key) else None for name, key in (
            ("closed_at", "closed_at"), ("opened", "opened_event"), ("ranked", "ranked_event"),
            ("report", "report_event"))}
        | {"seen_closed": (outcome.watch.seen_closed - m["deadline"]) if outcome.watch.seen_closed else None,
           "evaluation_200": (outcome.watch.evaluation_200 - m["deadline"]) if outcome.watch.evaluation_200 else None},
        "cpu_burst": outcome.cpu_burst, "cpu_close": outcome.cpu_close, "peak_rss_mib": outcome.rss,
        "task_runs": [r for r in outcome.task_runs if not r["task"].endswith(("open_due_rfqs", "close_overdue_rfqs"))
                      or r["result"].strip() not in ("[]",)],
        "violations": outcome.problems, "facts": outcome.facts, "setup": outcome.setup, "machine": machine_info(),
    }
    args.json.write_text(json.dumps(data, indent=2, default=str))
