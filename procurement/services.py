"""Writes for RFQs: create, edit, and every state transition. Each audits itself."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from auctions.mechanisms import bids_per_line
from audit.anchoring.services import checkpoint_seal_on_commit
from audit.models import rfq_stream
from audit.services import audit_append
from common.after_commit import after_commit
from common.errors import InvalidTransition, ValidationFailed
from common.fsm import run_transition
from common.realtime import publish_on_commit
from oversight.reports.gate import award_gate_enforce
from oversight.reports.services import fairness_report_request
from rfqs.models import RFQ, LineItem, RFQStatus
from suppliers.notifications import notify_outcome
from suppliers.services import invitations_send_pending

from .scheduling import schedule_close, schedule_open
from .selectors import rfq_transition_blockers

if TYPE_CHECKING:
    from auctions.services.award import AllocationChoice


def rfq_snapshot(rfq: RFQ) -> dict[str, Any]:
    """What an audit event records of an RFQ's configuration."""
    return {
        "title": rfq.title, "description": rfq.description, "category": rfq.category.slug, "currency": rfq.currency,
        "delivery_port": rfq.delivery_port.code, "delivery_date": rfq.delivery_date,
        "bidding_opens_at": rfq.bidding_opens_at, "bidding_deadline": rfq.bidding_deadline,
        "auction_type": rfq.auction_type, "auction_settings": rfq.auction_settings,
        "reserve": {"enabled": rfq.reserve_enabled, "amount": rfq.reserve_amount,
                    "visibility": rfq.reserve_visibility},
        "tie_breaking": rfq.tie_breaking,
        "line_items": [{"position": li.position, "description": li.description, "quantity": li.quantity,
                        "unit": li.unit, "impa_code": li.impa_code,
                        **({"starting_price": li.starting_price} if li.starting_price is not None else {})}
                       for li in rfq.line_items.all()],
    }


def _apply_fields(rfq: RFQ, data: dict[str, Any]) -> None:
    for name in ("title", "description", "category", "currency", "delivery_port", "delivery_date",
                 "bidding_opens_at", "auction_type", "auction_settings", "template", "tie_breaking"):
        if name in data:
            setattr(rfq, name, data[name])
    if "bidding_deadline" in data:
        rfq.bidding_deadline = data["bidding_deadline"]
        rfq.original_deadline = data["bidding_deadline"]
    if "reserve" in data:
        reserve = data["reserve"]
        rfq.reserve_enabled = reserve["enabled"]
        rfq.reserve_amount = reserve.get("amount")
        rfq.reserve_visibility = reserve["visibility"]
        rfq.reserve_auto_accept_if_met = reserve["auto_accept_if_met"]
        rfq.reserve_notify_buyer_if_not_met = reserve["notify_buyer_if_not_met"]


def _replace_line_items(rfq: RFQ, items: list[dict[str, Any]]) -> None:
    rfq.line_items.all().delete()
    LineItem.objects.bulk_create(
        LineItem(rfq=rfq, position=index, **item) for index, item in enumerate(items, start=1))


@transaction.atomic
def rfq_create(*, user: User, data: dict[str, Any]) -> RFQ:
    """Create a draft RFQ for the user's organisation from validated input."""
    rfq = RFQ(buyer_organization=user.buyer_organization, created_by=user)
    _apply_fields(rfq, data)
    rfq.save()
    _replace_line_items(rfq, data.get("line_items", []))
    audit_append(type="rfq.created", actor=user, rfq=rfq, payload=rfq_snapshot(rfq))
    return rfq


@transaction.atomic
def rfq_update(*, rfq: RFQ, user: User, data: dict[str, Any]) -> RFQ:
    """Edit a draft. Anything past draft is fixed: suppliers were told what they bid on."""
    rfq = RFQ.objects.select_for_update(no_key=True).get(pk=rfq.pk)
    if rfq.status != RFQStatus.DRAFT:
        raise InvalidTransition(f"Only a draft can be edited; this RFQ is {rfq.get_status_display().lower()}.")
    _apply_fields(rfq, data)
    rfq.save()
    if "line_items" in data:
        _replace_line_items(rfq, data["line_items"])
    audit_append(type="rfq.updated", actor=user, rfq=rfq,
                 payload={"changed": sorted(data), **rfq_snapshot(rfq)})
    return rfq


def _locked(rfq: RFQ) -> RFQ:
    return RFQ.objects.select_for_update(no_key=True, of=("self",)).select_related("category", "delivery_port").get(pk=rfq.pk)


def _transition(rfq: RFQ, name: str, *, actor: User | None, reason: str = "", payload: dict[str, Any] | None = None,
                **kwargs: Any) -> RFQ:
    """Run one transition on the locked row, save it and audit it, inside the caller's transaction."""
    before = rfq.status
    run_transition(rfq, name, reasons=rfq_transition_blockers(rfq, name), **kwargs)
    rfq.status_reason = reason
    rfq.save()
    event = audit_append(type=f"rfq.{name}", actor=actor, rfq=rfq, payload={
        "from": before, "to": rfq.status, "reason": reason,
        "bidding_deadline": rfq.bidding_deadline, **(payload or {})})
    publish_on_commit(event)  # open, pause, resume, close, reopen, cancel reach live clients
    return rfq


@transaction.atomic
def rfq_publish(*, rfq: RFQ, user: User, reason: str = "") -> RFQ:
    """Publish, send the invitations, and open at once when no opening time is set."""
    rfq = _locked(rfq)
    _transition(rfq, "publish", actor=user, reason=reason,
                payload={"invited": list(rfq.invitations.values_list("supplier_id", flat=True))})
    invitations_send_pending(rfq=rfq, actor=user)
    if rfq.can_open():
        _transition(rfq, "open", actor=user)
    else:
        schedule_open(rfq)
    schedule_close(rfq)
    return rfq


@transaction.atomic
def rfq_open(*, rfq: RFQ, user: User, reason: str = "") -> RFQ:
    return _transition(_locked(rfq), "open", actor=user, reason=reason)


@transaction.atomic
def rfq_pause(*, rfq: RFQ, user: User, reason: str = "") -> RFQ:
    return _transition(_locked(rfq), "pause", actor=user, reason=reason)


@transaction.atomic
def rfq_resume(*, rfq: RFQ, user: User, reason: str = "") -> RFQ:
    rfq = _locked(rfq)
    paused_since = rfq.paused_at  # None unless paused: then the transition itself answers 409
    paused_seconds = (timezone.now() - paused_since).total_seconds() if paused_since else None
    rfq = _transition(rfq, "resume", actor=user, reason=reason, payload={
        "paused_at": paused_since, "paused_seconds": paused_seconds})
    schedule_close(rfq)  # the pause moved the deadline
    return rfq


@transaction.atomic
def rfq_close(*, rfq: RFQ, user: User, reason: str = "") -> RFQ:
    """Close the window; sealed quotes are opened in the same transaction."""
    from auctions.services import auction_close_open_quotes

    rfq = _transition(_locked(rfq), "close", actor=user, reason=reason)
    auction_close_open_quotes(rfq=rfq, actor=user)
    _after_close(rfq)
    return rfq


def _after_close(rfq: RFQ) -> None:
    """Once the close commits: the auction's audit stream is sealed (product.md §6: a checkpoint
    at every close), then the at-close gaming scan and the fairness report."""
    from .tasks import after_close

    checkpoint_seal_on_commit(stream=rfq_stream(rfq.pk))
    # On the embedded default the task runs right here, and a report that fails to build must
    # not turn the committed close into an error (the report page builds it later).
    after_commit(after_close.delay, rfq.pk)


def rfq_open_if_due(*, rfq_id: int) -> bool:
    """The open job: open a published RFQ once its opening time has come. Anything else does
    nothing (already open, cancelled, not yet time), so running it twice is harmless.

    If the whole window passed before any job ran (the site, or every worker, was down), the
    RFQ opens late and closes at once, with no bid: it then follows the normal path after
    close (report, evaluation to no-award, reopen with a new deadline) instead of staying
    `published` with nothing the buyer could do but cancel. True if it opened."""
    from auctions.services import auction_close_open_quotes

    with transaction.atomic():
        rfq = RFQ.objects.select_for_update(no_key=True, of=("self",)).filter(pk=rfq_id).first()
        if rfq is None or rfq.status != RFQStatus.PUBLISHED:
            return False
        if rfq.bidding_deadline <= timezone.now():
            rfq.opening_after_lapse = True
            _transition(rfq, "open", actor=None, payload={"late": True}, reason=(
                "Opened late: the bidding window passed before the opening job ran, so no bid could be placed."))
            rfq = _transition(rfq, "close", actor=None, reason="The bidding deadline had already passed.")
            auction_close_open_quotes(rfq=rfq, actor=None)
            _after_close(rfq)
            return True
        if not rfq.can_open():
            return False
        _transition(rfq, "open", actor=None, reason="The bidding opening time was reached.")
        return True


def rfq_close_if_due(*, rfq_id: int, deadline_version: int | None = None) -> bool:
    """The close job (architecture.md "Deadlines"): close the RFQ if bidding is open and its
    deadline has passed — and, for a job scheduled for one deadline, if that deadline is still
    the current one (an extension bumps `deadline_version`). Anything else does nothing, so a
    job delivered twice, or one scheduled before an extension, is harmless. True if it closed.
    """
    from auctions.services import auction_close_open_quotes

    with transaction.atomic():
        rfq = RFQ.objects.select_for_update(no_key=True, of=("self",)).filter(pk=rfq_id).first()
        if rfq is None or rfq.status != RFQStatus.OPEN or rfq.bidding_deadline > timezone.now():
            return False
        if deadline_version is not None and rfq.deadline_version != deadline_version:
            return False
        rfq = _transition(rfq, "close", actor=None, reason="The bidding deadline was reached.")
        auction_close_open_quotes(rfq=rfq, actor=None)
        _after_close(rfq)
        return True


@transaction.atomic
def rfq_evaluate(*, rfq: RFQ, user: User | None, reason: str = "") -> RFQ:
    """Move a closed RFQ to evaluation, or to no-award when no valid bid meets the reserve.
    `user` None: the system (a reserve's automatic acceptance, reserve_close.py)."""
    from auctions.selectors.evaluation import rfq_evaluation
    from oversight.gaming.services import gaming_scan

    rfq = _locked(rfq)
    payload = {}
    awardable = False
    evaluation = None
    if rfq.status == RFQStatus.CLOSED:  # otherwise the transition itself answers 409
        gaming_scan(rfq_id=rfq.pk, phase="close")  # as at award: the evaluation page shows the gate
        evaluation = rfq_evaluation(rfq)
        awardable = evaluation.outcome != "NO_AWARD"
        if not awardable:
            reason = reason or ("No valid bid." if not evaluation.rankings else "The reserve price was not met.")
        payload = {"outcome": evaluation.outcome, "recommended_bid_id": evaluation.recommended_bid_id,
                   "reserve": evaluation.reserve}
    if evaluation is not None and evaluation.allocation is not None:
        payload["allocation_problem"] = evaluation.allocation["allocation_problem"]
        if not awardable:
            reason = evaluation.allocation["allocation_problem"] or reason
    rfq = _transition(rfq, "evaluate", actor=user, reason=reason, payload=payload, awardable=awardable)
    if rfq.status == RFQStatus.NO_AWARD:
        _notify_outcomes(rfq)
    return rfq


@transaction.atomic
def rfq_award(*, rfq: RFQ, user: User | None, bid_id: int | None = None, allocation: AllocationChoice | None = None,
              reason: str = "") -> RFQ:
    """Award a ranked bid, or (split and bundle awards) the recommended allocation or a manual
    selection of lines. Anything but the recommendation needs a written reason and is recorded
    as a manual override (the fairness report shows it). What was awarded is stored, and every
    participant is told its outcome."""
    from auctions.selectors.evaluation import rfq_evaluation
    from auctions.services.award import award_decide, award_record
    from oversight.gaming.services import gaming_scan

    rfq = _locked(rfq)
    payload: dict[str, Any] = {"bid_id": bid_id}
    if rfq.status == RFQStatus.EVALUATION:  # otherwise the transition itself answers 409
        evaluation = rfq_evaluation(rfq)
        decision = award_decide(rfq=rfq, evaluation=evaluation, bid_id=bid_id, allocation=allocation)
        if decision.override and not reason.strip():
            what = "a bid other than the recommended one" if decision.bid else "another allocation than the recommended one"
            raise ValidationFailed(f"Awarding {what} needs a written reason; it is recorded as a manual override.",
                                   fields={"reason": ["This field is required."]})
        # The at-close scan is a job that may not have run yet (a backlog, a failure): run it
        # here too — it is idempotent and writes nothing when nothing changed — so the gate
        # sees every alert the bids justify, including those of the last seconds.
        gaming_scan(rfq_id=rfq.pk, phase="close")
        # High-value or high-alert auctions wait for compliance's `approve` (oversight/reports/gate.py).
        award_gate_enforce(rfq=rfq, award_total=max(decision.total_cost, decision.total_payment),
                           evaluation=evaluation)
        rfq.awarded_bid, rfq.award_override = decision.bid, decision.override
        award_record(rfq=rfq, decision=decision)
        payload.update(decision.audit)
        # An award without competition is allowed, but the trail says so (product.md: fairness).
        ranked = len(evaluation.rankings)
        payload["competition"] = {"ranked_quotes": ranked, "single_quote": ranked == 1}
    rfq = _transition(rfq, "award", actor=user, reason=reason.strip(), payload=payload)
    fairness_report_request(rfq=rfq)  # the outcome is a new fact of the report
    _notify_outcomes(rfq)
    return rfq


def _notify_outcomes(rfq: RFQ) -> None:
    """Each participant learns its outcome (product.md §7), by e-mail after commit."""
    from auctions.selectors import outcome_participants, revealed_ranking, reveals_ranking, supplier_outcome

    ranking = revealed_ranking(rfq) if reveals_ranking(rfq) else None  # once, not once per supplier
    for supplier in outcome_participants(rfq=rfq):
        notify_outcome(supplier=supplier, rfq=rfq,
                       outcome=supplier_outcome(rfq=rfq, supplier_id=supplier.pk, ranking=ranking))


@transaction.atomic
def rfq_fallback(*, rfq: RFQ, user: User, reason: str = "") -> RFQ:
    """Switch a live reverse auction to sealed-bid collection for the rest of the window, when
    live delivery is failing (product.md §4.2). Bids placed so far stand; from now on each bid
    is sealed until the close, where all are opened and ranked together."""
    rfq = _locked(rfq)
    if rfq.auction_type != "REVERSE_AUCTION":
        raise InvalidTransition("Only a reverse auction can fall back to sealed bids; this one collects sealed "
                                "bids already.")
    if bids_per_line(rfq):
        raise InvalidTransition("A per-line auction cannot switch to sealed bids: its lines' live bests are "
                                "what suppliers bid against. Pause it instead while live delivery is restored.")
    if rfq.status not in (RFQStatus.OPEN, RFQStatus.PAUSED):
        raise InvalidTransition(f"The fallback is for a running auction; this RFQ is "
                                f"{rfq.get_status_display().lower()}.")
    if rfq.sealed_fallback_at is not None:
        raise InvalidTransition("This auction already collects sealed bids.")
    rfq.sealed_fallback_at = timezone.now()
    rfq.status_reason = reason
    rfq.save(update_fields=["sealed_fallback_at", "status_reason", "updated_at"])
    event = audit_append(type="rfq.fallback", actor=user, rfq=rfq, payload={
        "from": rfq.status, "to": rfq.status, "reason": reason, "mode": "sealed",
        "bidding_deadline": rfq.bidding_deadline, "best_amount_at_switch": rfq.best_amount,
        "bid_count_at_switch": rfq.bid_count})
    publish_on_commit(event)
    return rfq


@transaction.atomic
def rfq_cancel(*, rfq: RFQ, user: User, reason: str) -> RFQ:
    if not reason or not reason.strip():
        raise ValidationFailed("Cancelling needs a reason; suppliers and auditors will read it.",
                               fields={"reason": ["This field is required."]})
    return _transition(_locked(rfq), "cancel", actor=user, reason=reason.strip())


@transaction.atomic
def rfq_reopen(*, rfq: RFQ, user: User, reason: str = "",
               bidding_deadline: datetime | None = None, reserve_amount: Decimal | None = None) -> RFQ:
    """Reopen after no award, with a new deadline and/or a lowered reserve."""
    rfq = _locked(rfq)
    changes: dict[str, dict[str, Any]] = {}
    if bidding_deadline is not None and rfq.status == RFQStatus.NO_AWARD:
        changes["bidding_deadline"] = {"from": rfq.bidding_deadline, "to": bidding_deadline}
        rfq.bidding_deadline = bidding_deadline
        rfq.deadline_version += 1
    if reserve_amount is not None and rfq.status == RFQStatus.NO_AWARD:
        if not rfq.reserve_enabled or (rfq.reserve_amount is not None and reserve_amount >= rfq.reserve_amount):
            raise ValidationFailed("A reopened RFQ's reserve can only be lowered.",
                                   fields={"reserve_amount": ["Must be below the current reserve."]})
        changes["reserve_amount"] = {"from": rfq.reserve_amount, "to": reserve_amount}
        rfq.reserve_amount = reserve_amount
    rfq = _transition(rfq, "reopen", actor=user, reason=reason, payload={"changes": changes})
    schedule_close(rfq)
    return rfq
