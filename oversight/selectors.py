from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from audit.models import (
    AlertSeverity,
    AuditEvent,
    Certification,
    ComplianceReviewItem,
    FairnessReport,
    GamingAlert,
    ReviewStatus,
    rfq_stream,
)
from rfqs.models import RFQStatus
from suppliers.models import KycStatus, SupplierCompany

from .verify import (  # noqa: F401  (the verifier lives in verify/)
    Verification,
    audit_verify,
    audit_verify_stream,
    every_stream,
    verify_streams,
)

# An RFQ whose award is still to be decided: past its close, neither awarded nor given up.
AWARD_PENDING = (RFQStatus.CLOSED, RFQStatus.EVALUATION)


def audit_events_for(*, rfq_id: int | None = None, stream: str | None = None) -> QuerySet[AuditEvent]:
    key = stream or (rfq_stream(rfq_id) if rfq_id is not None else None)
    qs = AuditEvent.objects.select_related("actor").order_by("stream", "seq")
    return qs.filter(stream=key) if key else qs


# --- What waits for compliance (the admin's compliance desk and its filters) ---------------

def suppliers_awaiting_kyc_review() -> QuerySet[SupplierCompany]:
    """KYC submitted, no decision yet."""
    return SupplierCompany.objects.filter(kyc_status=KycStatus.SUBMITTED)


def gaming_alerts_open(alerts: QuerySet[GamingAlert] | None = None) -> QuerySet[GamingAlert]:
    """Alerts no officer has looked at since they were last raised or updated: no certification
    of their RFQ at or after the alert's `updated_at` (new evidence needs a new look, as in the
    award gate)."""
    seen = Certification.objects.filter(rfq_id=OuterRef("rfq_id"), at__gte=OuterRef("updated_at"))
    return (GamingAlert.objects.all() if alerts is None else alerts).exclude(Exists(seen))


def gaming_alerts_open_high() -> QuerySet[GamingAlert]:
    return gaming_alerts_open(GamingAlert.objects.filter(severity=AlertSeverity.HIGH))


def fairness_reports_awaiting_certification(
        reports: QuerySet[FairnessReport] | None = None) -> QuerySet[FairnessReport]:
    """Reports whose award waits for a certification nobody has made yet: the report's award gate
    applies (high-value or a high alert), the award is still to be decided, and no officer has
    certified the RFQ (any recommendation: `review` or `reject` is a decision to follow up, not
    a report waiting to be read)."""
    certified = Certification.objects.filter(rfq_id=OuterRef("rfq_id"))
    return ((FairnessReport.objects.all() if reports is None else reports)
            .filter(rfq__status__in=AWARD_PENDING, data__compliance__award_gate__required=True)
            .exclude(Exists(certified)))


def compliance_items_due() -> QuerySet[ComplianceReviewItem]:
    """Sampled auctions waiting for their compliance review."""
    return ComplianceReviewItem.objects.filter(status=ReviewStatus.PENDING)
