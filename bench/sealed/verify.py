"""What must hold once the close is done, read from the database and the audit trail; every
breach is one line (bench/README.md, "sealed_burst.py": "Verification")."""
from __future__ import annotations

import time
from collections import Counter
from decimal import Decimal

from .burst import Answer
from .plan import Submission

EXPECTED_STATUSES = (201, 422)


def verify(rfq_id: int, plan: list[Submission], answers: list[Answer], evaluation: dict | None,
           line_ids: list[int], quantities: list[Decimal]) -> tuple[list[str], dict]:
    """(violations, facts)."""
    from auctions.models import Bid, BidLine
    from audit.models import AuditEvent, FairnessReport, rfq_stream
    from rfqs.models import RFQ

    rfq = RFQ.objects.get(pk=rfq_id)
    bids = {b["id"]: b for b in Bid.objects.filter(rfq_id=rfq_id).values(
        "id", "supplier_id", "version", "status", "amount", "submitted_at", "opened_at", "sealed_commitment",
        "audit_seq")}
    events = list(AuditEvent.objects.filter(stream=rfq_stream(rfq_id)).order_by("seq").values("seq", "type", "payload"))
    by_type: dict[str, list[dict]] = {}
    for event in events:
        by_type.setdefault(event["type"], []).append(event)
    accepted = {a.bid_id: a for a in answers if a.status == 201}
    by_n = {s.n: s for s in plan}
    standing = {pk for pk, b in bids.items() if b["status"] == "accepted"}

    problems = responses(answers)
    problems += stored(bids, accepted, answers, by_type)
    problems += versions(bids, rfq)
    problems += opening(bids, by_type.get("bids.opened", []), accepted, by_n)
    problems += lines(bids, BidLine.objects.filter(bid__rfq_id=rfq_id).values_list(
        "bid_id", "line_item_id", "unit_price", "line_total"), accepted, by_n, line_ids, quantities)
    rank_problems, ranked = ranking(standing, by_type.get("auction.ranked", []), evaluation)
    problems += rank_problems
    report = FairnessReport.objects.filter(rfq_id=rfq_id).first()
    problems += report_problems(report, bids, standing)
    problems += rfq_row(rfq, bids, standing)
    verify_problems, verified, verify_seconds = audit_chain(rfq_id)
    problems += verify_problems
    facts = {
        "bids": len(bids), "standing": len(standing),
        "superseded": sum(1 for b in bids.values() if b["status"] == "superseded"),
        "placed_events": len(by_type.get("bid.placed", [])),
        "rejected_events": len(by_type.get("bid.place_rejected", [])),
        "opened_events": len(by_type.get("bids.opened", [])),
        "opened_quotes": sum(len(e["payload"].get("quotes", [])) for e in by_type.get("bids.opened", [])),
        "ranked_events": len(by_type.get("auction.ranked", [])), "ranked": ranked,
        "evaluation_rankings": len((evaluation or {}).get("rankings", [])),
        "report_version": report.version if report else None,
        "alerts": sum(1 for e in events if e["type"] == "gaming.alert_raised"),
        "alert_detectors": sorted({e["payload"].get("detector", "?") for e in events
                                   if e["type"] == "gaming.alert_raised"}),
        "stream_events": len(events), "chain_verified": verified, "verify_seconds": verify_seconds,
        "bid_lines": BidLine.objects.filter(bid__rfq_id=rfq_id).count(),
    }
    return problems, facts


def responses(answers: list[Answer]) -> list[str]:
    """Every request answered, no 5xx, nothing but 201 and 422."""
    problems = []
    unanswered = [a for a in answers if a.status == 0]
    if unanswered:
        problems.append(f"{len(unanswered)} quotes got no answer after {max(a.attempts for a in unanswered)} attempts "
                        f"(first: {unanswered[0].error})")
    server_errors = [a for a in answers if a.status >= 500]
    if server_errors:
        problems.append(f"{len(server_errors)} answers were 5xx (first: {server_errors[0].status} "
                        f"{server_errors[0].error})")
    other = Counter(a.status for a in answers if a.status and a.status < 500 and a.status not in EXPECTED_STATUSES)
    if other:
        problems.append(f"unexpected statuses: {dict(other)}")
    late = [a for a in answers if a.kind == "late" and a.status == 201]
    if late:
        problems.append(f"{len(late)} quotes sent after the deadline were accepted (201), e.g. bid {late[0].bid_id}")
    return problems


def stored(bids: dict[int, dict], accepted: dict[int | None, Answer], answers: list[Answer],
           by_type: dict[str, list[dict]]) -> list[str]:
    """No quote lost or invented: 201 answers == Bid rows == bid.placed events, the same ids,
    each commitment as recorded; every refusal audited."""
    problems = []
    ok = [a for a in answers if a.status == 201]
    if None in accepted:
        problems.append("a 201 answer carried no bid id")
    if len(ok) != len(accepted):
        problems.append(f"{len(ok) - len(accepted)} 201 answers repeat another's bid id")
    placed = {e["payload"].get("bid_id"): e for e in by_type.get("bid.placed", [])}
    if len(placed) != len(by_type.get("bid.placed", [])):
        problems.append("a bid has more than one bid.placed event")
    answered, rows = set(accepted) - {None}, set(bids)
    if not (answered == rows == set(placed)):
        problems.append(f"201 answers {len(answered)}, Bid rows {len(rows)}, bid.placed events {len(placed)} "
                        f"differ: answered but not stored {sorted(answered - rows)[:10]}, stored but never answered "
                        f"{sorted(rows - answered)[:10]}, without bid.placed {sorted(rows - set(placed))[:10]}")
    wrong = [pk for pk in rows & set(placed)
             if placed[pk]["payload"].get("commitment") != bids[pk]["sealed_commitment"]
             or placed[pk]["seq"] != bids[pk]["audit_seq"]]
    if wrong:
        problems.append(f"{len(wrong)} bids differ from their bid.placed event (commitment or seq), e.g. {wrong[:5]}")
    refused = sum(1 for a in answers if a.status == 422)
    audited = len(by_type.get("bid.place_rejected", []))
    if refused != audited:
        problems.append(f"{refused} refusals answered, {audited} bid.place_rejected events: every refusal is audited")
    return problems


def versions(bids: dict[int, dict], rfq) -> list[str]:
    """Per supplier: versions 1…n in submission order, the latest standing, the rest superseded;
    no quote accepted after the deadline."""
    problems = []
    per_supplier: dict[int, list[dict]] = {}
    for bid in sorted(bids.values(), key=lambda b: (b["submitted_at"], b["id"])):
        per_supplier.setdefault(bid["supplier_id"], []).append(bid)
    gaps = wrong_status = 0
    for own in per_supplier.values():
        gaps += [b["version"] for b in own] != list(range(1, len(own) + 1))
        wrong_status += [b["status"] for b in own] != ["superseded"] * (len(own) - 1) + ["accepted"]
    if gaps:
        problems.append(f"{gaps} suppliers' versions are not 1…n in submission order")
    if wrong_status:
        problems.append(f"{wrong_status} suppliers do not have exactly their latest version standing and the "
                        f"earlier ones superseded")
    late = sum(1 for b in bids.values() if b["submitted_at"] > rfq.bidding_deadline)
    if late:
        problems.append(f"{late} quotes were accepted after the deadline")
    return problems


def opening(bids: dict[int, dict], opened_events: list[dict], accepted: dict[int | None, Answer],
            by_n: dict[int, Submission]) -> list[str]:
    """One `bids.opened` event naming every quote exactly once (superseded versions too, with
    their status), each opened with the total its supplier sent."""
    if len(opened_events) != 1:
        return [f"{len(opened_events)} bids.opened events (one expected)"]
    problems = []
    quotes = opened_events[0]["payload"].get("quotes", [])
    count = Counter(q["bid_id"] for q in quotes)
    twice = [pk for pk, n in count.items() if n > 1]
    if twice:
        problems.append(f"{len(twice)} quotes were opened more than once, e.g. {twice[:5]}")
    if set(count) != set(bids):
        problems.append(f"bids.opened names {len(count)} quotes, {len(bids)} were stored: not opened "
                        f"{sorted(set(bids) - set(count))[:10]}, unknown {sorted(set(count) - set(bids))[:10]}")
    status = sum(1 for q in quotes if q["bid_id"] in bids and q["status"] != bids[q["bid_id"]]["status"])
    if status:
        problems.append(f"{status} quotes have another status in bids.opened than in the database")
    unopened = sum(1 for b in bids.values() if b["opened_at"] is None or b["amount"] is None)
    if unopened:
        problems.append(f"{unopened} bids have no opening time or amount after the close")
    wrong = [pk for pk, b in bids.items() if pk in accepted and b["amount"] is not None
             and Decimal(b["amount"]) != Decimal(by_n[accepted[pk].n].total)]
    if wrong:
        problems.append(f"{len(wrong)} quotes opened to another total than their supplier sent, e.g. {wrong[:5]}")
    recorded = [q["bid_id"] for q in quotes if q["bid_id"] in accepted
                and Decimal(q["total"].replace(",", "")) != Decimal(by_n[accepted[q["bid_id"]].n].total)]
    if recorded:
        problems.append(f"{len(recorded)} totals in bids.opened differ from what was sent, e.g. {recorded[:5]}")
    return problems


def lines(bids: dict[int, dict], rows, accepted: dict[int | None, Answer], by_n: dict[int, Submission],
          line_ids: list[int], quantities: list[Decimal]) -> list[str]:
    """Every opened quote has exactly one row per line item, at the unit price sent, line total
    = quantity × price."""
    quantity = dict(zip(line_ids, quantities, strict=True))
    position = {line_id: j for j, line_id in enumerate(line_ids)}
    per_bid: dict[int, list[tuple]] = {}
    for row in rows:
        per_bid.setdefault(row[0], []).append(row)
    incomplete = [pk for pk in bids if sorted(r[1] for r in per_bid.get(pk, [])) != sorted(line_ids)]
    wrong = 0
    for pk, own in per_bid.items():
        if pk not in accepted:
            continue
        sent = by_n[accepted[pk].n].prices
        wrong += any(Decimal(price) != Decimal(sent[position[line]]) or Decimal(total) != quantity[line] * Decimal(price)
                     for _, line, price, total in own)
    problems = []
    if incomplete:
        problems.append(f"{len(incomplete)} opened quotes do not have exactly one line per line item, e.g. "
                        f"{incomplete[:5]}")
    if wrong:
        problems.append(f"{wrong} opened quotes have a line price or line total other than sent")
    return problems


def ranking(standing: set[int], ranked_events: list[dict], evaluation: dict | None) -> tuple[list[str], int]:
    """One `auction.ranked` event ranking every standing quote exactly once (no superseded
    version), by total; GET /evaluation/ ranks the same quotes in the same order."""
    if len(ranked_events) != 1:
        return [f"{len(ranked_events)} auction.ranked events (one expected)"], 0
    problems = []
    rows = ranked_events[0]["payload"].get("rankings", [])
    ids = [r["bid_id"] for r in rows]
    if len(ids) != len(set(ids)):
        problems.append(f"{len(ids) - len(set(ids))} quotes ranked more than once in auction.ranked")
    if set(ids) != standing:
        problems.append(f"auction.ranked ranks {len(set(ids))} quotes, {len(standing)} stand: not ranked "
                        f"{sorted(standing - set(ids))[:10]}, ranked but not standing {sorted(set(ids) - standing)[:10]}")
    totals = [Decimal(str(r["total"]).replace(",", "")) for r in rows]
    if totals != sorted(totals) or [r["rank"] for r in rows] != sorted(r["rank"] for r in rows):
        problems.append("auction.ranked is not in ascending order of total and rank")
    if evaluation is not None:
        served = [r["bid_id"] for r in evaluation.get("rankings", [])]
        if served != ids:
            problems.append(f"GET /evaluation/ ranks {len(served)} quotes ({len(set(served))} distinct) in another "
                            f"order or set than auction.ranked ({len(ids)})")
        if evaluation.get("recommended_bid_id") != (ids[0] if ids else None):
            problems.append("the recommended quote is not the first ranked")
    return problems, len(ids)


def report_problems(report, bids: dict[int, dict], standing: set[int]) -> list[str]:
    """The fairness report exists and counts what the database holds."""
    if report is None:
        return ["no fairness report"]
    data, problems = report.data, []
    summary = data["summary"]["bids"]
    if summary["placed"] != len(bids) or summary["accepted"] != len(standing):
        problems.append(f"the fairness report counts {summary['placed']} bids ({summary['accepted']} standing); the "
                        f"database holds {len(bids)} ({len(standing)})")
    counted = data["price_distribution"].get("counted_bid_ids", [])
    if sorted(counted) != sorted(standing):
        problems.append(f"the report's price distribution counts {len(counted)} quotes, {len(standing)} stand")
    if data["outcome"]["ranked_quotes"] != len(standing):
        problems.append(f"the report says {data['outcome']['ranked_quotes']} quotes were ranked, {len(standing)} stand")
    return problems


def rfq_row(rfq, bids: dict[int, dict], standing: set[int]) -> list[str]:
    problems = []
    if rfq.status != "closed":
        problems.append(f"the RFQ is {rfq.status}, not closed")
    if rfq.bid_count != len(standing):
        problems.append(f"the RFQ's bid_count is {rfq.bid_count}, {len(standing)} suppliers' quotes stand")
    if rfq.bids_opened_at is None:
        problems.append("the RFQ has no opening time")
    best = min((Decimal(bids[pk]["amount"]) for pk in standing if bids[pk]["amount"] is not None), default=None)
    if best is not None and (rfq.best_amount is None or Decimal(rfq.best_amount) != best):
        problems.append(f"the RFQ's best_amount {rfq.best_amount} is not the lowest standing total {best}")
    return problems


def audit_chain(rfq_id: int) -> tuple[list[str], tuple[int, int], float]:
    """`audit verify` of the RFQ's stream and of every stream: (problems, events checked, seconds)."""
    from oversight.selectors import audit_verify

    began = time.monotonic()
    one = audit_verify(rfq_id=rfq_id)
    every = audit_verify()
    seconds = time.monotonic() - began
    problems = []
    if not one.ok:
        problems.append(f"audit verify of the RFQ's stream fails at seq {one.first_bad_seq}: {one.problem} "
                        f"({len(one.problems)} problems)")
    if not every.ok:
        problems.append(f"audit verify of every stream fails in {every.stream} at seq {every.first_bad_seq}: "
                        f"{every.problem}")
    return problems, (one.checked, every.checked), seconds
