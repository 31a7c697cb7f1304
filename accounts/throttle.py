"""Sign-in throttling: django-axes with a limit per scope, and lockouts audited.

Axes counts failed sign-ins in AccessAttempt rows (one per account, address and user agent)
and compares one number with one limit. Here each lockout parameter (account and address,
account, address: AXES_LOCKOUT_PARAMETERS) has a limit of its own (SIGN_IN_LIMITS), so the
handler reports to axes how far the scope nearest its limit is, on the scale of
AXES_FAILURE_LIMIT: at or past that limit exactly when some scope is at or past its own.
Configuration and the reasons for it: settings/integrations.py.
"""
from __future__ import annotations

import math
from datetime import datetime

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit, get_lockout_parameters
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import authenticate
from django.db.models import QuerySet, Sum
from django.shortcuts import render
from django.utils import timezone

from common.errors import TooManyRequests, ValidationFailed

# AXES_LOCKOUT_PARAMETERS entry → its limit's name in SIGN_IN_LIMITS.
SCOPES = {("username", "ip_address"): "ACCOUNT_AND_ADDRESS", ("username",): "ACCOUNT", ("ip_address",): "ADDRESS"}
LOCKED_MESSAGE = ("Too many failed sign-ins for this account or from this address. Try again in {wait}, "
                  "or ask a compliance officer to lift the lock.")


def _scope(parameter) -> str:
    return SCOPES[(parameter,) if isinstance(parameter, str) else tuple(parameter)]


class SignInThrottleHandler(AxesDatabaseHandler):
    """Axes' database handler with a limit per scope; a lockout is audited when it begins."""

    def scope_attempts(self, request, credentials=None) -> dict[str, QuerySet]:
        """The attempts within the cool-off that count against each scope of this sign-in."""
        parameters = get_lockout_parameters(request, credentials)
        return {_scope(parameter): attempts for parameter, attempts
                in zip(parameters, self.get_user_attempts(request, credentials), strict=True)}

    def scope_failures(self, request, credentials=None) -> dict[str, int]:
        return {scope: attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
                for scope, attempts in self.scope_attempts(request, credentials).items()}

    def get_failures(self, request, credentials=None) -> int:
        limits = settings.SIGN_IN_LIMITS
        margin = max(failures - limits[scope] for scope, failures in self.scope_failures(request, credentials).items())
        return max(0, get_failure_limit(request, credentials) + margin)

    def locked_until(self, request, credentials=None) -> datetime | None:
        """When every scope of this sign-in is back under its limit; None if none is at it.

        A row's failures age out together, one cool-off after its latest failure: oldest
        first, rows drop out until the scope is under its limit.
        """
        limits, cool_off, until = settings.SIGN_IN_LIMITS, get_cool_off(request), None
        if cool_off is None:
            return None
        for scope, attempts in self.scope_attempts(request, credentials).items():
            rows = list(attempts.order_by("attempt_time").values_list("attempt_time", "failures_since_start"))
            remaining = sum(failures for _, failures in rows)
            for attempt_time, failures in rows:
                if remaining < limits[scope]:
                    break
                remaining -= failures
                until = max(until, attempt_time + cool_off) if until else attempt_time + cool_off
        return until

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        # Axes flags a sign-in it refused before reporting it (AXES_RESET_COOL_OFF_ON_FAILURE_
        # DURING_LOCKOUT off): such a failure is the lockout going on, not beginning.
        refused = bool(getattr(request, "axes_locked_out", False))
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is not None and not refused and getattr(request, "axes_locked_out", False):
            from .services import sign_in_lockout_record

            sign_in_lockout_record(
                username=get_client_username(request, credentials), ip_address=request.axes_ip_address,
                path=request.axes_path_info, failures=self.scope_failures(request, credentials),
                locked_until=self.locked_until(request, credentials))

    def reset_user_attempts(self, request, credentials=None) -> int:
        """After a successful sign-in: that account's failures from that address, nothing wider.

        Axes would clear every scope, the address's failures against other accounts too: an
        attacker with an account of their own could then guess on and on, signing in between.
        """
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(username=username, ip_address=request.axes_ip_address).delete()
        return count


def retry_after_seconds(request, credentials=None) -> int:
    """Seconds until this sign-in may be tried again (the whole cool-off if that is unknown)."""
    until = SignInThrottleHandler().locked_until(request, credentials)
    if until is None:
        cool_off = get_cool_off(request)
        return int(cool_off.total_seconds()) if cool_off else 60
    return max(1, math.ceil((until - timezone.now()).total_seconds()))


def _wait(seconds: int) -> str:
    minutes = math.ceil(seconds / 60)
    return f"{seconds} seconds" if seconds < 60 else "1 minute" if minutes == 1 else f"{minutes} minutes"


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the page a refused sign-in gets instead of the login form.

    Reads the credentials from the request: axes' async middleware passes them in the place
    of `original_response`.
    """
    seconds = retry_after_seconds(request, getattr(request, "axes_credentials", None))
    response = render(request, "registration/locked_out.html",
                      {"message": LOCKED_MESSAGE.format(wait=_wait(seconds))}, status=429)
    response["Retry-After"] = str(seconds)
    return response


def authenticate_throttled(request, *, username: str, password: str):
    """authenticate() for sign-ins outside Django's login views (the API's token exchange).

    Wrong credentials: ValidationFailed. Locked out (this failure may be the one that locks):
    TooManyRequests with Retry-After, whatever the password. A success clears the account's
    failures from this address, as a sign-in through login() does.
    """
    user = authenticate(request, username=username, password=password)
    if user is None and getattr(request, "axes_locked_out", False):
        seconds = retry_after_seconds(request, getattr(request, "axes_credentials", None))
        raise TooManyRequests(LOCKED_MESSAGE.format(wait=_wait(seconds)), retry_after=seconds,
                              code="too_many_attempts")
    if user is None:
        raise ValidationFailed("Wrong username or password.", code="invalid_credentials")
    AxesProxyHandler.user_logged_in(sender=authenticate_throttled, request=request, user=user)
    return user
