"""One OCDS 1.1 release per stage (stages.py): the tender, the bids after close, the awards.

What never changes (the buyer) is read from the rows; what a stage changed (the deadline,
the tender's status, the description and lines as published or amended, the bids opened at
close, the award) comes from the stage, so a release reads the same whenever it is fetched
(the lines fall back to the rows for RFQs whose audit events predate those snapshots). Money is a JSON number with its currency.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from auctions.models import AwardLine, AwardPayment, Bid, BidStatus
from rfqs.models import RFQ, LineItem

from .ids import buyer_party_id, ocid, release_id, supplier_party_id
from .stages import Stage

# The bids extension's bidStatus codelist, from the engine's bid statuses; superseded
# versions are not bids of their own in OCDS (only a supplier's last version is listed).
BID_STATUS = {BidStatus.ACCEPTED: "valid", BidStatus.WITHDRAWN: "withdrawn"}


def ocds_date(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def ocds_value(amount: Decimal, currency: str) -> dict[str, Any]:
    return {"amount": float(amount), "currency": currency}


@dataclass
class RFQFacts:
    """The rows every release of one RFQ reads, loaded once."""

    rfq: RFQ
    lines: list[LineItem]
    bids: list[Bid]
    award_lines: list[AwardLine]
    payments: dict[int, Decimal]
    names: dict[int, str] = field(default_factory=dict)  # supplier id → name

    @classmethod
    def load(cls, rfq: RFQ) -> RFQFacts:
        bids = list(Bid.objects.filter(rfq=rfq).exclude(status=BidStatus.SUPERSEDED)
                    .select_related("supplier").order_by("submitted_at", "pk"))
        award_lines = list(AwardLine.objects.filter(rfq=rfq).select_related("supplier", "line_item"))
        paid = AwardPayment.objects.filter(rfq=rfq).values_list("supplier_id", "supplier__name", "payment")
        payments = {supplier_id: payment for supplier_id, _, payment in paid}
        names = {b.supplier_id: b.supplier.name for b in bids}
        names.update({supplier_id: name for supplier_id, name, _ in paid})
        return cls(rfq=rfq, lines=list(rfq.line_items.all()), bids=bids, award_lines=award_lines,
                   payments=payments, names=names)


def _item(line: LineItem, quantity: Decimal | None = None, unit_price: Decimal | None = None,
          currency: str = "") -> dict[str, Any]:
    item: dict[str, Any] = {"id": str(line.position), "description": line.description,
                            "quantity": float(line.quantity if quantity is None else quantity),
                            "unit": {"name": line.unit}}
    if unit_price is not None:
        item["unit"]["value"] = ocds_value(unit_price, currency)
    if line.impa_code:  # the IMPA Marine Stores Guide code (README "OCDS export")
        item["classification"] = {"scheme": "IMPA", "id": line.impa_code}
    return item


def _recorded_item(position: int, line: dict[str, Any]) -> dict[str, Any]:
    """An item as an audit event recorded the line (the draft's snapshot, an amendment)."""
    item: dict[str, Any] = {"id": str(line.get("position") or position), "description": line["description"],
                            "quantity": float(Decimal(str(line["quantity"]))), "unit": {"name": line["unit"]}}
    if line.get("impa_code"):
        item["classification"] = {"scheme": "IMPA", "id": line["impa_code"]}
    return item


def _tender(facts: RFQFacts, stage: Stage, bids: list[Bid]) -> dict[str, Any]:
    rfq = facts.rfq
    # As the tender stood at this stage when the trail recorded it; else the rows.
    items = ([_recorded_item(n, line) for n, line in enumerate(stage.lines, start=1)] if stage.lines
             else [_item(line) for line in facts.lines])
    description = stage.description if stage.description is not None else rfq.description
    period: dict[str, Any] = {"startDate": ocds_date(rfq.bidding_opens_at or rfq.published_at or stage.at)}
    if stage.deadline is not None:
        period["endDate"] = ocds_date(stage.deadline)
    tender: dict[str, Any] = {
        "id": rfq.reference, "title": rfq.title, "description": description, "status": stage.tender_status,
        "procurementMethod": "selective", "procurementMethodDetails": rfq.get_auction_type_display(),
        "mainProcurementCategory": "goods", "items": items, "tenderPeriod": period}
    if stage.amendments:
        tender["amendments"] = [{**amendment, "date": ocds_date(amendment["date"])} for amendment in stage.amendments]
    if stage.closed_at is not None:
        tenderers = sorted({b.supplier_id for b in bids})
        tender["numberOfTenderers"] = len(tenderers)
        tender["tenderers"] = [{"id": supplier_party_id(s), "name": facts.names[s]} for s in tenderers]
    return tender


def _bids(facts: RFQFacts, bids: list[Bid]) -> dict[str, Any]:
    details = []
    for bid in bids:
        detail: dict[str, Any] = {
            "id": f"{facts.rfq.reference}-bid-{bid.pk}", "date": ocds_date(bid.submitted_at),
            "status": BID_STATUS[BidStatus(bid.status)],
            "tenderers": [{"id": supplier_party_id(bid.supplier_id), "name": facts.names[bid.supplier_id]}]}
        if bid.amount is not None:
            detail["value"] = ocds_value(bid.amount, facts.rfq.currency)
        details.append(detail)
    return {"details": details}


def _awards(facts: RFQFacts, stage: Stage) -> list[dict[str, Any]]:
    """One award per winning supplier (a split award: one per supplier, its allocated lines as
    items), valued at what it is paid; together they come to the awarded total. A reverse
    auction's bid is one price for the lot: its award's items are every line, whole."""
    rfq = facts.rfq
    by_supplier: dict[int, list[AwardLine]] = defaultdict(list)
    for line in facts.award_lines:
        by_supplier[line.supplier_id].append(line)
    return [{
        "id": f"{rfq.reference}-award-{supplier_id}", "title": f"Award of {rfq.reference}", "status": "active",
        "date": ocds_date(stage.at), "value": ocds_value(payment, rfq.currency),
        "suppliers": [{"id": supplier_party_id(supplier_id), "name": facts.names[supplier_id]}],
        "items": [_item(a.line_item, a.quantity, a.unit_price, rfq.currency) for a in by_supplier[supplier_id]]
        or [_item(line) for line in facts.lines],
    } for supplier_id, payment in sorted(facts.payments.items())]


def _parties(facts: RFQFacts, bids: list[Bid], winners: set[int]) -> list[dict[str, Any]]:
    organization = facts.rfq.buyer_organization
    parties = [{"id": buyer_party_id(organization.pk), "name": organization.name, "roles": ["buyer"]}]
    for supplier_id in sorted({b.supplier_id for b in bids} | winners):
        roles = ["tenderer"] + (["supplier"] if supplier_id in winners else [])
        parties.append({"id": supplier_party_id(supplier_id), "name": facts.names[supplier_id], "roles": roles})
    return parties


def stage_release(facts: RFQFacts, stage: Stage) -> dict[str, Any]:
    """The release of one stage. Bids only once bidding closed (sealed or not), as at that close."""
    rfq = facts.rfq
    bids = [b for b in facts.bids if stage.closed_at is not None and b.submitted_at <= stage.closed_at]
    awards = _awards(facts, stage) if stage.tag == "award" else []
    organization = rfq.buyer_organization
    release: dict[str, Any] = {
        "ocid": ocid(rfq), "id": release_id(rfq, stage.tag, stage.seq), "date": ocds_date(stage.at),
        "tag": [stage.tag], "initiationType": "tender", "language": "en",
        "parties": _parties(facts, bids, set(facts.payments) if awards else set()),
        "buyer": {"id": buyer_party_id(organization.pk), "name": organization.name},
        "tender": _tender(facts, stage, bids)}
    if stage.closed_at is not None:
        release["bids"] = _bids(facts, bids)
    if awards:
        release["awards"] = awards
    return release
