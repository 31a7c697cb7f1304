"""What closing an auction does besides the transition: open sealed quotes, draw the seed."""
from __future__ import annotations

import secrets
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from accounts.models import User
from auctions.mechanisms import collects_sealed
from auctions.models import Bid, BidBundle, BidLine, BidStatus
from auctions.sealing import SealError, unseal
from auctions.selectors.evaluation import ranking_summary, rfq_evaluation
from audit.models import AuditEvent
from audit.services import audit_append
from common.db import run_batch, update_statement
from common.errors import Conflict
from common.money import format_money

if TYPE_CHECKING:
    from auctions.types import RFQ


# Rows per statement and statements per round trip of the opening: a close opens every quote
# of the auction in a few round trips, however many there are (bench/sealed_burst.py).
OPENING_BATCH = 500
OPENED_FIELDS = ("amount", "criteria", "terms", "valid_until", "opened_at")


def _committed(rfq: RFQ) -> dict[int, str]:
    """Each quote's commitment as the hash-chained audit trail recorded it at submission."""
    events = AuditEvent.objects.filter(rfq=rfq, type="bid.placed").values_list("payload", flat=True)
    return {payload["bid_id"]: payload.get("commitment", "") for payload in events}


def _unsealed(bid: Bid, committed: dict[int, str]) -> dict[str, Any]:
    """The quote as submitted, or a Conflict: nothing is opened (the close rolls back) when a
    quote is not what was submitted — a matter for compliance, not something to evaluate."""
    try:
        # The audit trail's copy is the reference: a row whose ciphertext and commitment were
        # both swapped or rewritten in the database still fails here.
        if committed.get(bid.pk) != bid.sealed_commitment:
            raise SealError("its commitment differs from the one recorded in the audit trail.")
        return unseal(bid.sealed_payload, commitment=committed[bid.pk])
    except SealError as exc:
        raise Conflict(f"Bidding cannot close: the sealed quote {bid.pk} of {bid.supplier.name} fails its "
                       f"integrity check ({exc}) Compliance must investigate before the opening.",
                       code="sealed_quote_integrity") from exc


def _open(bid: Bid, quote: dict[str, Any], quantities: dict[int, Decimal], now: datetime
          ) -> tuple[list[BidLine], list[BidBundle], dict[str, Any]]:
    """Fill the bid in from its opened quote; return its line and bundle rows (written by the
    caller, with every other quote's) and what the opening records of it beyond the total: a
    signed quote's signature, sealed with it until now."""
    lines = [BidLine(bid=bid, line_item_id=line["line_item_id"], unit_price=line["unit_price"],
                     line_total=quantities[line["line_item_id"]] * line["unit_price"],
                     max_quantity=line.get("max_quantity"), min_quantity=line.get("min_quantity"))
             for line in quote["lines"]]
    bundles = [BidBundle(bid=bid, index=index, line_item_ids=bundle["line_item_ids"], price=bundle["price"])
               for index, bundle in enumerate(quote["bundles"])]
    bid.amount, bid.criteria, bid.terms = quote["total"], quote["criteria"], quote["terms"]
    bid.valid_until = quote["valid_until"] or None
    bid.opened_at = now
    return lines, bundles, ({"signature": quote["signature"]} if quote.get("signature") else {})


def _open_quotes(rfq: RFQ, now: datetime) -> list[dict[str, Any]]:
    """Open every unopened quote of the auction, in submission order; what `bids.opened` records
    of each. Every quote is checked and decrypted before anything is written, then the rows
    are written in batches: a few round trips for the whole opening, not two per quote."""
    quantities = dict(rfq.line_items.values_list("pk", "quantity"))
    committed = _committed(rfq)
    bids = list(Bid.objects.filter(rfq=rfq, opened_at__isnull=True).exclude(sealed_payload="")
                .select_related("supplier").order_by("submitted_at", "id"))
    quotes = [_unsealed(bid, committed) for bid in bids]
    lines: list[BidLine] = []
    bundles: list[BidBundle] = []
    opened: list[dict[str, Any]] = []
    for bid, quote in zip(bids, quotes, strict=True):
        bid_lines, bid_bundles, revealed = _open(bid, quote, quantities, now)
        lines += bid_lines
        bundles += bid_bundles
        opened.append({"bid_id": bid.pk, "supplier_id": bid.supplier_id, "supplier": bid.supplier.name,
                       "version": bid.version, "status": bid.status, "items_quoted": bid.items_quoted,
                       "total": format_money(bid.amount, rfq.currency), "commitment": bid.sealed_commitment,
                       **revealed})
    BidLine.objects.bulk_create(lines, batch_size=OPENING_BATCH)
    BidBundle.objects.bulk_create(bundles, batch_size=OPENING_BATCH)
    for start in range(0, len(bids), OPENING_BATCH):
        run_batch([update_statement(bid, OPENED_FIELDS) for bid in bids[start:start + OPENING_BATCH]])
    return opened


def auction_close_open_quotes(*, rfq: RFQ, actor: User | None) -> None:
    """Inside the close transaction, on the locked row: the opening of sealed quotes (audited
    as `bids.opened`), the seed for any random tie-break and the ranking it gives (audited as
    `auction.ranked`), recorded so the draw can be replayed."""
    now = timezone.now()
    rfq.tie_break_seed = secrets.randbits(62)
    opened: list[dict[str, Any]] = []
    if collects_sealed(rfq) and rfq.bids_opened_at is None:
        opened = _open_quotes(rfq, now)
        rfq.bids_opened_at = now
        if rfq.sealed_fallback_at is not None:
            # The live bids before the switch and the sealed ones after compete together.
            best = (Bid.objects.filter(rfq=rfq, status=BidStatus.ACCEPTED, amount__isnull=False)
                    .order_by("amount", "submitted_at", "id").first())
            rfq.best_amount, rfq.best_bid = (best.amount, best) if best else (None, None)
        else:
            standing = [Decimal(b["total"]) for b in opened if b["status"] == BidStatus.ACCEPTED]
            rfq.best_amount = min(standing) if standing else None
    rfq.save(update_fields=["tie_break_seed", "bids_opened_at", "best_amount", "best_bid", "updated_at"])
    if opened:
        audit_append(type="bids.opened", actor=actor, rfq=rfq, payload={"opened_at": now, "quotes": opened})
    # The closing record: rankings and the recommended winner, with the seed for any random draw.
    audit_append(type="auction.ranked", actor=actor, rfq=rfq,
                 payload={"seed": rfq.tie_break_seed, **ranking_summary(rfq_evaluation(rfq))})
