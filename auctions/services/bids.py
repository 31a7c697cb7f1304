"""Placing and withdrawing bids: the hot path (architecture.md).

Rules that need no live state run first, without a lock, and the bid's row and its audit
event are built as far as the lock does not decide them. Then one short transaction locks
the auction row, re-checks what depends on it, completes and inserts the bid, updates best /
count / deadline, appends the audit event (which hands out `seq`) and commits. The row lock is
the fairness guarantee: there is exactly one order of bids, the audit trail's.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from auctions import hooks
from auctions.bidders import Recheck, Unconfirmed
from auctions.drafts import BidDraft
from auctions.mechanisms import bids_per_line, get_mechanism
from auctions.mechanisms.bidding import bid_row
from auctions.models import Bid, BidStatus, RuleViolation
from auctions.rules import BidContext, Violation, run_rules
from auctions.rules.context import OwnBid
from auctions.selectors.bidding import withdrawals_used
from auctions.signing import SignatureCheck
from audit.models import AuditEvent, AuditStream, rfq_stream
from audit.services import CHAINED_FIELDS, audit_append, audit_event, audit_lock, event_row
from common.db import (
    PreparedInsert,
    Statement,
    completed_insert,
    field_values,
    insert_statement,
    instances,
    prepared_insert,
    run_batch,
    select_columns,
    update_statement,
)
from common.errors import ApplicationError, Forbidden, NotFound
from common.realtime import publish_on_commit
from common.request_meta import RequestMeta
from rfqs.models import RFQ, LineItem


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
        waits: list[Any] = [v.metadata.get("retry_after") for v in blocking if v.rule in ("rate_limit", "cool_down")]
        if waits and len(waits) == len(blocking):
            self.status_code, self.code = 429, "rate_limited"
            self.retry_after = max(waits)


def _record(ctx: BidContext, violations: list[Violation], *, blocked: bool, bid: Bid | None = None,
            head: AuditStream) -> None:
    """Keep every violation for the fairness report (and the audit trail when it refused a bid).
    Queued with the transaction's writes."""
    if not violations:
        return
    rows = [RuleViolation(rfq_id=ctx.rfq.pk, supplier=ctx.supplier, user=ctx.user, bid=bid, action=ctx.action,
                          rule=v.rule, category=v.category, severity=v.severity, message=v.message,
                          metadata=v.metadata, blocked=blocked) for v in violations]
    attempt = rows[0].attempt
    for row in rows:
        row.attempt = attempt
        ctx.write(insert_statement(row))
    if blocked:
        _audit(ctx, head, f"bid.{ctx.action}_rejected", {
            "supplier_id": ctx.supplier.pk, "attempt": str(attempt), **violations_audit(violations)})


def violations_audit(violations: list[Violation]) -> dict[str, Any]:
    """What an event keeps of the rules' findings (none: nothing). A refused bid's event lists
    what refused it; an accepted bid's or a withdrawal's, the warnings it was accepted with
    (product.md §6: rule violations are in the trail). Messages never carry a sealed amount."""
    if not violations:
        return {}
    return {"violations": [{"rule": v.rule, "severity": v.severity, "message": v.message} for v in violations]}


def _audit(ctx: BidContext, head: AuditStream, type: str, payload: dict[str, Any],
           prepared: PreparedInsert[AuditEvent] | None = None) -> AuditEvent:
    """`prepared`: the event's row made ahead (event_row) for this type, outside the lock."""
    if prepared is None:
        event = audit_event(type=type, head=head, actor=ctx.user, rfq=ctx.rfq, payload=payload)
        ctx.write(insert_statement(event))
        return event
    event = audit_event(type=type, head=head, actor=ctx.user, rfq=ctx.rfq, payload=payload, row=prepared.obj)
    ctx.write(completed_insert(prepared, CHAINED_FIELDS))
    return event


def _commit_writes(ctx: BidContext, head: AuditStream) -> None:
    """Send the queued writes, the advanced stream head and the COMMIT in one round trip: the
    last thing the bid's transaction does."""
    run_batch([*ctx.writes, update_statement(head, ["last_seq", "last_hash", "last_live_seq"])], commit=True)
    ctx.writes.clear()


def _refuse(ctx: BidContext, violations: list[Violation]) -> NoReturn:
    # No auction-row lock needed: writers lock the row FOR NO KEY UPDATE, which lets the
    # stored violations' foreign-key check (KEY SHARE, deferred to commit on PostgreSQL)
    # through. A plain FOR UPDATE made that check wait for a bid that was itself waiting for
    # the audit stream this transaction holds — a deadlock found by tests/engine/test_race.py.
    with transaction.atomic():
        head = audit_lock(rfq_stream(ctx.rfq.pk))
        _record(ctx, violations, blocked=True, head=head)
        _commit_writes(ctx, head)
    raise BidRejected(violations)


def _refuse_unlocked(ctx: BidContext, violations: list[Violation], recheck: Recheck | None) -> NoReturn:
    """Refused before the lock, so none is needed to list what the locked phase would add: the
    supplier hears of every problem at once (product.md §4.4). Never on remembered rows
    (auctions.bidders): the bid is then decided again on rows read now."""
    if recheck is not None:
        raise Unconfirmed
    _refuse(ctx, violations + run_rules(ctx, phase="locked"))


def _blocking(violations: list[Violation]) -> bool:
    return any(v.blocks for v in violations)


def _lock(rfq_id: int, supplier_id: int, line_id: int | None = None, recheck: Recheck | None = None
          ) -> tuple[RFQ, AuditStream, list[OwnBid], int | None, LineItem | None]:
    """Lock the auction row and its audit stream head, then read the supplier's own bids and
    reserve the new bid's id: one round trip (common.db.run_batch). A per-line bid also reads
    its line's live state; every writer of it holds the row lock first, so it is current.

    The row comes first, the order every writer takes the two locks in. The own-bids read is
    a statement of its own, so its snapshot is taken after the lock was granted and sees every
    bid committed before. The own bids are the columns the rules read (OwnBid), not models.
    """
    key = rfq_stream(rfq_id)
    bid_table = Bid._meta.db_table
    # SQLite (the embedded default) has no row locks: its writers queue for the database.
    lock = " FOR NO KEY UPDATE" if connection.features.has_select_for_no_key_update else ""
    # Remembered rows (auctions.bidders): the LIVE columns and a digest of the others.
    rfq_columns = recheck.lock_columns() if recheck is not None else select_columns(RFQ, "r")
    statements: list[Statement] = [
        (f"""SELECT {rfq_columns}, s.last_seq, s.last_hash, s.last_live_seq
               FROM {RFQ._meta.db_table} r JOIN {AuditStream._meta.db_table} s ON s.key = %s
              WHERE r.id = %s{lock}""", [key, rfq_id]),
        (f"""SELECT {select_columns(Bid, "b", OwnBid._fields)} FROM {bid_table} b
              WHERE b.rfq_id = %s AND b.supplier_id = %s ORDER BY b.submitted_at, b.id""", [rfq_id, supplier_id]),
    ]
    if line_id is not None:
        statements.append((f"SELECT {select_columns(LineItem, 'l')} FROM {LineItem._meta.db_table} l "
                           f"WHERE l.id = %s AND l.rfq_id = %s", [line_id, rfq_id]))
    if _reserves_bid_id():
        statements.append((f"SELECT nextval(pg_get_serial_sequence('{bid_table}', 'id'))", []))
    results = run_batch([recheck.statement, *statements] if recheck is not None else statements)
    if recheck is not None:
        recheck.confirm(results.pop(0))  # Unconfirmed: the block rolls back
    line = None
    if line_id is not None:
        rows = results.pop(2)
        line = instances(LineItem, rows)[0] if rows else None
    if not results[0] and recheck is not None:
        raise Unconfirmed  # no head, or no RFQ: decided without memory
    if not results[0]:  # the stream has no head yet (an RFQ created without an audit event)
        locked = RFQ.objects.select_for_update(no_key=True).get(pk=rfq_id)
        head = audit_lock(key)
        earlier = Bid.objects.filter(rfq_id=rfq_id, supplier_id=supplier_id).order_by("submitted_at", "id")
        return locked, head, [OwnBid(*values) for values in earlier.values_list(*OwnBid._fields)], None, line
    row = results[0][0]
    rfq_row, (last_seq, last_hash, last_live_seq) = row[:-3], row[-3:]
    locked = recheck.locked_rfq(rfq_row) if recheck is not None else instances(RFQ, [rfq_row])[0]
    head = AuditStream(key=key, last_seq=last_seq, last_hash=last_hash, last_live_seq=last_live_seq)
    own = [OwnBid(*values) for values in field_values(Bid, results[1], OwnBid._fields)]
    return locked, head, own, results[2][0][0] if len(results) > 2 else None, line


def _reserves_bid_id() -> bool:
    """Whether the lock's batch reserves the new bid's id (a sequence: PostgreSQL), so its row
    can be made ahead and inserted with the writes; SQLite's bid is saved by new_bid."""
    return connection.vendor == "postgresql"


def _rows_ahead(ctx: BidContext, meta: RequestMeta) -> tuple[PreparedInsert[Bid] | None, PreparedInsert[AuditEvent] | None]:
    """The accepted bid's row and its `bid.placed` event, as far as they can be made before the
    lock; None where no id is reserved under it (SQLite: new_bid saves the bid itself)."""
    if not _reserves_bid_id():
        return None, None
    event = event_row(type="bid.placed", stream=rfq_stream(ctx.rfq.pk), actor=ctx.user, rfq=ctx.rfq)
    return prepared_insert(bid_row(ctx, meta), key_later=True), prepared_insert(event)


def signature_audit(signature: SignatureCheck | None, *, sealed: bool) -> dict[str, Any]:
    """What a bid's audit event keeps of its verified signature. A sealed quote's signature is
    sealed with it (it would let whoever reads the trail test a guessed price against it) and
    the opening records it; the trail says now which key signed, when, with which nonce."""
    if signature is None or not signature.verified:
        return {}
    record = signature.record
    if sealed:
        record = {name: record[name] for name in ("key_id", "fingerprint", "alg", "created", "nonce")} | {
            "sealed": True}
    return {"signature": record}


def bid_place(*, rfq: RFQ, user: User, draft: BidDraft, meta: RequestMeta,
              signature: SignatureCheck | None = None,
              commit_with: Callable[[PlacedBid], Sequence[Statement]] | None = None,
              recheck: Recheck | None = None) -> PlacedBid:
    """Place a bid or quote for the user's company, or raise BidRejected listing every violation.
    `signature`: a signed request's verdict (auctions/signing.py), judged by rule bid_signature.
    `commit_with`: the caller's own writes for an accepted bid, given the bid as placed and
    committed with it, only with it (the Idempotency-Key's answer: auctions/idempotency.py).
    `recheck`: `rfq` and `user` are remembered rows, confirmed in the lock's round trip (auctions.bidders)."""
    supplier = user.supplier  # a supplier's user always has its company (a database constraint)
    if not user.is_supplier or supplier is None:
        raise Forbidden("Only suppliers bid.")
    mechanism = get_mechanism(rfq.auction_type)
    ctx = BidContext(rfq=rfq, supplier=supplier, user=user, now=timezone.now(), draft=draft, signature=signature)
    violations = run_rules(ctx, phase="pre")
    if _blocking(violations):
        _refuse_unlocked(ctx, violations, recheck)
    per_line = bids_per_line(rfq) and draft.line_item_id is not None
    # What the lock does not decide is built and converted before it: the lock's span sets the
    # pace of a busy auction (bench/README.md, thirteenth and fourteenth sessions).
    prepared_bid, prepared_event = _rows_ahead(ctx, meta)
    with transaction.atomic():
        locked, head, own, bid_id, line = _lock(rfq.pk, ctx.supplier.pk, draft.line_item_id if per_line else None,
                                                recheck)
        ctx = BidContext(rfq=locked, supplier=ctx.supplier, user=user, now=timezone.now(), draft=draft,
                         audit_seq=head.last_seq + 1, next_bid_id=bid_id, line=line, signature=signature,
                         prepared_bid=prepared_bid)
        ctx.own_bids = own
        violations += run_rules(ctx, phase="locked")
        if _blocking(violations):
            # Recorded in this same short transaction: one round trip, no second lock.
            _record(ctx, violations, blocked=True, head=head)
        else:
            bid, extension = mechanism.accept(ctx, meta)
            placed = _audit(ctx, head, "bid.placed", {**mechanism.audit_payload(bid), **meta.as_dict(),
                                                      "submitted_at": bid.submitted_at, "bid_count": locked.bid_count,
                                                      **({"line_bid_count": line.bid_count} if line else {}),
                                                      **signature_audit(signature, sealed=bool(bid.sealed_payload)),
                                                      **({"supersedes": ctx.superseded} if ctx.superseded else {}),
                                                      **violations_audit(violations)},
                            prepared_event)
            if not extension:
                publish_on_commit(placed)  # live clients see the bid (open-book auctions; sealed: nothing)
            else:
                extended = _audit(ctx, head, "deadline.extended", {
                    "old_deadline": extension.old_deadline, "new_deadline": extension.new_deadline,
                    "extension_number": extension.number, "max_extensions": extension.max_extensions,
                    "triggered_by_bid": bid.pk, "bid_submitted_at": bid.submitted_at})
                publish_on_commit(placed, extended)  # both public messages before the bid's ranks
                hooks.deadline_extended.send(rfq=locked)  # procurement sends the new close job on commit
            _record(ctx, violations, blocked=False, bid=bid, head=head)
            outcome = PlacedBid(bid=bid, rfq=locked, warnings=violations)
            if commit_with is not None:
                ctx.writes.extend(commit_with(outcome))
            hooks.bids_changed.send(rfq_id=locked.pk)  # the gaming scan, on commit and debounced
        _commit_writes(ctx, head)
    if _blocking(violations):
        raise BidRejected(violations)
    return outcome


def _line_after(bid: Bid) -> dict[str, Any]:
    """A per-line bid's line as its withdrawal left it (the audit event's, and live clients')."""
    if bid.line_item_id is None:
        return {}
    best, count = LineItem.objects.filter(pk=bid.line_item_id).values_list("best_amount", "bid_count").get()
    return {"line_item_id": bid.line_item_id, "line_best_amount": best, "line_bid_count": count}


def bid_withdraw(*, rfq: RFQ, user: User, bid_id: int, meta: RequestMeta,
                 signature: SignatureCheck | None = None) -> PlacedBid:
    """Withdraw the supplier's latest standing bid while bidding is open (at most three times)."""
    supplier = user.supplier  # a supplier's user always has its company (a database constraint)
    if not user.is_supplier or supplier is None:
        raise Forbidden("Only the supplier that placed a bid can withdraw it.")
    mechanism = get_mechanism(rfq.auction_type)
    with transaction.atomic():
        locked = RFQ.objects.select_for_update(no_key=True).get(pk=rfq.pk)
        bid = Bid.objects.filter(rfq=locked, supplier=supplier, pk=bid_id).first()
        if bid is None:
            raise NotFound("Bid not found.")
        ctx = BidContext(rfq=locked, supplier=supplier, user=user, now=timezone.now(), action="withdraw",
                         bid=bid, signature=signature)
        violations = run_rules(ctx, phase="pre") + run_rules(ctx, phase="locked")
        if not _blocking(violations):
            bid.status, bid.withdrawn_at = BidStatus.WITHDRAWN, ctx.now
            bid.save(update_fields=["status", "withdrawn_at"])
            mechanism.withdrawn(locked, bid)
            withdrawn = audit_append(type="bid.withdrawn", actor=user, rfq=locked, payload={
                "bid_id": bid.pk, "supplier_id": bid.supplier_id, "version": bid.version, **meta.as_dict(),
                "withdrawals_used": withdrawals_used(ctx.own_bids) + 1,
                "best_amount": None if mechanism.sealed else locked.best_amount, "bid_count": locked.bid_count,
                **_line_after(bid), **signature_audit(signature, sealed=False), **violations_audit(violations)})
            publish_on_commit(withdrawn)
            hooks.bids_changed.send(rfq_id=locked.pk)
            return PlacedBid(bid=bid, rfq=locked, warnings=violations)
    _refuse(ctx, violations)
