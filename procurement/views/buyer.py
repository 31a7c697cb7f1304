"""Buyer pages: the RFQ list, create and edit a draft, and the RFQ's detail page.

Each view asks a selector what the user may see (404 otherwise) or act on (403), parses
its form, calls one service and redirects with a message.
"""
from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from accounts.models import Role
from auctions.access import reserve_visible_to, rfq_get, rfq_get_for_buyer_action, rfq_list
from auctions.scenarios import TEMPLATES
from auctions.selectors import EVALUATED_STATES, auction_state
from common.errors import ApplicationError
from common.listing import page_query, paginate
from common.money import money_text
from common.pages import page_view, require_role
from oversight.selectors import audit_events_for
from rfqs.models import RFQ, AuctionType, RFQStatus
from suppliers.models import Category, InvitationStatus
from suppliers.selectors import invitations_for_rfq

from .. import services
from ..forms import COMMON_CURRENCIES, SETTINGS_FIELDS, CancelForm, RFQEditor
from ..selectors import RFQ_QUERY, RFQFilters, rfq_list_filtered, rfq_transition_blockers
from .access import may_view_rfqs
from .amendments import amendments_context
from .attachments import attachments_context, opened_quote_files_context
from .bids import bids_panel
from .clarifications import clarifications_context
from .display import (
    auction_summary,
    criteria_rows,
    lifecycle,
    line_items_for_display,
    status_timeline,
    tie_breaking_summary,
)

# Transitions a buyer runs from the detail page, in the order the buttons appear.
BUTTONS = [
    ("publish", "Publish and send invitations", "primary"),
    ("open", "Open bidding now", "primary"),
    ("pause", "Pause bidding", "secondary"),
    ("resume", "Resume bidding", "primary"),
    ("close", "Close bidding", "secondary"),
    ("evaluate", "Start evaluation", "primary"),
]
# While bidding runs the page follows pause, resume and close live (static/js/quayside.js):
# each of these buttons is rendered and shown only in the status where it applies.
LIVE_BUTTONS = {"pause": "open", "resume": "paused", "close": "open"}
RFQ_ORDERING_LABELS = [
    ("-created_at", "Newest first"), ("created_at", "Oldest first"),
    ("bidding_deadline", "Deadline, soonest first"), ("-bidding_deadline", "Deadline, latest first"),
    ("title", "Title A–Z"), ("-title", "Title Z–A"), ("status", "Status"), ("-reference", "Reference, newest"),
]
ACTIVE_INVITATIONS = [InvitationStatus.PENDING, InvitationStatus.SENT, InvitationStatus.ACCEPTED,
                      InvitationStatus.DECLINED]


@page_view
def rfq_list_page(request):
    may_view_rfqs(request.user)
    found = page_query(request, RFQ_QUERY, RFQFilters.from_query)
    if found.redirect:
        return redirect(found.redirect)
    counts = dict(rfq_list(user=request.user).prefetch_related(None).order_by()
                  .values_list("status").annotate(n=Count("pk")))
    current = found.values.get("status")
    tabs = [{"value": None, "label": "All", "count": sum(counts.values())}] + [
        {"value": value, "label": label, "count": counts.get(value, 0)}
        for value, label in RFQStatus.choices if counts.get(value) or value == current]
    rfqs = RFQ.objects.none() if found.filters is None else rfq_list_filtered(
        user=request.user, filters=found.filters).annotate(
        invited_count=Count("invitations", filter=Q(invitations__status__in=ACTIVE_INVITATIONS), distinct=True),
        accepted_count=Count("invitations", filter=Q(invitations__status=InvitationStatus.ACCEPTED), distinct=True))
    page = paginate(request, rfqs)
    names = {t.id: t.name for t in TEMPLATES}
    for rfq in page:
        rfq.template_name = names.get(rfq.template, "")
    return render(request, "procurement/rfq_list.html", {
        "rfqs": page, "page": page, "tabs": tabs, "current": current, "filters": found.values,
        "errors": found.errors, "filtered": len(found.values) > ("page" in found.values),
        "statuses": RFQStatus.choices, "auction_types": AuctionType.choices, "category_options": Category.objects.values_list("slug", "name"),
        "orderings": RFQ_ORDERING_LABELS, "now": timezone.now(),
    }, status=400 if found.errors else 200)


def _editor_context(editor: RFQEditor, *, rfq) -> dict:
    chosen = editor.chosen_template
    # Criteria are not edited on the page; show the ones the RFQ will run with.
    stored = rfq is not None and rfq.auction_type == "MULTI_ATTRIBUTE"
    ma_settings = rfq.auction_settings if stored else next(
        t for t in TEMPLATES if t.auction_type == "MULTI_ATTRIBUTE").settings()
    return {
        "rfq": rfq, "editor": editor, "form": editor.form, "items": editor.items, "chosen": chosen,
        "templates": TEMPLATES, "currencies": COMMON_CURRENCIES, "ma_criteria": criteria_rows(ma_settings),
        # For the page's script: each template's settings, and which input carries which setting.
        "template_data": {t.id: {"type": t.auction_type, "settings": t.settings(), "duration": t.duration_minutes}
                          for t in TEMPLATES},
        "settings_fields": SETTINGS_FIELDS,
    }


@page_view
def rfq_create(request):
    require_role(request.user, Role.BUYER, "Only buyers create RFQs.")
    editor = RFQEditor(request.POST or None)
    if request.method == "POST" and editor.is_valid():
        try:
            rfq = services.rfq_create(user=request.user, data=editor.service_data)
        except ApplicationError as exc:
            editor.add_application_error(exc)
        else:
            messages.success(request, f"{rfq.reference} saved as a draft. Invite suppliers, then publish it.")
            return redirect("buyer-rfq-detail", pk=rfq.pk)
    return render(request, "procurement/rfq_form.html", _editor_context(editor, rfq=None))


@page_view
def rfq_edit(request, pk: int):
    rfq = rfq_get_for_buyer_action(user=request.user, pk=pk)
    if rfq.status != RFQStatus.DRAFT:
        messages.error(request, f"Only a draft can be edited; {rfq.reference} is {rfq.get_status_display().lower()}.")
        return redirect("buyer-rfq-detail", pk=rfq.pk)
    editor = RFQEditor(request.POST or None, rfq=rfq)
    if request.method == "POST" and editor.is_valid():
        try:
            services.rfq_update(rfq=rfq, user=request.user, data=editor.service_data)
        except ApplicationError as exc:
            editor.add_application_error(exc)
        else:
            messages.success(request, f"{rfq.reference} updated.")
            return redirect("buyer-rfq-detail", pk=rfq.pk)
    return render(request, "procurement/rfq_form.html", _editor_context(editor, rfq=rfq))


def _actions(rfq) -> list[dict]:
    """The transition buttons this RFQ's state allows, each with what still blocks it (and,
    while bidding runs, the status it is shown in)."""
    actions = []
    for name, label, style in BUTTONS:
        when = LIVE_BUTTONS.get(name) if rfq.is_live else None
        if when is None and not getattr(rfq, name)._django_fsm.has_transition(rfq.status):
            continue
        shown = when in (None, rfq.status)
        blockers = rfq_transition_blockers(rfq, name) if shown else []
        actions.append({"name": name, "label": label, "style": style, "when": when, "shown": shown,
                        "url": reverse(f"buyer-rfq-{name}", args=[rfq.pk]),
                        "blockers": [_live_deadline(reason, rfq) for reason in blockers]})
    return actions


def _live_deadline(reason: str, rfq):
    """A reason that names the deadline ("runs until …"), the deadline marked for the page's
    script to keep current when a late bid extends it."""
    stamp = f"{rfq.bidding_deadline:%Y-%m-%d %H:%M:%S}"
    before, found, after = reason.partition(stamp)
    if not found:
        return reason
    return format_html('{}<span data-live-deadline="iso" data-testid="runs-until-blocker">{}</span>{}',
                       before, stamp, after)


@page_view
def rfq_detail(request, pk: int):
    rfq = rfq_get(user=request.user, pk=pk)
    may_view_rfqs(request.user)
    is_owner = request.user.is_buyer and rfq.buyer_organization_id == request.user.buyer_organization_id
    invitations = list(invitations_for_rfq(rfq=rfq))
    chain, fallback = tie_breaking_summary(rfq)
    return render(request, "procurement/rfq_detail.html", {
        "rfq": rfq,
        "is_owner": is_owner,
        "actions": _actions(rfq) if is_owner else [],
        "can_cancel": is_owner and rfq.cancel._django_fsm.has_transition(rfq.status),
        "cancel_form": CancelForm(),
        "can_invite": is_owner and rfq.status in ("draft", "published", "open", "paused"),
        "can_fallback": is_owner and rfq.auction_type == "REVERSE_AUCTION" and rfq.status in ("open", "paused")
        and rfq.sealed_fallback_at is None,
        "line_items": line_items_for_display(rfq),
        "lifecycle": lifecycle(rfq),
        "invitations": invitations,
        "accepted_count": sum(1 for i in invitations if i.status == InvitationStatus.ACCEPTED),
        "auction_rows": auction_summary(rfq),
        "criteria": criteria_rows(rfq.auction_settings),
        "reserve_visible": reserve_visible_to(user=request.user, rfq=rfq),
        "reserve_amount": money_text(rfq.reserve_amount, rfq.currency),
        "tie_chain": chain, "tie_fallback": fallback,
        "timeline": status_timeline(audit_events_for(rfq_id=rfq.pk)),
        "panel": bids_panel(user=request.user, rfq=rfq),
        "has_evaluation": rfq.status in EVALUATED_STATES,
        # The /state/ object the live page starts from (the same code applies each event).
        "live_state": auction_state(user=request.user, rfq=rfq) if rfq.is_live else None,
        "server_time": timezone.now(),
        **clarifications_context(user=request.user, rfq=rfq),
        **amendments_context(user=request.user, rfq=rfq),
        **attachments_context(request.user, rfq, is_owner=is_owner),
        **opened_quote_files_context(request.user, rfq),
    })
