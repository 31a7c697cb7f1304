"""What one live-auction run must show: no event lost by any client (after resume), every
answer accounted for, the auction's invariants (bench/throughput/invariants.py, anti-sniping
allowed) and the live ones: extensions as audited, one close after the final deadline, no bid
accepted after it. The counting is pure (plain data in, problems out) and unit-tested."""
from __future__ import annotations

import re
from collections import Counter
from datetime import datetime

from throughput.load import Sample

SERVER_ERROR = re.compile(r'" (5\d\d) ')  # Gunicorn's and Uvicorn's access lines: `"GET /x HTTP/1.1" 503 …`
# common.realtime's `quayside.live.commits` lines (LIVE_COMMITS_LOG_LEVEL=DEBUG): a publish's commit moment.
COMMITTED = re.compile(r"committed (\d+\.\d+) rfq (\d+) seqs ([\d,]+)")


def losses(expected: list[int], records: list[dict]) -> dict:
    """Per client, the live events the database holds after the client's first state that it
    never yielded (after every resume): `lost`; events yielded twice, out of order, or that the
    database does not hold; clients that failed or never saw the close."""
    wanted = sorted(set(expected))
    held = set(wanted)
    out = Counter()
    lossy = []
    for record in records:
        start = record["start"]
        if start is None:
            out["never_connected"] += 1
            lossy.append(record["i"])
            out["lost"] += len(wanted)
            continue
        got = record["seqs"]
        have = set(got)
        missing = [s for s in wanted if s > start and s not in have]
        out["lost"] += len(missing)
        out["expected"] += sum(1 for s in wanted if s > start)
        out["duplicates"] += len(got) - len(have)
        out["out_of_order"] += sum(1 for a, b in zip(got, got[1:], strict=False) if b <= a)
        out["unknown"] += sum(1 for s in got if s not in held)
        out["failed"] += 1 if record.get("error") else 0
        if missing:
            lossy.append(record["i"])
    return {**{k: out[k] for k in ("expected", "lost", "duplicates", "out_of_order", "unknown", "failed",
                                  "never_connected")}, "clients_with_loss": lossy}


def loss_problems(counted: dict) -> list[str]:
    problems = []
    if counted["lost"]:
        problems.append(f"{counted['lost']} events lost (by seq, after resume) by {len(counted['clients_with_loss'])} "
                        f"clients (first: {counted['clients_with_loss'][:5]})")
    for key, what in (("duplicates", "events yielded twice"), ("out_of_order", "events yielded out of seq order"),
                      ("unknown", "events yielded that the database does not hold"),
                      ("failed", "clients ended with an error"), ("never_connected", "clients never connected")):
        if counted[key]:
            problems.append(f"{counted[key]} {what}")
    return problems


def bid_samples(records: list[dict], t0: float) -> list[Sample]:
    """Every bid answer as bid_throughput's Sample (its invariants read them)."""
    return [Sample(started=sent - t0, latency=latency, status=status, kind="bid", rules=tuple(rules), bid_id=bid_id)
            for record in records for sent, latency, status, bid_id, rules in record["bids"]]


def summarise(records: list[dict], types: dict[int, str] | None = None,
              committed_after: dict[int, float] | None = None) -> dict:
    """Latencies and counts over every client. With `types` (each live event's audit type by
    seq), `delivery` is the accepted bids' alone, the events the bare baseline replays, and
    `delivery_other` the rest's by type: a close's or an extension's `at` is stamped where its
    own transaction starts its work, not just before its commit as a bid's is.

    A client's latency is from the event's `at`. With `committed_after` (seconds from a live
    event's `at` to its commit, by seq), `delivery_from_commit` is the bids' from their commit
    instead, for the bids whose commit is known; without it, the bare baseline's, it is
    `delivery` (its broadcast is its commit)."""
    bids = [b for r in records for b in r["bids"]]
    delivery, other, from_commit = [], {}, []
    for r in records:
        for seq, latency in zip(r["seqs"], r["lat"], strict=True):
            kind = types.get(seq, "?") if types is not None else "bid.placed"
            if latency == latency:
                (delivery if kind == "bid.placed" else other.setdefault(kind, [])).append(latency)
                if kind == "bid.placed" and committed_after is not None and seq in committed_after:
                    from_commit.append(latency - committed_after[seq])
    return {"clients": len(records), "bid_latency": [b[1] for b in bids if b[2] != 0],
            "delivery_from_commit": delivery if committed_after is None else from_commit,
            "bid_statuses": Counter(b[2] for b in bids),
            "bid_rules": Counter(rule for b in bids if b[2] in (422, 429) for rule in b[4]),
            "delivery": delivery, "delivery_other": other,
            **{key: sum(r[key] for r in records) for key in ("recovered", "resumes", "failures", "duplicates",
                                                             "private")},
            "resume_reasons": sum((Counter(r.get("resume_reasons", {})) for r in records), Counter()),
            "reconnects": sum(max(0, r["connections"] - 1) for r in records),
            "clients_resumed": sum(1 for r in records if r["resumes"]),
            "clients_recovered": sum(1 for r in records if r["recovered"])}


def live_problems(facts: dict) -> list[str]:
    """facts: status, extensions, max_extensions, trigger_seconds, deadline (final), initial
    deadline, extended (each {at, old, new}), closes (the close events' `at`), accepted (each
    accepted bid's submitted_at). All datetimes."""
    problems = []
    extended = facts["extended"]
    if facts["status"] != "closed":
        problems.append(f"the auction ended {facts['status']!r}, not closed")
    if facts["extensions"] != len(extended):
        problems.append(f"the row counts {facts['extensions']} extensions, the audit trail {len(extended)}")
    if len(extended) > facts["max_extensions"]:
        problems.append(f"{len(extended)} extensions, more than the {facts['max_extensions']} allowed")
    chain = [facts["initial_deadline"]] + [e["new"] for e in extended]
    if any(e["old"] != before for e, before in zip(extended, chain, strict=False)) or chain[-1] != facts["deadline"]:
        problems.append("the extensions do not chain from the first deadline to the final one")
    early = [e for e in extended if (e["old"] - e["at"]).total_seconds() > facts["trigger_seconds"]]
    if early:
        problems.append(f"{len(early)} extensions were triggered outside the last {facts['trigger_seconds']} s")
    if len(facts["closes"]) != 1:
        problems.append(f"{len(facts['closes'])} close events (one expected)")
    elif facts["closes"][0] < facts["deadline"]:
        problems.append(f"closed at {facts['closes'][0]}, before the final deadline {facts['deadline']}")
    late = [at for at in facts["accepted"] if at > facts["deadline"]]
    if late:
        problems.append(f"{len(late)} bids accepted after the final deadline")
    return problems


def commit_moments(lines: list[str], rfq_id: int) -> dict[int, float]:
    """Each live event of the auction whose publish a server logged: seq → commit moment (epoch)."""
    moments = {}
    for line in lines:
        match = COMMITTED.search(line)
        if match and int(match.group(2)) == rfq_id:
            moments.update(dict.fromkeys(map(int, match.group(3).split(",")), float(match.group(1))))
    return moments


def server_errors(lines: list[str]) -> Counter:
    """5xx answers in the servers' access logs, by status (the SDK retries a 5xx, so the
    clients' answers alone would hide one)."""
    return Counter(m.group(1) for line in lines if (m := SERVER_ERROR.search(line)))


def database_facts(rfq_id: int, since: datetime | None = None) -> tuple[list[int], dict]:
    """The live events' seqs of the auction's stream, live_problems' facts and what the bare
    baseline replays of each bid, from the database."""
    from auctions.mechanisms.reverse import extension_tiers
    from auctions.models import Bid, BidStatus
    from audit.models import AuditEvent, rfq_stream
    from rfqs.models import RFQ

    rfq = RFQ.objects.get(pk=rfq_id)
    events = AuditEvent.objects.filter(stream=rfq_stream(rfq_id)).order_by("seq")
    chain = list(events.filter(live_prev_seq__isnull=False).values_list("seq", "type", "at"))
    types = {seq: kind for seq, kind, _ in chain}
    live = list(types)
    extensions = list(events.filter(type="deadline.extended"))
    extended = [{"at": e.at, "old": datetime.fromisoformat(e.payload["old_deadline"]),
                 "new": datetime.fromisoformat(e.payload["new_deadline"])} for e in extensions]
    tiers = extension_tiers(rfq.auction_settings)
    first = extended[0]["old"] if extended else rfq.bidding_deadline
    facts = {"status": rfq.status, "extensions": rfq.extensions, "deadline": rfq.bidding_deadline,
             "initial_deadline": first, "extended": extended,
             "max_extensions": max((t["max_extensions"] for t in tiers), default=0),
             "trigger_seconds": max((t["trigger_seconds"] for t in tiers), default=0),
             "live_types": types,
             "live_at": {seq: at.timestamp() for seq, _, at in chain},
             "closes": list(events.filter(type="rfq.close").values_list("at", flat=True)),
             "accepted": list(Bid.objects.filter(rfq_id=rfq_id, status=BidStatus.ACCEPTED)
                              .values_list("submitted_at", flat=True)),
             # What the bare baseline replays of each bid (live.bare.replay_schedule).
             "bid_seqs": dict(Bid.objects.filter(rfq_id=rfq_id, status=BidStatus.ACCEPTED)
                              .values_list("id", "audit_seq")),
             "extending": {e.payload.get("triggered_by_bid") for e in extensions}}
    return live, facts
