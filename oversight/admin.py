"""The audit trail in the admin: read-only, with chain verification as an action."""
from django.contrib import admin, messages

from audit.models import AuditEvent
from common.admin import ReadOnlyAdmin

from .compliance import admin as compliance_admin  # noqa: F401  (registers the compliance review queue)
from .gaming import admin as gaming_admin  # noqa: F401  (registers gaming alerts)
from .reports import admin as reports_admin  # noqa: F401  (registers fairness reports)
from .verify import audit_verify, audit_verify_stream, describe


@admin.action(description="Verify the hash chain, checkpoints and state of the selected events' streams")
def verify_chain(modeladmin, request, queryset):
    streams = sorted(set(queryset.values_list("stream", flat=True)))
    for stream in streams:
        result = audit_verify_stream(stream)
        if result.ok:
            modeladmin.message_user(request, f"{stream}: intact, {result.checked} event(s) checked.", messages.SUCCESS)
        else:
            others = [line for line in describe(result) if not line.endswith(result.problem)]
            modeladmin.message_user(request, f"{stream}: BROKEN at seq {result.first_bad_seq} — {result.problem} "
                                             f"({result.checked} event(s) verified before it)."
                                    + (" Also: " + "; ".join(others) if others else ""), messages.ERROR)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["stream", "seq", "type", "actor_name", "at", "short_hash"]
    list_filter = ["type", "stream"]
    search_fields = ["stream", "type", "actor_name"]
    ordering = ["stream", "seq"]
    actions = [verify_chain]
    readonly_fields = ["stream", "seq", "rfq", "type", "actor", "actor_name", "at", "payload", "prev_hash", "hash"]

    @admin.display(description="hash")
    def short_hash(self, event):
        return event.hash[:12] + "…"

    def changelist_view(self, request, extra_context=None):
        # The whole trail's state at a glance, above the list.
        result = audit_verify()
        extra_context = {**(extra_context or {}), "title": (
            f"Audit trail — chain intact ({result.checked} events)" if result.ok else
            f"Audit trail — BROKEN in {result.stream} at seq {result.first_bad_seq}: {result.problem}")}
        return super().changelist_view(request, extra_context)
