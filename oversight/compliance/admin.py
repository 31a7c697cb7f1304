"""The compliance review queue in the admin: the quarterly samples (read-only, with how to
redraw them) and the sampled auctions an officer reviews, pending first."""
from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from audit.models import ComplianceReviewItem, ComplianceSample, ReviewStatus
from common.admin import ReadOnlyAdmin, action_with_form, apply_each
from common.errors import ApplicationError

from .services import compliance_review_record, sample_redraw


def fairness_report_path(rfq_id: int) -> str:
    return f"/rfqs/{rfq_id}/fairness-report/"


def _rfq_links(item: ComplianceReviewItem):
    rfq_url = reverse("admin:procurement_rfq_change", args=[item.rfq_id])
    return format_html('<a href="{}">{}</a> · <a href="{}">fairness report</a>', rfq_url, item.rfq.reference,
                       fairness_report_path(item.rfq_id))


class ReviewItemInline(admin.TabularInline):
    model = ComplianceReviewItem
    extra = 0
    can_delete = False
    fields = ["auction", "status", "reviewed_by", "reviewed_at", "notes"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="auction")
    def auction(self, item):
        return _rfq_links(item)


@admin.register(ComplianceSample)
class ComplianceSampleAdmin(ReadOnlyAdmin):
    list_display = ["quarter", "size", "population_size", "pending", "drawn_at"]
    fields = ["quarter", "drawn_at", "seed", "size", "population_size", "population", "reproduce"]
    readonly_fields = fields
    inlines = [ReviewItemInline]

    @admin.display(description="closed in the quarter")
    def population_size(self, sample):
        return len(sample.population)

    @admin.display(description="pending")
    def pending(self, sample):
        return sample.items.filter(status=ReviewStatus.PENDING).count()

    @admin.display(description="how to reproduce the draw")
    def reproduce(self, sample):
        redrawn = sample_redraw(seed=sample.seed, population=sample.population, size=sample.size)
        matches = redrawn == sorted(sample.items.values_list("rfq_id", flat=True))
        return format_html(
            "<code>import random; sorted(random.Random({}).sample(population, {}))</code>"
            "<br>with <code>population</code> the sorted ids above (Python's Mersenne Twister). "
            "Redrawn now: {} — {}.",
            sample.seed, sample.size, ", ".join(map(str, redrawn)) or "none",
            "matches the queued items" if matches else "DOES NOT match the queued items")


class ReviewForm(forms.Form):
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
                            help_text="What the review found; kept on the audit trail.")


@admin.action(description="Mark the selected auctions reviewed (asks for notes)", permissions=["change"])
def mark_reviewed(modeladmin, request, queryset):
    def record(items, data):
        apply_each(modeladmin, request, items, lambda item: compliance_review_record(
            item=item, officer=request.user, notes=data["notes"]), done="{n} review(s) recorded.")

    return action_with_form(
        modeladmin, request, queryset.select_related("sample", "rfq"), form_class=ReviewForm, apply=record,
        title="Record compliance review", intro="Record the compliance review of:", submit="Record the review",
        describe=lambda item: f"{item.rfq.reference} {item.rfq.title} ({item.sample.quarter}, "
                              f"{item.get_status_display().lower()})")


@admin.register(ComplianceReviewItem)
class ComplianceReviewItemAdmin(admin.ModelAdmin):
    """The queue. Only the notes are editable, and only while the item is pending: saving
    them records the review (who, when) on the audit trail."""

    list_display = ["rfq_reference", "quarter", "status", "links", "reviewed_by", "reviewed_at"]
    list_filter = ["status", "sample__quarter"]
    search_fields = ["rfq__title", "notes"]
    ordering = ["status", "-sample__quarter", "rfq_id"]  # PENDING sorts before REVIEWED
    list_select_related = ["sample", "rfq", "reviewed_by"]
    actions = [mark_reviewed]
    fields = ["quarter", "links", "status", "reviewed_by", "reviewed_at", "notes"]

    readonly_fields = ["quarter", "links", "status", "reviewed_by", "reviewed_at"]

    def has_change_permission(self, request, obj=None):
        # A recorded review is final (it is on the audit trail): reviewed items are view-only.
        pending = obj is None or obj.status == ReviewStatus.PENDING
        return pending and super().has_change_permission(request, obj)

    def has_add_permission(self, request):
        return False  # items come from the quarterly sample

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        # The review goes through the service (lock, audit) instead of a plain save.
        try:
            compliance_review_record(item=obj, officer=request.user, notes=form.cleaned_data["notes"])
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if "notes" in form.base_fields:
            form.base_fields["notes"].required = True
        return form

    @admin.display(description="RFQ", ordering="rfq_id")
    def rfq_reference(self, item):
        return item.rfq.reference

    @admin.display(description="quarter", ordering="sample__quarter")
    def quarter(self, item):
        return item.sample.quarter

    @admin.display(description="review")
    def links(self, item):
        return _rfq_links(item)
