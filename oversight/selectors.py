from __future__ import annotations

from django.db.models import QuerySet

from audit.models import AuditEvent, rfq_stream

from .verify import Verification, audit_verify, audit_verify_stream  # noqa: F401  (the verifier lives in verify/)


def audit_events_for(*, rfq_id: int | None = None, stream: str | None = None) -> QuerySet[AuditEvent]:
    key = stream or (rfq_stream(rfq_id) if rfq_id is not None else None)
    qs = AuditEvent.objects.select_related("actor").order_by("stream", "seq")
    return qs.filter(stream=key) if key else qs
