"""Bid-taking shared by the mechanisms: creating the row, the sealed path, standing counts."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from auctions.drafts import LineInput
from auctions.models import Bid, BidStatus
from auctions.sealing import seal
from common.db import completed_insert, insert_statement, update_statement

from .base import BidOrigin

if TYPE_CHECKING:
    from auctions.rules.context import BidContext
    from auctions.types import RFQ


def bid_row(ctx: BidContext, meta: BidOrigin) -> Bid:
    """A bid's fields that its auction's lock does not decide: who placed it, from where. The bid
    service builds it (and converts its values, common.db.prepared_insert) before the lock."""
    return Bid(rfq=ctx.rfq, supplier=ctx.supplier, submitted_by=ctx.user, ip_address=meta.ip,
               user_agent=meta.user_agent[:300], device_fingerprint=meta.fingerprint[:128],
               signature_key_id=(ctx.signature.key_id or "") if ctx.signature and ctx.signature.verified else "")


def new_bid(ctx: BidContext, meta: BidOrigin, **fields: Any) -> Bid:
    """The bid, its insert queued with the transaction's writes (or made now if no id was reserved).
    `fields`: the mechanism's own (amount, sealed payload, line…), set under the lock."""
    locked = {"id": ctx.next_bid_id, "submitted_at": ctx.now, "version": len(ctx.own_bids) + 1,
              "audit_seq": ctx.audit_seq, **fields}
    prepared = ctx.prepared_bid if ctx.next_bid_id is not None else None
    bid = prepared.obj if prepared is not None else bid_row(ctx, meta)
    for name, value in locked.items():
        setattr(bid, name, value)
    if prepared is not None:
        Bid.rfq.field.set_cached_value(bid, ctx.rfq)  # the locked row, as the auction stands with this bid
        ctx.write(completed_insert(prepared, tuple(locked)))
    elif bid.pk is None:
        bid.save(force_insert=True)
    else:
        ctx.write(insert_statement(bid))
    return bid


def standing_suppliers(rfq: RFQ) -> int:
    return Bid.objects.filter(rfq=rfq, status=BidStatus.ACCEPTED).values("supplier_id").distinct().count()


def _sealed_line(line: LineInput) -> dict[str, Any]:
    sealed: dict[str, Any] = {"line_item_id": line.line_item_id, "unit_price": str(line.unit_price.value)}
    if line.max_quantity is not None:
        sealed["max_quantity"] = line.max_quantity
    if line.min_quantity is not None:
        sealed["min_quantity"] = line.min_quantity
    return sealed


class SealedBidding:
    """Quotes are encrypted and versioned; the buyer learns only how many suppliers quoted."""

    sealed: ClassVar[bool] = True

    def accept(self, ctx: BidContext, meta: BidOrigin) -> tuple[Bid, None]:
        rfq = ctx.rfq
        draft = ctx.draft
        # Split quantities and bundles are sealed content, encrypted with the prices.
        quote: dict[str, Any] = {"lines": [_sealed_line(line) for line in draft.lines],
                                 "total": str(ctx.total()), "criteria": draft.criteria, "terms": draft.terms,
                                 "valid_until": draft.valid_until}
        if ctx.signature is not None and ctx.signature.verified:
            quote["signature"] = ctx.signature.record  # revealed, and recorded, at the opening
        if draft.bundles:
            quote["bundles"] = [{"line_item_ids": sorted(set(b.line_item_ids)), "price": str(b.price.value)}
                                for b in draft.bundles]
        token, commitment = seal(quote)
        previous = [bid.pk for bid in ctx.own_standing]
        Bid.objects.filter(pk__in=previous).update(status=BidStatus.SUPERSEDED)
        ctx.superseded = previous
        covered = {i for b in draft.bundles for i in b.line_item_ids} if draft.bundles else draft.lines
        bid = new_bid(ctx, meta, sealed_payload=token, sealed_commitment=commitment, items_quoted=len(covered))
        if not previous:
            rfq.bid_count += 1
            ctx.write(update_statement(rfq, ["bid_count", "updated_at"]))
        return bid, None

    def withdrawn(self, rfq: RFQ, bid: Bid) -> None:
        rfq.bid_count = standing_suppliers(rfq)
        rfq.save(update_fields=["bid_count", "updated_at"])

    def audit_payload(self, bid: Bid) -> dict[str, Any]:
        # The commitment binds the supplier to this quote without revealing it.
        return {"bid_id": bid.pk, "supplier_id": bid.supplier_id, "supplier": bid.supplier.name,
                "version": bid.version, "commitment": bid.sealed_commitment, "items_quoted": bid.items_quoted}
