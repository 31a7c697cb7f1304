"""Reads for accounts: failed sign-ins as compliance sees them."""
from __future__ import annotations

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import IntegerField, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

# Scope (SIGN_IN_LIMITS) → the fields whose failures it adds up, and how compliance reads it.
SCOPE_FIELDS = {"ACCOUNT_AND_ADDRESS": ("username", "ip_address"), "ACCOUNT": ("username",),
                "ADDRESS": ("ip_address",)}
SCOPE_LABELS = {"ACCOUNT_AND_ADDRESS": "account from this address", "ACCOUNT": "account",
                "ADDRESS": "address"}


def sign_in_attempts_with_scope_failures(attempts: QuerySet[AccessAttempt]) -> QuerySet[AccessAttempt]:
    """Each attempt row with the failures, within the cool-off, of each scope it belongs to
    (`<scope>_failures`, scope in lower case)."""
    cool_off = get_cool_off()
    recent = AccessAttempt.objects.all()
    if cool_off is not None:
        recent = recent.filter(attempt_time__gte=timezone.now() - cool_off)

    def total(fields: tuple[str, ...]) -> Coalesce:
        sums = (recent.filter(**{field: OuterRef(field) for field in fields}).order_by().values(*fields)
                .annotate(n=Sum("failures_since_start")).values("n")[:1])
        return Coalesce(Subquery(sums, output_field=IntegerField()), 0)

    return attempts.annotate(**{f"{scope.lower()}_failures": total(fields) for scope, fields in SCOPE_FIELDS.items()})


def locked_scopes(attempt: AccessAttempt) -> list[str]:
    """The scopes of an annotated attempt row that are locked now (labels for people)."""
    limits = settings.SIGN_IN_LIMITS
    return [SCOPE_LABELS[scope] for scope in SCOPE_FIELDS
            if getattr(attempt, f"{scope.lower()}_failures", 0) >= limits[scope]]
