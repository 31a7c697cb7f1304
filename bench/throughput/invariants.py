"""Everything that must hold in the database after the run (bench/README.md, "Invariants")."""
from __future__ import annotations

from collections import Counter

from harness.world import DECREMENT, STARTING_PRICE, World

from .load import Sample


def check_invariants(world: World, samples: list[Sample], errors: Counter, *,
                     extensions_allowed: int = 0, pgbench_ran: bool = False) -> tuple[list[str], dict]:
    """Every breach as one line, and the facts the report prints; returns (violations, facts).
    `extensions_allowed`: anti-sniping may extend the deadline that often (live_auction.py).
    `pgbench_ran`: pgbench has written to the twin auction, whose stream is then left out of
    "every stream" (its script makes up its hashes: bench/throughput/pgbench_sql.py)."""
    from auctions.models import Bid, BidStatus
    from audit.models import AuditEvent, rfq_stream

    stream = rfq_stream(world.rfq_id)
    bids = list(Bid.objects.filter(rfq_id=world.rfq_id).order_by("audit_seq", "id")
                .values("id", "amount", "status", "audit_seq", "supplier_id", "version", "submitted_at",
                        "line_item_id"))
    accepted = [b for b in bids if b["status"] == BidStatus.ACCEPTED]
    events = list(AuditEvent.objects.filter(stream=stream).order_by("seq").values("seq", "type", "payload"))
    placed = [e for e in events if e["type"] == "bid.placed"]
    refused_events = [e for e in events if e["type"] == "bid.place_rejected"]

    problems = answers_match_rows(samples, bids, accepted, placed, refused_events)
    problems += bid_order(bids, accepted, placed)
    rfq_problems, rfq = auction_row(world.rfq_id, accepted, bool(world.line_ids), extensions_allowed)
    problems += rfq_problems
    line_problems, per_line = lots(world, samples, accepted, placed)
    problems += line_problems
    chain_problems, checked = audit_chains(world.rfq_id, stream,
                                           skip=rfq_stream(world.twin_rfq_id) if pgbench_ran else None)
    problems += chain_problems
    problems += responses(samples, errors)
    facts = {"accepted_rows": len(accepted), "placed_events": len(placed), "refused_events": len(refused_events),
             "chain_events_checked": checked[0], "all_streams_checked": checked[1],
             "final_best": rfq.best_amount, "bid_count": rfq.bid_count, "lines": per_line}
    return problems, facts


def chain_breaks(accepted: list[dict]) -> int:
    """Accepted bids (in audit order) that do not beat the one before by the decrement, the
    first one counting when it is above the starting price."""
    breaks = sum(1 for prev, cur in zip(accepted, accepted[1:], strict=False)
                 if cur["amount"] > prev["amount"] - DECREMENT)
    return breaks + (1 if accepted and accepted[0]["amount"] > STARTING_PRICE else 0)


def answers_match_rows(samples: list[Sample], bids: list[dict], accepted: list[dict], placed: list[dict],
                       refused_events: list[dict]) -> list[str]:
    """Accepted answers == accepted rows == bid.placed events, same ids; every refusal audited."""
    problems = []
    ok_responses = [s for s in samples if s.kind == "bid" and s.status == 201]
    refused_responses = [s for s in samples if s.kind == "bid" and s.status in (422, 429)]
    if len(bids) != len(accepted):
        problems.append(f"{len(bids) - len(accepted)} bids are not 'accepted' (nothing withdraws in this run)")
    if not (len(ok_responses) == len(accepted) == len(placed)):
        problems.append(f"accepted responses {len(ok_responses)}, accepted Bid rows {len(accepted)}, "
                        f"bid.placed events {len(placed)}: they must be equal")
    answered, stored = {s.bid_id for s in ok_responses}, {b["id"] for b in accepted}
    if answered != stored:
        problems.append(f"bid ids differ: in the database only {sorted(stored - answered)[:10]}, "
                        f"answered 201 but missing {sorted(answered - stored)[:10]}")
    if len(ok_responses) != len(answered):
        problems.append("the same bid id was answered 201 twice")
    if len(refused_events) != len(refused_responses):
        problems.append(f"{len(refused_responses)} refusals answered, {len(refused_events)} bid.place_rejected "
                        "events: every refusal is audited")
    return problems


def bid_order(bids: list[dict], accepted: list[dict], placed: list[dict]) -> list[str]:
    """Strictly decreasing by the decrement in audit order, the same order everywhere, versions 1…n."""
    problems = []
    # Lots: each line's chain (checked in lots()); the audit order below is still one for all.
    not_decreasing = 0 if any(b["line_item_id"] for b in accepted) else chain_breaks(accepted)
    if not_decreasing:
        problems.append(f"{not_decreasing} accepted bids do not beat the previous accepted bid by {DECREMENT}")
    out_of_order = sum(1 for b, e in zip(accepted, placed, strict=False)
                       if b["audit_seq"] != e["seq"] or e["payload"].get("bid_id") != b["id"])
    if out_of_order or [b["audit_seq"] for b in accepted] != [e["seq"] for e in placed]:
        problems.append(f"{out_of_order} accepted bids differ from the audit trail's bid.placed order")
    submitted_order = sorted(accepted, key=lambda b: (b["submitted_at"], b["id"]))
    if [b["id"] for b in submitted_order] != [b["id"] for b in accepted]:
        problems.append("submitted_at order differs from the audit order of accepted bids")
    versions: dict[int, list[int]] = {}
    for b in sorted(bids, key=lambda b: b["id"]):
        versions.setdefault(b["supplier_id"], []).append(b["version"])
    gaps = sum(1 for v in versions.values() if sorted(v) != list(range(1, len(v) + 1)))
    if gaps:
        problems.append(f"{gaps} suppliers have bid versions with gaps or repeats")
    return problems


def auction_row(rfq_id: int, accepted: list[dict], per_line: bool = False, extensions_allowed: int = 0):
    """The auction row's best, bid and count are the last accepted bid's (lots: no best of its
    own, the count of all lines); no more extensions than allowed (none by default)."""
    from rfqs.models import RFQ

    problems = []
    rfq = RFQ.objects.get(pk=rfq_id)
    if per_line and (rfq.best_amount is not None or rfq.best_bid_id is not None):
        problems.append(f"a per-line auction's row has a best of its own: {rfq.best_amount} / bid {rfq.best_bid_id}")
    elif accepted and not per_line:
        last = accepted[-1]
        if rfq.best_amount != last["amount"] or rfq.best_bid_id != last["id"]:
            problems.append(f"RFQ best {rfq.best_amount} / bid {rfq.best_bid_id} is not the last accepted bid "
                            f"{last['amount']} / {last['id']}")
    if rfq.bid_count != len(accepted):
        problems.append(f"RFQ bid_count {rfq.bid_count} != {len(accepted)} accepted bids")
    if rfq.extensions > extensions_allowed:
        problems.append(f"the deadline was extended {rfq.extensions} times (at most {extensions_allowed} here)")
    return problems, rfq


def audit_chains(rfq_id: int, stream: str, skip: str | None = None) -> tuple[list[str], tuple[int, int]]:
    """The auction's hash chain and every stream's (but `skip`) verify; returns (problems,
    events checked)."""
    from oversight.selectors import audit_verify, every_stream, verify_streams

    problems = []
    verification = audit_verify(rfq_id=rfq_id)
    if not verification.ok:
        problems.append(f"audit chain of {stream} broken at seq {verification.first_bad_seq}: {verification.problem}")
    everything = verify_streams(key for key in every_stream() if key != skip)
    if not everything.ok:
        problems.append(f"audit chain {everything.stream} broken at seq {everything.first_bad_seq}: "
                        f"{everything.problem}")
    return problems, (verification.checked, everything.checked)


def responses(samples: list[Sample], errors: Counter) -> list[str]:
    """No 5xx, no request without an answer, no unexpected status."""
    problems = []
    server_errors = sum(1 for s in samples if s.status >= 500)
    if server_errors:
        problems.append(f"{server_errors} responses were 5xx")
    no_response = sum(1 for s in samples if s.status == 0)
    if no_response:
        problems.append(f"{no_response} requests got no response ({dict(errors)})")
    other = Counter(s.status for s in samples if s.kind == "bid" and s.status not in (0, 201, 422, 429)
                    and s.status < 500)
    if other:
        problems.append(f"unexpected statuses for bids: {dict(other)}")
    return problems


def lots(world: World, samples: list[Sample], accepted: list[dict], placed: list[dict]) -> tuple[list[str], dict]:
    """--lots: per line, the accepted bids in audit order are a chain strictly decreasing by the
    decrement (no two accepted against the same best of a line), the line's stored best, best
    bid and count are the chain's, and every bid.placed event names its bid's line. Returns
    (problems, {line id: figures})."""
    from rfqs.models import LineItem

    if not world.line_ids:
        return [], {}
    problems, figures = [], {}
    rows = {line.pk: line for line in LineItem.objects.filter(rfq_id=world.rfq_id)}
    strays = sum(1 for b in accepted if b["line_item_id"] not in world.line_ids)
    if strays:
        problems.append(f"{strays} accepted bids name no lot of the auction")
    unnamed = sum(1 for b, e in zip(accepted, placed, strict=False) if e["payload"].get("line_item_id") != b["line_item_id"])
    if unnamed:
        problems.append(f"{unnamed} bid.placed events do not name their bid's line")
    for n, line_id in enumerate(world.line_ids, start=1):
        chain = [b for b in accepted if b["line_item_id"] == line_id]
        if breaks := chain_breaks(chain):
            problems.append(f"lot {n} (line {line_id}): {breaks} accepted bids do not beat the line's previous "
                            f"accepted bid by {DECREMENT}")
        line, last = rows[line_id], (chain[-1] if chain else {"amount": None, "id": None})
        if (line.best_amount, line.best_bid_id, line.bid_count) != (last["amount"], last["id"], len(chain)):
            problems.append(f"lot {n} (line {line_id}): stored best {line.best_amount} / bid {line.best_bid_id} / "
                            f"count {line.bid_count}, its accepted bids end at {last['amount']} / {last['id']} / "
                            f"{len(chain)}")
        sent = [s for s in samples if s.kind == "bid" and s.line == line_id]
        figures[line_id] = {"lot": n, "sent": len(sent), "accepted": len(chain),
                            "refused": sum(1 for s in sent if s.status in (422, 429)), "best": line.best_amount}
    return problems, figures
