"""The compliance desk: what waits for compliance officers, on the admin's index page.

Each line counts the rows of a selector and links to the admin change list filtered to exactly
those rows (the filters in the admins call the same selectors). A line shows only to users who
may view that change list.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Model, QuerySet
from django.urls import reverse

from accounts.models import User

from . import selectors


@dataclass(frozen=True)
class DeskLine:
    key: str
    label: str
    count: int
    url: str


@dataclass(frozen=True)
class _Source:
    key: str
    label: str
    rows: Callable[[], QuerySet[Model]]
    changelist: str  # the admin URL name
    query: str  # the change list's filter giving exactly `rows`
    permission: str


SOURCES = (
    _Source("kyc", "KYC to review", selectors.suppliers_awaiting_kyc_review,
            "admin:suppliers_kycreviewqueue_changelist", "", "suppliers.view_kycreviewqueue"),
    _Source("alerts", "Open high alerts", selectors.gaming_alerts_open_high,
            "admin:audit_gamingalert_changelist", "severity__exact=HIGH&review=open", "audit.view_gamingalert"),
    _Source("reports", "Reports awaiting certification", selectors.fairness_reports_awaiting_certification,
            "admin:audit_fairnessreport_changelist", "certification=awaiting", "audit.view_fairnessreport"),
    _Source("samples", "Sample items due", selectors.compliance_items_due,
            "admin:audit_compliancereviewitem_changelist", "status__exact=PENDING",
            "audit.view_compliancereviewitem"),
)


def compliance_desk(user: User) -> list[DeskLine]:
    """The desk's lines `user` may open, in the order an officer works through them."""
    return [DeskLine(key=s.key, label=s.label, count=s.rows().count(),
                     url=reverse(s.changelist) + (f"?{s.query}" if s.query else ""))
            for s in SOURCES if user.has_perm(s.permission)]
