"""The printed report of a live-auction run (and of each soak cycle)."""
from __future__ import annotations

from harness.machine import code_revision, machine_info
from harness.stats import percentiles

TARGET_DELIVERY_FACTOR = 2.0
# Delivery from the bid's commit (the measure; the bare server's broadcast is its
# commit) and from its `at`, stamped in the transaction before the COMMIT's round trip.
LATENCIES = (("bid (send → answer)", "bid_latency"), ("bids, commit → app", "delivery_from_commit"),
             ("bids, at → app", "delivery"))
DELIVERIES = (("delivery_from_commit", "from the commit"), ("delivery", "from `at`"))


def p50_p99(values: list[float]) -> tuple[float, float]:
    p50, p99 = percentiles(values, (50, 99))
    return p50 * 1000, p99 * 1000


def header(args, postgres: str) -> list[str]:
    info = {"memory_gib": "?", **machine_info()}
    return ["=" * 100, "Quayside live auction: SDK clients on one reverse auction, the README's production topology",
            "=" * 100,
            "machine   {nproc} cores ({cpu}), {memory_gib} GiB, Linux {kernel}, Python {python}".format(**info),
            f"code      {code_revision()}", f"postgres  {postgres}, database {args.db}",
            f"servers   {args.workers} × gunicorn (sync, HTTP) · {args.ws_workers} × uvicorn (/ws/) · Celery worker "
            f"+ beat · Redis {args.redis_url}",
            f"load      {args.clients} clients (bidders {args.bidders:.0%}, react {args.react:.0%}, snipers "
            f"{args.snipers:.0%} of bidders) in {args.processes} load-generator processes; bidding {args.seconds:g} s, "
            f"anti-sniping: a bid in the last {args.burst:g} s adds {args.burst:g} s, at most {args.extensions} times"]


def latency_rows(quayside: dict, bares: dict[str, dict]) -> list[str]:
    """Quayside's bid and delivery latency, and each bare baseline's beside it (name → summary)."""
    head = f"{'':24} | {'Quayside p50':>12} | {'p99':>8}"
    for name in bares:
        head += f" | {'bare, ' + name:>24} p50 | {'p99':>8} | {'p99 ÷':>6}"
    rows = [head]
    for label, key in LATENCIES:
        if not quayside.get(key):
            continue
        q50, q99 = p50_p99(quayside[key])
        row = f"{label:24} | {q50:10.1f}ms | {q99:6.1f}ms"
        for bare in bares.values():
            b50, b99 = p50_p99(bare[key])
            row += f" | {b50:26.1f}ms | {b99:6.1f}ms | {q99 / b99 if b99 else float('nan'):5.1f}×"
        rows.append(row)
    # The other live events, which the bare baselines measure no latency of: from their `at`
    # (an extension's is its bid's; a close's is where the close begins, before its ranking).
    for kind, latencies in sorted(quayside.get("delivery_other", {}).items()):
        q50, q99 = p50_p99(latencies)
        label = {"deadline.extended": "extension (→ app)", "rfq.close": "close (→ app)"}.get(kind, kind)
        rows.append(f"{label:24} | {q50:10.1f}ms | {q99:6.1f}ms | {len(latencies)} pairs")
    return rows


def process_rows(cycle) -> list[str]:
    wall = cycle.timings.get("wall") or 1.0
    rows = [f"{'process':22} | {'CPU s':>7} | {'% core':>6} | {'peak RSS MiB':>12}"]
    for name, seconds in cycle.cpu.items():
        peak = cycle.peak_rss.get(name)
        rows.append(f"{name:22} | {seconds:7.1f} | {seconds / wall * 100:6.1f} | "
                    f"{(f'{peak:12.1f}' if peak is not None else '           —')}")
    rows.append(f"{'load generator':22} | {cycle.loadgen['cpu']:7.1f} | {cycle.loadgen['cpu'] / wall * 100:6.1f} | "
                f"{cycle.loadgen['rss']:12.1f}   ({cycle.loadgen['processes']} processes, summed)")
    rows.append(f"{'one process':22} | {'RSS MiB connected → after':>26} | {'TCP conns connected → after':>28}")
    for name, now in cycle.during.items():
        after = cycle.after.get(name, {"rss": float("nan"), "conns": 0})
        rows.append(f"{name:22} | {now['rss']:11.1f} → {after['rss']:11.1f} | {now['conns']:13d} → {after['conns']:12d}")
    return rows


def events_rows(cycle) -> list[str]:
    s, lost = cycle.summary, cycle.lost
    statuses = ", ".join(f"{k or 'no answer'}: {v}" for k, v in sorted(s["bid_statuses"].items()))
    rules = ", ".join(f"{k} {v}" for k, v in s["bid_rules"].most_common()) or "—"
    why = ", ".join(f"{k} {v}" for k, v in s["resume_reasons"].most_common()) or "none"
    return [f"bids      {sum(s['bid_statuses'].values())} sent ({statuses}); refused by rule: {rules}",
            f"events    {cycle.facts.get('live_events')} live events in the database; {lost['expected']} "
            f"(client, event) pairs due, {lost['lost']} lost after resume "
            f"({len(lost['clients_with_loss'])} clients), {lost['duplicates']} duplicates, "
            f"{lost['out_of_order']} out of order",
            f"resume    {s['recovered']} events recovered by resume ({s['clients_recovered']} clients), "
            f"{s['resumes']} resumes by {s['clients_resumed']} clients ({why}), {s['reconnects']} reconnects, "
            f"{s['failures']} failed connections",
            f"private   {s['private']} rank_changed messages received ({s['private'] / max(1, s['clients']):.0f} "
            f"per client)",
            f"commits   {len(s.get('delivery_from_commit', ()))} of {len(s['delivery'])} (client, bid) pairs timed "
            f"from their bid's logged commit",
            f"auction   {cycle.facts.get('extensions')} extensions, {cycle.facts.get('status')}; "
            f"{cycle.facts.get('accepted_rows')} accepted bids, final best {cycle.facts.get('final_best')}"]


def report(args, postgres: str, cycle, bares: dict[str, tuple[dict, dict]]) -> str:
    """`bares`: each bare baseline run, by name: (summary, losses)."""
    t = cycle.timings
    lines = header(args, postgres) + [
        f"timeline  auction set up {t.get('create', 0):.1f} s, {args.clients} clients connected in "
        f"{t.get('connect', 0):.1f} s, window start → last client done {t.get('wall', 0):.1f} s (machine "
        f"{t.get('machine_busy', 0):.0%} busy, every process on every core)", ""]
    lines += latency_rows(cycle.summary, {name: summary for name, (summary, _) in bares.items()}) + [""]
    lines += events_rows(cycle)
    for name, (bare, lost) in bares.items():
        lines.append(f"bare      {name}: {lost['expected']} (client, bid_placed) pairs, {lost['lost']} lost, "
                     f"{bare['private']} rank_changed; its load generator {bare['loadgen_cpu']:.1f} CPU s "
                     f"(Quayside's: {cycle.loadgen['cpu']:.1f})")
    lines += [""] + process_rows(cycle) + [""]
    lines += verdict(cycle, {name: summary for name, (summary, _) in bares.items()})
    return "\n".join(lines)


def verdict(cycle, bares: dict[str, dict]) -> list[str]:
    lines = [f"violations {len(cycle.problems)}" + ("" if not cycle.problems else ":")]
    lines += [f"  - {p}" for p in cycle.problems]
    lines.append(f"target    0 events lost: {'met' if cycle.lost['lost'] == 0 else 'MISSED'}; 0 violations: "
                 f"{'met' if not cycle.problems else 'MISSED'}")
    for key, measured in DELIVERIES:
        if not cycle.summary.get(key):
            continue
        for name, bare in bares.items():
            ratio = p50_p99(cycle.summary[key])[1] / max(1e-9, p50_p99(bare[key])[1])
            lines.append(f"target    delivery p99 {measured} ≤ {TARGET_DELIVERY_FACTOR:g}× bare ({name}): "
                         f"{ratio:.2f}× — {'met' if ratio <= TARGET_DELIVERY_FACTOR else 'MISSED'}")
    return lines
