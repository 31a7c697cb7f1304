from __future__ import annotations

from .chain import Verification, verify_events
from .models import AuditEvent, AuditStream, rfq_stream


def audit_events_for(*, rfq_id: int | None = None, stream: str | None = None):
    key = stream or (rfq_stream(rfq_id) if rfq_id is not None else None)
    qs = AuditEvent.objects.select_related("actor").order_by("stream", "seq")
    return qs.filter(stream=key) if key else qs


def audit_verify_stream(stream: str) -> Verification:
    result = verify_events(stream, AuditEvent.objects.filter(stream=stream).order_by("seq").iterator())
    head = AuditStream.objects.filter(key=stream).first()
    if result.ok and head is not None and head.last_seq != result.checked:
        # The chain is whole but shorter than what was appended: its tail was removed.
        return Verification(False, result.checked, result.checked + 1, stream,
                            f"events after seq {result.checked} are missing (head is at {head.last_seq})")
    return result


def audit_verify(*, rfq_id: int | None = None) -> Verification:
    """Verify one RFQ's chain, or every chain; report the first broken link found."""
    streams = [rfq_stream(rfq_id)] if rfq_id is not None else list(
        AuditStream.objects.order_by("key").values_list("key", flat=True))
    checked = 0
    for key in streams:
        result = audit_verify_stream(key)
        checked += result.checked
        if not result.ok:
            return Verification(False, checked, result.first_bad_seq, key, result.problem)
    return Verification(True, checked, None, None)
