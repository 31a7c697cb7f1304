"""Amend an RFQ and acknowledge an amendment (the rules are in the package docstring)."""
from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.services import audit_append
from common.after_commit import after_commit
from common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from common.realtime import publish_on_commit
from rfqs.models import RFQ, Amendment, AmendmentAcknowledgement, LineItem, RFQStatus
from suppliers import notifications
from suppliers.models import InvitationStatus

from ..scheduling import schedule_close

AMEND_STATUSES = (RFQStatus.PUBLISHED, RFQStatus.OPEN, RFQStatus.PAUSED)
NOTIFIED_INVITATIONS = (InvitationStatus.SENT, InvitationStatus.ACCEPTED)
LINE_FIELDS = ("description", "quantity", "unit", "impa_code", "starting_price")


def _reason(value: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationFailed("An amendment needs a reason; suppliers and auditors read it.",
                               fields={"reason": ["This field is required."]})
    if len(text) > Amendment.REASON_MAX:
        raise ValidationFailed(f"The reason must be at most {Amendment.REASON_MAX} characters.",
                               fields={"reason": [f"At most {Amendment.REASON_MAX} characters."]})
    return text


def _line_rows(rfq: RFQ) -> list[dict[str, str | None]]:
    return [{"description": li.description, "quantity": format(li.quantity.normalize(), "f"), "unit": li.unit,
             "impa_code": li.impa_code, "starting_price": _price(li.starting_price)}
            for li in rfq.line_items.order_by("position")]


def _price(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def _wanted_rows(items: list[dict[str, Any]]) -> list[dict[str, str | None]]:
    return [{"description": item["description"], "quantity": format(item["quantity"].normalize(), "f"),
             "unit": item["unit"], "impa_code": item.get("impa_code", ""),
             "starting_price": _price(item.get("starting_price"))} for item in items]


def _set_lines(rfq: RFQ, items: list[dict[str, Any]]) -> None:
    """Lines keep their ids by position (clients may hold them); extra ones are added, missing
    ones removed. Nothing references them yet: bidding has not opened."""
    existing = list(rfq.line_items.order_by("position"))
    for position, item in enumerate(items, start=1):
        values = {name: item.get(name, None if name == "starting_price" else "") for name in LINE_FIELDS}
        if position <= len(existing):
            line = existing[position - 1]
            for name, value in values.items():
                setattr(line, name, value)
            line.save(update_fields=list(LINE_FIELDS))
        else:
            LineItem.objects.create(rfq=rfq, position=position, **values)
    LineItem.objects.filter(pk__in=[line.pk for line in existing[len(items):]]).delete()


def _check_line_prices(rfq: RFQ, items: list[dict[str, Any]]) -> None:
    """Per-line ceilings as on create: only in a per-line reverse auction, in the currency's digits."""
    from ..serializers import line_price_errors

    errors = line_price_errors(items, {"type": rfq.auction_type, "settings": rfq.auction_settings}, rfq.currency)
    if errors:
        raise ValidationFailed("Check the line items' starting prices.", fields=errors)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _change_deadline(rfq: RFQ, deadline: datetime, changes: dict[str, Any], *, before_open: bool) -> None:
    now = timezone.now()
    if deadline <= now:
        raise ValidationFailed("The new deadline must be in the future.",
                               fields={"bidding_deadline": ["Must be in the future."]})
    if rfq.bidding_opens_at and deadline <= rfq.bidding_opens_at:
        raise ValidationFailed("The deadline must be after bidding opens.",
                               fields={"bidding_deadline": ["Must be after bidding_opens_at."]})
    if deadline.date() > rfq.delivery_date:
        raise ValidationFailed(f"Delivery is due on {rfq.delivery_date:%d %b %Y}: bidding cannot close after that.",
                               fields={"bidding_deadline": ["Must not be after the delivery date."]})
    if deadline < rfq.bidding_deadline and not before_open:
        raise Conflict("Bidding has opened: the deadline can only be moved later, not earlier.")
    changes["bidding_deadline"] = {"from": _utc(rfq.bidding_deadline), "to": _utc(deadline)}
    rfq.bidding_deadline = deadline
    rfq.deadline_version += 1  # the close job of the old deadline now does nothing
    if before_open:  # the round has not started: its anti-sniping counts from this deadline
        rfq.original_deadline = deadline


def _apply(rfq: RFQ, data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Apply the wanted changes to the locked row; what actually changed, as from/to."""
    before_open = rfq.status == RFQStatus.PUBLISHED
    if not before_open and ("description" in data or "line_items" in data):
        raise Conflict("Bidding has opened: the description and line items can no longer change "
                       "(only a later deadline can).")
    if rfq.status == RFQStatus.OPEN and rfq.bidding_deadline <= timezone.now():
        raise Conflict("The bidding deadline has passed; the auction can only close now.")
    changes: dict[str, dict[str, Any]] = {}
    deadline = data.get("bidding_deadline")
    if deadline is not None and deadline != rfq.bidding_deadline:
        _change_deadline(rfq, deadline, changes, before_open=before_open)
    if "description" in data and data["description"] != rfq.description:
        changes["description"] = {"from": rfq.description, "to": data["description"]}
        rfq.description = data["description"]
    if "line_items" in data:
        _check_line_prices(rfq, data["line_items"])
        current, wanted = _line_rows(rfq), _wanted_rows(data["line_items"])
        if current != wanted:
            changes["line_items"] = {"from": current, "to": wanted}
            _set_lines(rfq, data["line_items"])
    if not changes:
        raise ValidationFailed("Nothing would change: give a new deadline, description or line items.")
    return changes


@transaction.atomic
def amendment_make(*, rfq: RFQ, user: User, reason: str, data: dict[str, Any]) -> Amendment:
    """Amend a published, open or paused RFQ. `data` holds any of bidding_deadline,
    description, line_items (validated input). The caller checked the RFQ is visible."""
    if not (user.is_buyer and rfq.buyer_organization_id == user.buyer_organization_id):
        raise Forbidden("Only the buyer organisation that owns this RFQ can amend it.")
    reason = _reason(reason)
    rfq = RFQ.objects.select_for_update(no_key=True, of=("self",)).get(pk=rfq.pk)
    if rfq.status not in AMEND_STATUSES:
        raise Conflict(f"Only a published, open or paused RFQ can be amended; this one is "
                       f"{rfq.get_status_display().lower()}.")
    changes = _apply(rfq, data)
    problems = [p for p in rfq.publish_blockers() if "deadline" not in p]  # the deadline was checked above
    if problems:
        raise ValidationFailed(" ".join(problems))
    rfq.amendment_count += 1
    rfq.save()
    amendment = Amendment.objects.create(rfq=rfq, number=rfq.amendment_count, reason=reason, changes=changes,
                                         created_by=user)
    event = audit_append(type="rfq.amended", actor=user, rfq=rfq, payload={
        "number": amendment.number, "reason": reason, "changes": changes,
        "extension_number": rfq.extensions, "max_extensions": rfq.auction_settings.get("max_extensions")})
    publish_on_commit(event)  # a deadline move reaches live countdowns
    if "bidding_deadline" in changes:
        schedule_close(rfq)
    # Rendering one e-mail per recipient must not hold the auction row (bids wait on it): the
    # e-mails are built once the amendment commits, and a failure there is logged, not raised.
    after_commit(_notify_amendment, amendment.pk)
    return amendment


def _notify_amendment(amendment_id: int) -> None:
    amendment = Amendment.objects.select_related("rfq").get(pk=amendment_id)
    invited = amendment.rfq.invitations.filter(status__in=NOTIFIED_INVITATIONS).select_related("supplier")
    notifications.notify_amendment([invitation.supplier for invitation in invited], amendment)


def amendment_acknowledge(*, rfq: RFQ, user: User, number: int) -> AmendmentAcknowledgement:
    """An invited supplier acknowledges amendment `number`; again is harmless (the first stands)."""
    supplier = user.supplier if user.is_supplier else None
    supplier_id = supplier.pk if supplier is not None else None
    if supplier is None or not rfq.invitations.filter(supplier_id=supplier_id,
                                                       status__in=NOTIFIED_INVITATIONS).exists():
        raise Forbidden("Only an invited supplier acknowledges an amendment.")
    amendment = Amendment.objects.filter(rfq=rfq, number=number).first()
    if amendment is None:
        raise NotFound("Amendment not found.")
    with transaction.atomic():
        acknowledgement, created = AmendmentAcknowledgement.objects.get_or_create(
            amendment=amendment, supplier_id=supplier_id, defaults={"acknowledged_by": user})
        if created:
            audit_append(type="amendment.acknowledged", actor=user, rfq=rfq,
                         payload={"number": amendment.number, "supplier_id": supplier_id,
                                  "supplier": supplier.name})
    return acknowledgement
