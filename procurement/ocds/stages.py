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
STAGE_EVENTS = ("rfq.created", "rfq.updated", "rfq.publish", *DEADLINE_MOVES, "rfq.close", "rfq.evaluate", "rfq.award", "rfq.cancel")


@dataclass(frozen=True)
class Stage:
    """One release's facts: its tag, its event, the deadline and tender status at that point."""

    tag: str
    seq: int
    at: datetime
    deadline: datetime | None
    tender_status: str  # OCDS tenderStatus codelist
    closed_at: datetime | None  # the close the bids of this release were opened at; None while bidding
    # What the tender said at this point, from the audit trail (None: not recorded; use the rows).
    description: str | None = None
    lines: list[dict[str, Any]] | None = None  # {description, quantity, unit, impa_code}
    amendments: tuple[dict[str, Any], ...] = ()  # OCDS Amendment objects so far


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


@dataclass
class _Tender:
    """The tender as the events so far describe it, while the stream is read."""

    deadline: datetime | None = None
    closed_at: datetime | None = None
    status: str = "active"
    description: str | None = None
    lines: list[dict[str, Any]] | None = None
    amendments: tuple[dict[str, Any], ...] = ()

    def amend(self, event: AuditEvent) -> str | None:
        """An amendment: a `tenderAmendment` when it changed what is bought, else (a deadline
        move) a `tenderUpdate`, as api.md names deadline moves."""
        payload, changes = event.payload, event.payload.get("changes") or {}
        self.amendments += ({"id": str(payload.get("number")), "date": event.at,
                             "rationale": payload.get("reason", ""),
                             "description": "Changed: " + ", ".join(n.replace("_", " ") for n in changes)},)
        if "description" in changes:
            self.description = changes["description"].get("to")
        if "line_items" in changes:
            self.lines = changes["line_items"].get("to")
        moved = _moved_deadline(event)
        if moved is not None:
            self.deadline = moved
        return "tenderAmendment" if {"description", "line_items"} & set(changes) else "tenderUpdate"

    def stage(self, tag: str, event: AuditEvent) -> Stage:
        return Stage(tag=tag, seq=event.seq, at=event.at, deadline=self.deadline, tender_status=self.status,
                     closed_at=self.closed_at, description=self.description, lines=self.lines,
                     amendments=self.amendments)


def _tag(tender: _Tender, event: AuditEvent) -> str | None:
    """The release `event` starts, if any, with `tender` brought up to date."""
    kind, payload = event.type, event.payload
    if kind in ("rfq.created", "rfq.updated"):  # the draft's snapshot: what publishing will say
        tender.description, tender.lines = payload.get("description"), payload.get("line_items")
        return None
    if kind == "rfq.publish":
        tender.deadline = _when(payload.get("bidding_deadline"))
        return "tender"
    if kind == "rfq.amended":
        return tender.amend(event)
    if kind in DEADLINE_MOVES:
        if kind == "rfq.reopen":
            tender.closed_at, tender.status = None, "active"
        moved = _moved_deadline(event)
        if moved is not None and moved != tender.deadline:
            tender.deadline = moved
            return "tenderUpdate"
        return None
    if kind == "rfq.close":
        tender.closed_at, tender.status = event.at, "complete"
        return "tenderUpdate"
    if kind == "rfq.evaluate" and payload.get("to") == "no_award":
        tender.status = "unsuccessful"
        return "tenderUpdate"
    if kind == "rfq.cancel":
        tender.status = "cancelled"
        return "tenderCancellation"
    return "award" if kind == "rfq.award" else None


def rfq_stages(rfq: RFQ) -> list[Stage]:
    """Every stage the RFQ reached, in the order of its audit stream."""
    events = AuditEvent.objects.filter(rfq_id=rfq.pk, type__in=STAGE_EVENTS).order_by("seq")
    stages: list[Stage] = []
    tender = _Tender()
    for event in events:
        tag = _tag(tender, event)
        if tag is not None and (stages or tag == "tender"):
            stages.append(tender.stage(tag, event))
    return stages
