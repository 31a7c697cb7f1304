"""Reads of the auction engine, as each caller may see them (visibility settings applied).

The evaluation of a closed RFQ (`evaluation.py`, with the split and bundle allocation of
`allocation.py`) is a read too; `evaluation_for` below is who may see it."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Min, QuerySet, Subquery
from django.utils import timezone

from accounts.models import User
from auctions.access import reason_for_suppliers
from auctions.evaluation import Evaluation
from auctions.mechanisms import bids_per_line, collects_sealed, get_mechanism
from auctions.mechanisms.reverse import extensions_cap, minimum_next_bid
from auctions.models import AwardLine, AwardPayment, Bid, BidStatus
from auctions.sealing import unseal
from audit.models import AuditEvent, AuditStream, rfq_stream
from common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from common.money import currency_decimals, format_money
from rfqs.models import RFQ
from suppliers.models import InvitationStatus, SupplierCompany

from .bidding import unacknowledged_amendments
from .evaluation import rfq_evaluation
from .lots import line_states


def bid_for_award(*, rfq: RFQ, bid_id: Any) -> Bid:
    """The accepted bid of this RFQ that the buyer wants to award (`bid_id` as the request sent
    it), or 400 naming the problem."""
    try:
        return Bid.objects.get(rfq=rfq, pk=int(bid_id), status=BidStatus.ACCEPTED)
    except (Bid.DoesNotExist, TypeError, ValueError):
        raise ValidationFailed("bid_id is not an accepted bid of this RFQ.",
                               fields={"bid_id": ["Not an accepted bid of this RFQ."]}) from None


def prices_visible_to_buyer(rfq: RFQ) -> bool:
    """Reverse auctions are open books for the buyer; sealed prices only after the opening."""
    return not get_mechanism(rfq.auction_type).sealed or rfq.bids_opened_at is not None


def bids_for(*, user: User, rfq: RFQ) -> QuerySet[Bid] | None:
    """The bids the caller may read, or None when it may only know how many suppliers quoted."""
    qs = Bid.objects.filter(rfq=rfq).select_related("supplier", "rfq").order_by("submitted_at", "id")
    if user.is_supplier:
        return qs.filter(supplier_id=user.supplier_id)
    return qs if prices_visible_to_buyer(rfq) else None


def own_quote(bid: Bid) -> dict[str, Any]:
    """A sealed quote's content, for its own supplier only (callers have checked that)."""
    if not bid.is_sealed:
        return {"total": bid.amount, "criteria": bid.criteria, "terms": bid.terms, "valid_until": bid.valid_until,
                "lines": [{"line_item_id": line.line_item_id, "unit_price": line.unit_price,
                           "max_quantity": line.max_quantity, "min_quantity": line.min_quantity}
                          for line in bid.lines.all()],
                "bundles": [{"line_item_ids": b.line_item_ids, "price": b.price} for b in bid.bundles.all()]}
    return unseal(bid.sealed_payload, commitment=bid.sealed_commitment)


def supplier_ranks(rfq: RFQ) -> dict[int, int]:
    """Each supplier's rank by its best standing amount, in one grouped query.

    Standing amounts never tie: every accepted bid is below the best standing at its time
    (the minimum decrement is positive), so ordering by the best amount is the ranking.
    """
    best = (Bid.objects.filter(rfq=rfq, status=BidStatus.ACCEPTED, amount__isnull=False)
            .values("supplier_id").annotate(best=Min("amount")).order_by("best", "supplier_id"))
    return {row["supplier_id"]: rank for rank, row in enumerate(best, start=1)}


def supplier_rank(*, rfq: RFQ, best: Decimal | None) -> int | None:
    """The rank of a supplier whose best standing amount is `best` (None without a bid)."""
    if best is None:
        return None
    better = (Bid.objects.filter(rfq=rfq, status=BidStatus.ACCEPTED, amount__lt=best)
              .values("supplier_id").distinct().count())
    return better + 1


def is_participant(*, rfq: RFQ, supplier_id: int) -> bool:
    """Whether the supplier accepted its invitation, and so may follow the bidding."""
    return rfq.invitations.filter(supplier_id=supplier_id, status=InvitationStatus.ACCEPTED).exists()


def own_best(*, rfq: RFQ, supplier_id: int) -> Decimal | None:
    return (Bid.objects.filter(rfq=rfq, supplier_id=supplier_id, status=BidStatus.ACCEPTED, amount__isnull=False)
            .aggregate(best=Min("amount"))["best"])


def auction_state(*, user: User, rfq: RFQ) -> dict[str, Any]:
    """The live state as the caller may see it (api.md `/state/`)."""
    # The row's figures and the stream's seq in one statement, one snapshot: the caller's `rfq`
    # may predate a bid whose seq a separate read would see, and a client that takes `seq` as
    # applied skips that bid's event for good (api.md: a client resumes only on a gap). Everything
    # read below is as new or newer, which a client applying later events again tolerates.
    rfq = RFQ.objects.annotate(stream_seq=Subquery(
        AuditStream.objects.filter(key=rfq_stream(rfq.pk)).values("last_seq")[:1])).get(pk=rfq.pk)
    head = rfq.stream_seq  # type: ignore[attr-defined]
    settings, sealed = rfq.auction_settings, collects_sealed(rfq)
    # paused_at: while paused the deadline stands still in the database (the resume moves it by
    # the pause), so a countdown holds at bidding_deadline - paused_at.
    state = {"status": rfq.status, "bidding_deadline": rfq.bidding_deadline, "original_deadline":
             rfq.original_deadline, "extensions": rfq.extensions, "seq": head or 0, "server_time": timezone.now(),
             "paused_at": rfq.paused_at, "currency": rfq.currency, "auction_type": rfq.auction_type,
             "amendments": rfq.amendment_count}
    if rfq.auction_type == "REVERSE_AUCTION":
        state["max_extensions"] = extensions_cap(settings)
        state["mode"] = "sealed" if rfq.sealed_fallback_at else "live"
    supplier_id = user.supplier_id if user.is_supplier else None  # every supplier's user has one (a constraint)
    buyer_side = supplier_id is None
    if supplier_id is not None:
        state["amendments_to_acknowledge"] = unacknowledged_amendments(rfq, supplier_id)
    if supplier_id is not None and not is_participant(rfq=rfq, supplier_id=supplier_id):
        # Invited but not (or no longer) taking part: the auction's figures are for bidders.
        return state
    if bids_per_line(rfq):  # lots: the figures are per line
        state["lines"] = line_states(rfq, supplier_id=supplier_id)
        if buyer_side or settings.get("show_bid_count", True):
            state["bid_count"] = rfq.bid_count
        return state
    # Sealed: only the buyer learns how many suppliers quoted; competitors learn nothing.
    if buyer_side or (not sealed and settings.get("show_bid_count", True)):
        state["bid_count"] = rfq.bid_count
    if not sealed and (buyer_side or settings.get("show_leading_bid", True)):
        state["leading_bid"] = format_money(rfq.best_amount, rfq.currency)
    if supplier_id is not None:
        best = own_best(rfq=rfq, supplier_id=supplier_id)
        # A sealed quote (or a bid sealed after the fallback) counts too: the supplier may read its own.
        if sealed or rfq.sealed_fallback_at is not None:
            own_sealed = [Decimal(own_quote(bid)["total"]) for bid in Bid.objects.filter(
                rfq=rfq, supplier_id=supplier_id, status=BidStatus.ACCEPTED, amount__isnull=True)
                .exclude(sealed_payload="")]
            best = min([b for b in (best, *own_sealed) if b is not None], default=None)
        state["your_best"] = format_money(best, rfq.currency)
        if not sealed and settings.get("show_ranking", True):
            state["your_rank"] = supplier_rank(rfq=rfq, best=best)
        if not sealed and settings.get("show_leading_bid", True):
            # The limit is the best bid less the decrement: hidden with the leading bid.
            state["minimum_next_bid"] = next_bid_limit(rfq)
    return state


def next_bid_limit(rfq: RFQ) -> str | None:
    """The highest amount a bid may have now (None before the first bid with no ceiling)."""
    settings = rfq.auction_settings
    if rfq.best_amount is not None:
        limit = minimum_next_bid(settings, rfq.best_amount, currency_decimals(rfq.currency))
        # No positive amount beats the best by the decrement: there is no bid to suggest.
        return format_money(limit, rfq.currency) if limit > 0 else None
    return settings.get("starting_price")


EVALUATED_STATES = ("closed", "evaluation", "awarded", "no_award")


def evaluation_for(*, user: User, rfq: RFQ) -> Evaluation:
    """The evaluation for the buyer that owns the RFQ or compliance, once bidding has closed."""
    if user.is_supplier or (user.is_buyer and rfq.buyer_organization_id != user.buyer_organization_id):
        raise Forbidden("Only the buyer and compliance see the evaluation.")
    if rfq.status not in EVALUATED_STATES:
        raise Conflict(f"The evaluation is available once bidding has closed; this RFQ is "
                       f"{rfq.get_status_display().lower()}.", code="invalid_transition")
    return rfq_evaluation(rfq)


OUTCOME_STATES = ("awarded", "no_award")


def outcome_participants(*, rfq: RFQ) -> list[SupplierCompany]:
    """The suppliers that took part (a quote or bid of theirs stands), who learn their outcome."""
    ids = Bid.objects.filter(rfq=rfq, status=BidStatus.ACCEPTED).values("supplier_id")
    return list(SupplierCompany.objects.filter(pk__in=ids).order_by("pk"))


def _quantity(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def supplier_outcome(*, rfq: RFQ, supplier_id: int, ranking: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """What the award gave one supplier, from the stored award (api.md `GET /outcome/`), with
    the anonymised ranked prices where the RFQ reveals them (`ranking`: revealed_ranking's,
    when the caller has it already)."""
    if rfq.status == "no_award":
        return {"status": "no_award", "lines": [], "total": None, "reason": reason_for_suppliers(rfq)}
    revealed = {}
    if reveals_ranking(rfq):
        rows = revealed_ranking(rfq) if ranking is None else ranking
        revealed = {"ranking": [{"rank": row["rank"], "total": row["total"], "yours": row["supplier_id"] == supplier_id}
                                for row in rows]}
    payment = AwardPayment.objects.filter(rfq=rfq, supplier_id=supplier_id).first()
    if payment is None:
        return {"status": "not_selected", "lines": [], "total": None, **revealed}
    lines = AwardLine.objects.filter(rfq=rfq, supplier_id=supplier_id).select_related("line_item")
    currency = rfq.currency
    return {"status": "awarded",
            "lines": [{"line_item_id": line.line_item_id, "description": line.line_item.description,
                       "quantity": _quantity(line.quantity), "unit": line.line_item.unit,
                       "unit_price": format_money(line.unit_price, currency),
                       "amount": format_money(line.amount, currency), "bundle": line.bundle} for line in lines],
            "total": format_money(payment.pay_as_bid, currency),
            "payment": format_money(payment.payment, currency), "pricing": payment.rule, **revealed}


def reveals_ranking(rfq: RFQ) -> bool:
    """product.md §4.1 `reveal_bids_to_suppliers`: after award, suppliers see the ranked prices."""
    return (rfq.status == "awarded" and rfq.auction_type == "SEALED_BID"
            and bool(rfq.auction_settings.get("reveal_bids_to_suppliers")))


def revealed_ranking(rfq: RFQ) -> list[dict[str, Any]]:
    """The ranked totals the close recorded (its `auction.ranked` event: no quote is unsealed
    again for every page view), each with its supplier id for the caller to mark the reader's
    own row and drop the rest: suppliers see prices and ranks, never who quoted them."""
    ranked = AuditEvent.objects.filter(rfq_id=rfq.pk, type="auction.ranked").order_by("-seq").first()
    rows = ranked.payload["rankings"] if ranked is not None else [
        {**row, "supplier_id": row["supplier"]["id"]} for row in rfq_evaluation(rfq).rankings]
    return [{"rank": row["rank"], "total": format_money(Decimal(row["total"]), rfq.currency),
             "supplier_id": row["supplier_id"]} for row in rows]


def outcome_for(*, user: User, rfq: RFQ) -> dict[str, Any]:
    """The caller's own outcome: invited suppliers only, once decided (else 409). The RFQ's buyer
    and compliance see the RFQ but have no outcome of their own: 403 (api.md: the role may not
    do this on a resource it can see); a supplier not invited does not see it: 404."""
    if not user.is_supplier:
        raise Forbidden("The outcome is each invited supplier's own; the award itself is on the RFQ's "
                        "evaluation and fairness report.")
    supplier_id = user.supplier_id
    if supplier_id is None or not rfq.invitations.filter(supplier_id=supplier_id).exists():
        raise NotFound("Not found.")
    if rfq.status not in OUTCOME_STATES:
        raise Conflict(f"The outcome is known once the RFQ is awarded (or not awarded); this RFQ is "
                       f"{rfq.get_status_display().lower()}.", code="invalid_transition")
    return supplier_outcome(rfq=rfq, supplier_id=supplier_id)
