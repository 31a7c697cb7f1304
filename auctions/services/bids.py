"""Placing and withdrawing bids: the hot path (architecture.md).

Rules that need no live state run first, without a lock. Then one short transaction locks
the auction row, re-checks what depends on it, inserts the bid, updates best / count /
deadline, appends the audit event (which hands out `seq`) and commits. The row lock is the
fairness guarantee: there is exactly one order of bids, the audit trail's.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from auctions.mechanisms import get_mechanism
from auctions.models import Bid, BidStatus, RuleViolation
from auctions.rules import BidContext, Violation, run_rules
from audit.services import audit_append
from common.errors import ApplicationError, Forbidden, NotFound
from procurement.models import RFQ


@dataclass(frozen=True)
class RequestMeta:
    """Where a bid came from, for the audit trail and gaming detection."""

    ip: str | None = None
    user_agent: str = ""
    fingerprint: str = ""
    session: str = ""

    def as_dict(self) -> dict:
        return {"ip": self.ip, "user_agent": self.user_agent, "fingerprint": self.fingerprint,
                "session": self.session}


@dataclass
class PlacedBid:
    bid: Bid
    rfq: RFQ  # the auction row as this bid left it
    warnings: list[Violation] = field(default_factory=list)


class BidRejected(ApplicationError):
    """422 with every violation; 429 with Retry-After when a rate rule is what refused it."""

    status_code = 422
    code = "bid_rejected"

    def __init__(self, violations: list[Violation]):
        blocking = [v for v in violations if v.blocks]
        super().__init__(" ".join(v.message for v in blocking) or "The bid was rejected.",
                         violations=[v.as_dict() for v in violations])
        waits = [v.metadata.get("retry_after") for v in blocking if v.rule in ("rate_limit", "cool_down")]
        if waits and len(waits) == len(blocking):
            self.status_code, self.code = 429, "rate_limited"
            self.retry_after = max(waits)


def _record(ctx: BidContext, violations: list[Violation], *, blocked: bool, bid: Bid | None = None) -> None:
    """Keep every violation for the fairness report (and the audit trail when it refused a bid)."""
    if not violations:
        return
    rows = [RuleViolation(rfq_id=ctx.rfq.pk, supplier=ctx.supplier, user=ctx.user, bid=bid, action=ctx.action,
                          rule=v.rule, category=v.category, severity=v.severity, message=v.message,
                          metadata=v.metadata, blocked=blocked) for v in violations]
    attempt = rows[0].attempt
    for row in rows:
        row.attempt = attempt
    RuleViolation.objects.bulk_create(rows)
    if blocked:
        audit_append(type=f"bid.{ctx.action}_rejected", actor=ctx.user, rfq=ctx.rfq, payload={
            "supplier_id": ctx.supplier.pk, "attempt": str(attempt),
            "violations": [{"rule": v.rule, "severity": v.severity, "message": v.message} for v in violations]})


def _refuse(ctx: BidContext, violations: list[Violation]):
    # No auction-row lock needed: writers lock the row FOR NO KEY UPDATE, which lets the
    # stored violations' foreign-key check (KEY SHARE, deferred to commit on PostgreSQL)
    # through. A plain FOR UPDATE made that check wait for a bid that was itself waiting for
    # the audit stream this transaction holds — a deadlock found by tests/engine/test_race.py.
    with transaction.atomic():
        _record(ctx, violations, blocked=True)
    raise BidRejected(violations)


def _blocking(violations: list[Violation]) -> bool:
    return any(v.blocks for v in violations)


def bid_place(*, rfq: RFQ, user, draft, meta: RequestMeta) -> PlacedBid:
    """Place a bid or quote for the user's company, or raise BidRejected listing every violation."""
    if not user.is_supplier:
        raise Forbidden("Only suppliers bid.")
    mechanism = get_mechanism(rfq.auction_type)
    ctx = BidContext(rfq=rfq, supplier=user.supplier, user=user, now=timezone.now(), draft=draft)
    violations = run_rules(ctx, phase="pre")
    if _blocking(violations):
        # Refused already, so no lock is needed to list what the locked phase would add:
        # the supplier hears of every problem at once (product.md §4.4).
        _refuse(ctx, violations + run_rules(ctx, phase="locked"))
    with transaction.atomic():
        locked = RFQ.objects.select_for_update(no_key=True).get(pk=rfq.pk)
        ctx = BidContext(rfq=locked, supplier=ctx.supplier, user=user, now=timezone.now(), draft=draft)
        violations += run_rules(ctx, phase="locked")
        if _blocking(violations):
            # Recorded in this same short transaction: one round trip, no second lock.
            _record(ctx, violations, blocked=True)
        else:
            bid, extension = mechanism.accept(ctx, meta)
            event = audit_append(type="bid.placed", actor=user, rfq=locked,
                                 payload={**mechanism.audit_payload(bid), **meta.as_dict(),
                                          "submitted_at": bid.submitted_at, "bid_count": locked.bid_count})
            bid.audit_seq = event.seq
            bid.save(update_fields=["audit_seq"])
            if extension:
                audit_append(type="deadline.extended", actor=user, rfq=locked, payload={
                    "old_deadline": extension.old_deadline, "new_deadline": extension.new_deadline,
                    "extension_number": extension.number, "max_extensions": extension.max_extensions,
                    "triggered_by_bid": bid.pk, "bid_submitted_at": bid.submitted_at})
            _record(ctx, violations, blocked=False, bid=bid)
    if _blocking(violations):
        raise BidRejected(violations)
    return PlacedBid(bid=bid, rfq=locked, warnings=violations)


def bid_withdraw(*, rfq: RFQ, user, bid_id: int, meta: RequestMeta) -> PlacedBid:
    """Withdraw the supplier's latest standing bid while bidding is open (at most three times)."""
    if not user.is_supplier:
        raise Forbidden("Only the supplier that placed a bid can withdraw it.")
    mechanism = get_mechanism(rfq.auction_type)
    with transaction.atomic():
        locked = RFQ.objects.select_for_update(no_key=True).get(pk=rfq.pk)
        bid = Bid.objects.filter(rfq=locked, supplier=user.supplier, pk=bid_id).first()
        if bid is None:
            raise NotFound("Bid not found.")
        ctx = BidContext(rfq=locked, supplier=user.supplier, user=user, now=timezone.now(), action="withdraw",
                         bid=bid)
        violations = run_rules(ctx, phase="pre") + run_rules(ctx, phase="locked")
        if not _blocking(violations):
            bid.status, bid.withdrawn_at = BidStatus.WITHDRAWN, ctx.now
            bid.save(update_fields=["status", "withdrawn_at"])
            mechanism.withdrawn(locked, bid)
            audit_append(type="bid.withdrawn", actor=user, rfq=locked, payload={
                "bid_id": bid.pk, "supplier_id": bid.supplier_id, "version": bid.version, **meta.as_dict(),
                "withdrawals_used": sum(1 for b in ctx.own_bids if b.withdrawn_at) + 1,
                "best_amount": None if mechanism.sealed else locked.best_amount, "bid_count": locked.bid_count})
            return PlacedBid(bid=bid, rfq=locked, warnings=violations)
    _refuse(ctx, violations)
