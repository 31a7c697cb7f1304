"""Markup for live RFQ pages: elements that follow the auction's status without a reload.

static/js/quayside.js applies every live state (the initial render, each event, each
reconnect) through one function; these tags render the same attributes it reads.
"""
from django import template
from django.utils.html import format_html, mark_safe

register = template.Library()


@register.simple_tag
def live_when(status: str, statuses: str) -> str:
    """` data-live-when="<statuses>"`, and ` hidden` unless `status` is one of them: the
    element is shown only while the auction is in one of `statuses` (space-separated)."""
    hidden = "" if status in statuses.split() else " hidden"
    return format_html(' data-live-when="{}"{}', statuses, mark_safe(hidden))


@register.simple_tag
def live_enabled(status: str, statuses: str) -> str:
    """For a <fieldset>: its controls are usable only while the status is one of `statuses`."""
    disabled = "" if status in statuses.split() else " disabled"
    return format_html(' data-live-enabled="{}"{}', statuses, mark_safe(disabled))
