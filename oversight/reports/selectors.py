"""Who reads and who certifies a fairness report. API, pages and admin all ask here."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from accounts.models import User
from auctions.access import rfq_get
from audit.models import Certification
from common.errors import Forbidden

if TYPE_CHECKING:
    from audit.types import RFQ


def rfq_for_fairness_report(*, user: User, pk: int) -> RFQ:
    """The RFQ whose report `user` may read: its buyer organisation or compliance. Unseen RFQs
    (another tenant's, anonymous) are 404 from `rfq_get`; an invited supplier is refused."""
    rfq = rfq_get(user=user, pk=pk, with_line_items=False)
    if not (user.is_compliance or (user.is_buyer and rfq.buyer_organization_id == user.buyer_organization_id)):
        raise Forbidden("Only the buyer and compliance officers read the fairness report.")
    return rfq


def rfq_for_certification(*, user: User, pk: int) -> RFQ:
    """The RFQ a compliance officer certifies; anyone else who can see it is refused."""
    rfq = rfq_get(user=user, pk=pk, with_line_items=False)
    if not user.is_compliance:
        raise Forbidden("Only compliance officers certify fairness audits.")
    return rfq


def certification_as_dict(certification: Certification) -> dict[str, Any]:
    return {"id": certification.pk, "rfq": certification.rfq_id, "officer": certification.officer_name,
            "at": certification.at.isoformat().replace("+00:00", "Z"),
            "recommendation": certification.recommendation, "findings": certification.findings,
            "report_version": certification.report_version}
