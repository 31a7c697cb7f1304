from __future__ import annotations

from .chain import Verification, verify_events
from .models import AuditEvent, AuditStream, rfq_stream


def audit_events_for(*, rfq_id: int | None = None, stream: str | None = None):
    key = stream or (rfq_stream(rfq_id) if rfq_id is not None else None)
    qs = AuditEvent.objects.select_related("actor").order_by("stream", "seq")
    return qs.filter(stream=key) if key else qs


def audit_verify_stream(stream: str) -> Verification:
    return verify_events(stream, AuditEvent.objects.filter(stream=stream).order_by("seq").iterator())


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
