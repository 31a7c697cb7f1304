"""Gaming alerts in the admin: read-only (only the scan writes them), listed by RFQ,
severity and detector; the evidence shown as a table of the bids involved plus its JSON.

Compliance officers read them through the audit app's view permissions (accounts/roles.py).
"""
from __future__ import annotations

import json

from django.contrib import admin
from django.utils.html import format_html, format_html_join

from audit.models import GamingAlert
from common.admin import ReadOnlyAdmin

from ..selectors import gaming_alerts_open

BID_COLUMNS = ["id", "supplier", "amount", "at", "ip", "fingerprint", "user_agent"]


def evidence_bids(evidence) -> list[dict]:
    """Every bid the evidence names, wherever the detector put it, once each, in time order."""
    found = {}

    def walk(node):
        if isinstance(node, dict):
            if {"id", "supplier_id", "at"} <= node.keys():
                found[node["id"]] = node
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
    walk(evidence)
    return sorted(found.values(), key=lambda b: (b["at"], b["id"]))


class ReviewFilter(admin.SimpleListFilter):
    """Open: no certification of the RFQ since the alert was last raised or updated."""

    title = "review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("open", "Open (not looked at since)"), ("seen", "Certified since")]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return gaming_alerts_open(queryset)
        if self.value() == "seen":
            return queryset.exclude(pk__in=gaming_alerts_open(queryset).values("pk"))
        return queryset


@admin.register(GamingAlert)
class GamingAlertAdmin(ReadOnlyAdmin):
    list_display = ["rfq", "severity", "detector", "summary", "supplier_ids", "phase", "raised_at", "updated_at"]
    list_filter = ["severity", ReviewFilter, "detector", "phase"]
    list_select_related = ["rfq"]
    search_fields = ["rfq__id", "rfq__title", "summary", "key"]
    ordering = ["-updated_at"]
    fields = ["rfq", "detector", "key", "severity", "summary", "supplier_ids", "phase", "raised_at", "updated_at",
              "bids_involved", "evidence_json"]
    readonly_fields = fields

    @admin.display(description="Bids involved")
    def bids_involved(self, alert):
        head = format_html_join("", "<th>{}</th>", ((c,) for c in BID_COLUMNS))
        rows = format_html_join("", "<tr>{}</tr>", (
            (format_html_join("", "<td>{}</td>", ((bid.get(c, ""),) for c in BID_COLUMNS)),)
            for bid in evidence_bids(alert.evidence)))
        return format_html("<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>", head, rows)

    @admin.display(description="Evidence")
    def evidence_json(self, alert):
        return format_html("<pre style=\"white-space:pre-wrap\">{}</pre>",
                           json.dumps(alert.evidence, indent=2, ensure_ascii=False))
