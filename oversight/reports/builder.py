"""The report's content: every section of product.md §5, as JSON, from the stored facts alone.

Money is a decimal string in the RFQ's currency with its minor-unit digits, times are ISO 8601
UTC, as everywhere in the API. The content never depends on when or by whom it is built — the
version and generation time live beside it — so the same facts always give the same content
hash. `basis` names the facts it was built from, so a reader can tell a stale report.
"""
from __future__ import annotations

from decimal import Decimal

from django.db.models import Max

from auctions.models import AwardLine, AwardPayment, Bid, BidStatus, RuleViolation
from auctions.rules import REGISTRY
from auctions.selectors.evaluation import rfq_evaluation, standing_quotes
from audit.anchoring.selectors import checkpoint_covering
from audit.models import AlertSeverity, AuditEvent, Certification, GamingAlert, rfq_stream
from common.money import currency_decimals, format_money
from suppliers.models import InvitationStatus

from .gate import award_gate
from .stats import distribution, outlier_side
from .timeline import rule_names, timeline

REPORT_EVENT = "fairness.report_generated"
# /2: the report carries `anchor`, the signed checkpoint sealing its events (older reports regenerate).
FORMAT = "quayside.fairness-report/2"
ANCHOR_FIELDS = ("stream", "seq", "head_hash", "at", "key_fingerprint", "public_key", "signature")


def iso(value) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def build_report(rfq) -> dict:
    """The report of a closed (or later) RFQ."""
    bids = list(Bid.objects.filter(rfq=rfq).select_related("supplier").order_by("submitted_at", "id"))
    evaluation = rfq_evaluation(rfq)
    alerts = list(GamingAlert.objects.filter(rfq=rfq).order_by("raised_at", "pk"))
    stream = list(AuditEvent.objects.filter(stream=rfq_stream(rfq.pk)).order_by("seq"))
    # The facts exclude the reports' own events (a report cannot wait for the event recording
    # it); the timeline lists every event up to the last fact, earlier report versions
    # included, so its numbers run 1, 2, 3… without a gap.
    events = [e for e in stream if e.type != REPORT_EVENT]
    last_seq = events[-1].seq if events else 0
    money = _money(rfq.currency)
    distribution_section, outliers = _price_distribution(rfq, bids, money)
    signatures = bid_signatures(events)
    return {
        "format": FORMAT,
        "rfq": _rfq(rfq),
        "summary": _summary(rfq, bids, events, alerts),
        "timeline": timeline([e for e in stream if e.seq <= last_seq], money),
        "price_distribution": distribution_section,
        "outcome": _outcome(rfq, evaluation, bids, money),
        "compliance": _compliance(rfq, events, alerts, evaluation),
        "certification": _certification(rfq),
        "bids": [{"id": b.pk, "supplier": {"id": b.supplier_id, "name": b.supplier.name}, "version": b.version,
                  "amount": money(b.amount), "submitted_at": iso(b.submitted_at), "status": b.status,
                  "withdrawn_at": iso(b.withdrawn_at), "outlier": outliers.get(b.pk),
                  "signature": signatures.get(b.pk)} for b in bids],
        "signatures": _signatures(rfq, bids, events, signatures),
        "basis": {"last_event_seq": last_seq,
                  "alerts_updated_at": iso(max((a.updated_at for a in alerts), default=None))},
        "anchor": report_anchor(rfq.pk, last_seq),
    }


def report_anchor(rfq_id: int, seq: int) -> dict | None:
    """The first signed checkpoint (kept outside the database) at or after `seq`: it seals every
    event the report was built from, and anyone with the public key can check it. It is fixed
    once it exists, so the same facts still give the same content. None until one is sealed."""
    document = checkpoint_covering(rfq_stream(rfq_id), seq)
    return {name: document[name] for name in ANCHOR_FIELDS} if document else None


def _money(currency: str):
    def money(amount) -> str | None:
        return format_money(Decimal(amount), currency) if amount is not None else None
    return money


def _rfq(rfq) -> dict:
    return {"id": rfq.pk, "reference": rfq.reference, "title": rfq.title,
            "buyer_organization": {"id": rfq.buyer_organization_id, "name": rfq.buyer_organization.name},
            "auction_type": rfq.auction_type, "currency": rfq.currency, "status": rfq.status,
            "opened_at": iso(rfq.opened_at), "original_deadline": iso(rfq.original_deadline),
            "final_deadline": iso(rfq.bidding_deadline), "closed_at": iso(rfq.closed_at),
            "decided_at": iso(rfq.decided_at)}


def bid_signatures(events) -> dict[int, dict]:
    """Each signed bid's signature as the trail keeps it (api.md "Signed bids"): an open bid's
    in its `bid.placed` event; a sealed quote's in the opening, where it was unsealed."""
    found: dict[int, dict] = {}
    for event in events:
        if event.type == "bid.placed" and event.payload.get("signature"):
            found[event.payload["bid_id"]] = {**event.payload["signature"], "seq": event.seq}
        elif event.type == "bids.opened":
            for quote in event.payload.get("quotes", []):
                if quote.get("signature"):
                    found[quote["bid_id"]] = {**quote["signature"], "seq": event.seq}
    return found


def _signatures(rfq, bids, events, signatures: dict[int, dict]) -> dict:
    """Who signed what, and the signature refusals: for the compliance reader."""
    refusals = [e for e in events if e.type in ("bid.place_rejected", "bid.withdraw_rejected")
                and any(v.get("rule") == "bid_signature" for v in e.payload.get("violations", []))]
    return {"required": bool((rfq.auction_settings or {}).get("require_signed_bids")),
            "signed_bids": sum(1 for b in bids if b.signature_key_id),
            "unsigned_bids": sum(1 for b in bids if not b.signature_key_id),
            "refused": len(refusals),
            "rows": [{"bid_id": b.pk, "supplier": b.supplier.name, "version": b.version,
                      "key_id": b.signature_key_id, "fingerprint": signatures.get(b.pk, {}).get("fingerprint"),
                      "created": signatures.get(b.pk, {}).get("created"),
                      "signature": signatures.get(b.pk, {}).get("signature"),
                      "sealed_until_opening": bool(signatures.get(b.pk, {}).get("sealed"))}
                     for b in bids if b.signature_key_id]}


def _summary(rfq, bids, events, alerts) -> dict:
    invitations = rfq.invitations.exclude(status=InvitationStatus.PENDING)
    statuses = list(invitations.values_list("status", flat=True))
    by_severity = {level: sum(1 for a in alerts if a.severity == level) for level in AlertSeverity.values}
    pauses = sum(1 for e in events if e.type == "rfq.pause")
    return {
        "participants": {"invited": len(statuses),
                         "accepted": statuses.count(InvitationStatus.ACCEPTED),
                         "declined": statuses.count(InvitationStatus.DECLINED),
                         "revoked": statuses.count(InvitationStatus.REVOKED),
                         "bidding": len({b.supplier_id for b in bids})},
        "bids": {"placed": len(bids),
                 # Accepted and neither withdrawn nor superseded; a reverse auction keeps each
                 # supplier's earlier bids accepted, so this is not the number of quotes ranked.
                 "accepted": sum(1 for b in bids if b.status == BidStatus.ACCEPTED),
                 "superseded": sum(1 for b in bids if b.status == BidStatus.SUPERSEDED),
                 "withdrawn": sum(1 for b in bids if b.status == BidStatus.WITHDRAWN),
                 "refused_attempts": sum(1 for e in events if e.type == "bid.place_rejected")},
        "extensions": {"count": rfq.extensions, "original_deadline": iso(rfq.original_deadline),
                       "final_deadline": iso(rfq.bidding_deadline),
                       "events": sum(1 for e in events if e.type == "deadline.extended")},
        "withdrawals": sum(1 for b in bids if b.withdrawn_at is not None),
        "pauses": pauses,
        "amendments": sum(1 for e in events if e.type == "rfq.amended"),
        "alerts": {"total": len(alerts), **{level.lower(): count for level, count in by_severity.items()}},
    }


def _price_distribution(rfq, bids, money) -> tuple[dict, dict[int, str]]:
    """Over the standing quotes at close (one per supplier, as ranked); every bid is listed in
    `bids` for the chart, but only these are counted."""
    decimals = currency_decimals(rfq.currency)
    counted = standing_quotes(rfq)
    amounts = [Decimal(format_money(b.amount, rfq.currency)) for b in counted]
    figures, fences = distribution(amounts, decimals=decimals)
    outliers = {b.pk: side for b, amount in zip(counted, amounts, strict=True)
                if (side := outlier_side(amount, fences))}
    figures.update(
        basis="standing_quotes",
        counted=("Each supplier's standing quote at close — the ones the evaluation ranks: its lowest standing bid "
                 "in a reverse auction, its latest version in a sealed or multi-attribute RFQ. Withdrawn and "
                 "superseded bids are not counted."),
        counted_bid_ids=[b.pk for b in counted],
        amounts=[str(a) for a in sorted(amounts)],
        outliers=[{"bid_id": b.pk, "supplier": b.supplier.name, "amount": money(amount), "side": outliers[b.pk]}
                  for b, amount in zip(counted, amounts, strict=True) if b.pk in outliers])
    return figures, outliers


def _outcome(rfq, evaluation, bids, money) -> dict:
    rows = {row["bid_id"]: row for row in evaluation.rankings}
    recommended = rows.get(evaluation.recommended_bid_id)
    awarded = next((b for b in bids if b.pk == rfq.awarded_bid_id), None)
    row = rows.get(rfq.awarded_bid_id)
    return {
        "status": rfq.status,
        "evaluation_outcome": evaluation.outcome,
        "method": evaluation.method,
        # An allocation (split, bundles, a shared tie) has no one winning bid: its winners are
        # in `allocation` below.
        "awarded": rfq.status == "awarded",
        "winner": {"id": awarded.supplier_id, "name": awarded.supplier.name} if awarded else None,
        "winning_bid_id": awarded.pk if awarded else None,
        "amount": money(awarded.amount) if awarded else None,
        "rank": row["rank"] if row else None,
        "ranked_quotes": len(evaluation.rankings),
        "recommended": ({"bid_id": recommended["bid_id"], "supplier": recommended["supplier"],
                         "amount": recommended["total"], "rank": recommended["rank"]} if recommended else None),
        "reserve": {"enabled": rfq.reserve_enabled, "amount": money(rfq.reserve_amount) if rfq.reserve_enabled else None,
                    "met": evaluation.reserve.get("met"), "status": evaluation.reserve.get("status"),
                    "gap": money(evaluation.reserve.get("gap"))},
        "tie_break": {"applied": bool(evaluation.tie_break.get("applied")),
                      "decided_by": evaluation.tie_break.get("decided_by"),
                      "seed": evaluation.tie_break.get("seed")},
        "pricing": evaluation.pricing,
        "manual_override": bool(rfq.award_override),
        "override_reason": rfq.status_reason if rfq.award_override else None,
        **_allocation(rfq, evaluation, money),
    }


def _allocation(rfq, evaluation, money) -> dict:
    """Split and bundle awards: the recommended allocation, and what was awarded and paid."""
    lines = list(AwardLine.objects.filter(rfq=rfq).select_related("supplier"))
    paid = list(AwardPayment.objects.filter(rfq=rfq).select_related("supplier"))
    if evaluation.allocation is None and not lines:
        return {}
    recommended = evaluation.allocation or {}
    return {"allocation": {
        "recommended_total_cost": recommended.get("total_cost"),
        "best_single_supplier": recommended.get("best_single_supplier"),
        "saving": recommended.get("saving"),
        "allocation_problem": recommended.get("allocation_problem"),
        "lines": [{"supplier": {"id": line.supplier_id, "name": line.supplier.name}, "bid_id": line.bid_id,
                   "line_item_id": line.line_item_id, "quantity": f"{line.quantity.normalize():f}",
                   "unit_price": money(line.unit_price), "amount": money(line.amount), "bundle": line.bundle}
                  for line in lines],
        "payments": [{"supplier": {"id": p.supplier_id, "name": p.supplier.name}, "bid_id": p.bid_id,
                      "pay_as_bid": money(p.pay_as_bid), "payment": money(p.payment),
                      "surplus": money(p.payment - p.pay_as_bid), "rule": p.rule} for p in paid],
        "total_cost": money(sum((p.pay_as_bid for p in paid), Decimal(0))) if paid else None,
        "total_payment": money(sum((p.payment for p in paid), Decimal(0))) if paid else None,
    }}


def _awarded_total(rfq, evaluation) -> Decimal | None:
    """What the award was judged on: the awarded bid's total, or an allocation's cost or payments."""
    paid = list(AwardPayment.objects.filter(rfq=rfq).values_list("pay_as_bid", "payment"))
    if rfq.awarded_bid_id is None and paid:
        return max(sum((p[0] for p in paid), Decimal(0)), sum((p[1] for p in paid), Decimal(0)))
    return next((Decimal(r["total"]) for r in evaluation.rankings if r["bid_id"] == rfq.awarded_bid_id), None)


def _compliance(rfq, events, alerts, evaluation) -> dict:
    applicable = [r for r in REGISTRY.values() if r.auction_types is None or rfq.auction_type in r.auction_types]
    violations = list(RuleViolation.objects.filter(rfq=rfq).select_related("supplier").order_by("at", "pk"))
    by_rule: dict[str, dict] = {}
    for v in violations:
        entry = by_rule.setdefault(v.rule, {"rule": v.rule, "name": REGISTRY[v.rule].name if v.rule in REGISTRY else v.rule,
                                            "category": v.category, "severity": v.severity,
                                            "count": 0, "blocked": 0})
        entry["count"] += 1
        entry["blocked"] += int(v.blocked)
    return {
        "rules_applied": [{"id": r.id, "name": r.name, "category": r.category, "severity": r.severity,
                           "actions": list(r.actions)} for r in applicable],
        "violations": {
            "total": len(violations), "blocked": sum(1 for v in violations if v.blocked),
            "by_rule": sorted(by_rule.values(), key=lambda e: (-e["count"], e["rule"])),
            "items": [{"at": iso(v.at), "rule": v.rule, "category": v.category, "severity": v.severity,
                       "blocked": v.blocked, "action": v.action, "bid_id": v.bid_id,
                       "supplier": v.supplier.name if v.supplier else None, "message": v.message}
                      for v in violations]},
        "gaming_alerts": [{"id": a.pk, "detector": a.detector, "severity": a.severity, "summary": a.summary,
                           "supplier_ids": a.supplier_ids, "phase": a.phase, "raised_at": iso(a.raised_at),
                           "updated_at": iso(a.updated_at), "evidence": a.evidence} for a in alerts],
        "actions_taken": _actions(events),
        # Judged on the awarded bid once there is one: an override to a dearer quote is gated on its total.
        "award_gate": award_gate(rfq=rfq, evaluation=evaluation, award_total=_awarded_total(rfq, evaluation)).as_dict(),
    }


ACTIONS = {
    "rfq.pause": "Bidding paused by the buyer",
    "rfq.resume": "Bidding resumed; the deadline moved by the pause",
    "rfq.fallback": "Switched to sealed-bid collection (live delivery failing)",
    "rfq.reopen": "Reopened after no award",
    "rfq.cancel": "Cancelled",
    "rfq.amended": "RFQ amended by the buyer",
    "bid.place_rejected": "Bid refused by the rule engine",
    "bid.withdraw_rejected": "Withdrawal refused by the rule engine",
    "fairness.certified": "Fairness audit certified",
}


def _actions(events) -> list[dict]:
    """What people and the rule engine did about fairness, in order."""
    out = []
    for e in events:
        label = ACTIONS.get(e.type)
        if e.type == "rfq.award" and e.payload.get("override"):
            label = "Awarded against the recommendation (manual override)"
        if label is None:
            continue
        detail = e.payload.get("reason") or e.payload.get("recommendation") or rule_names(
            e.payload.get("violations", []))
        out.append({"seq": e.seq, "at": iso(e.at), "type": e.type, "action": label, "by": e.actor_name,
                    "detail": detail or ""})
    return out


def _certification(rfq) -> dict:
    history = [{"officer": c.officer_name, "at": iso(c.at), "recommendation": c.recommendation,
                "findings": c.findings, "report_version": c.report_version}
               for c in Certification.objects.filter(rfq=rfq).order_by("at", "pk")]
    latest_high = GamingAlert.objects.filter(rfq=rfq, severity=AlertSeverity.HIGH).aggregate(at=Max("updated_at"))["at"]
    return {"latest": history[-1] if history else None, "history": history,
            "latest_high_alert_at": iso(latest_high)}
