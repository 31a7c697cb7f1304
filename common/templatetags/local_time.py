"""Times on the pages in the reader's zone, with UTC on hover; the number format's rule by price inputs.

The middleware (common/middleware.py LocalTimeAndNumbers) activates the signed-in user's
zone; `{{ moment|when:"j M Y, H:i" }}` renders
`<time datetime="2026-12-06T06:50:00Z" title="6 Dec 2026, 06:50 UTC">6 Dec 2026, 14:50 +08</time>`.
static/js/quayside.js updates such an element in place when a live deadline moves.
"""
from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html

from common.local_format import amount_hint, format_local_amount, local_time_text

register = template.Library()


def zone_abbreviation(moment: datetime | None = None) -> str:
    """The active zone's abbreviation at `moment` (now by default): "UTC", "CET", "+08"."""
    return date_format(timezone.localtime(moment or timezone.now()), "T")


@register.filter(expects_localtime=False)
def when(moment, fmt: str = "j M Y, H:i"):
    """A moment in the active zone followed by the zone's abbreviation, UTC on hover."""
    if not isinstance(moment, datetime):
        return "" if moment in (None, "") else moment
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, UTC)
    local, utc = timezone.localtime(moment), moment.astimezone(UTC)
    return format_html('<time datetime="{}" title="{} UTC">{} {}</time>', utc_iso(moment), date_format(utc, fmt),
                       date_format(local, fmt), date_format(local, "T"))


@register.filter(expects_localtime=False)
def utc_iso(moment) -> str:
    """A moment for scripts: ISO 8601 in UTC with "Z", whatever zone the page is in."""
    if not isinstance(moment, datetime):
        return ""
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, UTC)
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@register.filter(expects_localtime=False)
def when_text(moment, fmt: str = "j M Y, H:i") -> str:
    """The same as plain text (e-mails): "6 Dec 2026, 14:50 +08"."""
    if not isinstance(moment, datetime):
        return "" if moment in (None, "") else moment
    return local_time_text(moment, fmt)


@register.simple_tag
def zone_name() -> str:
    """The active zone's abbreviation now, for a column head: "Time ({% zone_name %})"."""
    return zone_abbreviation()


@register.simple_tag
def amount_rule(currency: str) -> str:
    """The number-format rule shown under a price input: "Type 48,500.00 — comma for thousands…"."""
    return amount_hint(None, currency)


@register.simple_tag
def amount_placeholder(currency: str) -> str:
    """Zero in the user's number format with the currency's decimals: "0.00", "0,00", "0"."""
    return format_local_amount(Decimal(0), None, currency)
