"""Writes for accounts: sign-in lockouts and their lifting, each audited on the platform stream."""
from __future__ import annotations

from datetime import datetime

from axes.utils import reset
from django.contrib.auth import get_user_model
from django.db import transaction

from audit.services import audit_append
from common.errors import Forbidden, ValidationFailed
from common.local_format import NUMBER_FORMATS

from .models import User, validate_time_zone


@transaction.atomic
def sign_in_lockout_record(*, username: str | None, ip_address: str | None, path: str,
                           failures: dict[str, int], locked_until: datetime | None) -> None:
    """A lockout has begun: the failure that reached a limit was just counted (accounts/throttle.py).

    Not tied to one auction, so on the platform stream, like KYC decisions. Nobody acted as a
    user: the actor is "system", the account tried is in the payload.
    """
    user_id = get_user_model().objects.filter(username=username).values_list("pk", flat=True).first()
    audit_append(type="sign_in.locked_out", payload={
        "username": username, "user_id": user_id, "ip_address": ip_address, "path": path,
        "failures": {scope.lower(): count for scope, count in failures.items()}, "locked_until": locked_until})


@transaction.atomic
def sign_in_lockout_lift(*, officer: User, username: str | None = None, ip_address: str | None = None) -> int:
    """Clear the failed sign-ins of an account (from every address), of an address (for every
    account) or of the pair, whichever is given; return how many attempt records went."""
    if not getattr(officer, "is_compliance", False):
        raise Forbidden("Only compliance officers lift sign-in lockouts.")
    if not username and not ip_address:
        raise ValidationFailed("Name the account or the address whose lockout to lift.")
    cleared = reset(ip=ip_address or None, username=username or None)
    audit_append(type="sign_in.lockout_lifted", actor=officer, payload={
        "username": username or None, "ip_address": ip_address or None, "attempts_cleared": cleared})
    return cleared


def user_preferences_update(*, user: User, time_zone: str, number_format: str) -> None:
    """The user's own display preferences: no other person's view changes, so not audited."""
    validate_time_zone(time_zone)
    if number_format not in NUMBER_FORMATS:
        raise ValidationFailed(f"Choose a number format: {', '.join(NUMBER_FORMATS)}.")
    user.time_zone = time_zone
    user.number_format = number_format
    user.save(update_fields=["time_zone", "number_format"])
