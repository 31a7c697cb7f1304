"""The stages an RFQ reached, read from its audit events: what each OCDS release says happened.

The audit trail is append-only, so the stages (and the releases built from them) never
change once reached; each is dated by its event's time and named by its event's seq.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.utils.dateparse import parse_datetime

from audit.models import AuditEvent

if TYPE_CHECKING:
    from rfqs.models import RFQ

# Events whose moving of the deadline is a `tenderUpdate`: anti-sniping extensions, a resume
# after a pause (the pause moved the deadline), an amendment, a reopen with a new deadline.
DEADLINE_MOVES = ("deadline.extended", "rfq.resume", "rfq.amended", "rfq.reopen")
STAGE_EVENTS = ("rfq.publish", *DEADLINE_MOVES, "rfq.close", "rfq.evaluate", "rfq.award", "rfq.cancel")


@dataclass(frozen=True)
class Stage:
    """One release's facts: its tag, its event, the deadline and tender status at that point."""

    tag: str
    seq: int
    at: datetime
    deadline: datetime | None
    tender_status: str  # OCDS tenderStatus codelist
    closed_at: datetime | None  # the close the bids of this release were opened at; None while bidding


def _when(value: Any) -> datetime | None:
    if isinstance(value, datetime) or value is None:
        return value
    return parse_datetime(str(value))


def _moved_deadline(event: AuditEvent) -> datetime | None:
    """The deadline the event set, if it is a deadline move; None otherwise."""
    payload = event.payload or {}
    if event.type == "deadline.extended":
        return _when(payload.get("new_deadline"))
    if event.type == "rfq.resume":
        return _when(payload.get("bidding_deadline"))
    change = (payload.get("changes") or {}).get("bidding_deadline")
    if isinstance(change, dict):
        return _when(change.get("to"))
    return _when(change)


def rfq_stages(rfq: RFQ) -> list[Stage]:
    """Every stage the RFQ reached, in the order of its audit stream."""
    events = AuditEvent.objects.filter(rfq_id=rfq.pk, type__in=STAGE_EVENTS).order_by("seq")
    stages: list[Stage] = []
    deadline: datetime | None = None
    closed_at: datetime | None = None
    status = "active"
    for event in events:
        tag = None
        if event.type == "rfq.publish":
            deadline, tag = _when(event.payload.get("bidding_deadline")), "tender"
        elif event.type in DEADLINE_MOVES:
            moved = _moved_deadline(event)
            if event.type == "rfq.reopen":
                closed_at, status = None, "active"
            if moved is not None and moved != deadline:
                deadline, tag = moved, "tenderUpdate"
        elif event.type == "rfq.close":
            closed_at, status, tag = event.at, "complete", "tenderUpdate"
        elif event.type == "rfq.evaluate" and event.payload.get("to") == "no_award":
            status, tag = "unsuccessful", "tenderUpdate"
        elif event.type == "rfq.award":
            tag = "award"
        elif event.type == "rfq.cancel":
            status, tag = "cancelled", "tenderCancellation"
        if tag is not None and (stages or tag == "tender"):
            stages.append(Stage(tag=tag, seq=event.seq, at=event.at, deadline=deadline,
                                tender_status=status, closed_at=closed_at))
    return stages
