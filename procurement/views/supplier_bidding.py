"""Bidding from the supplier's RFQ page: placing what the panel's form sends (bidding_panel.py
draws the panel), the rules' refusals in the page's words, and withdrawing a bid.

The page parses the form into the API's bid body and hands it to the same mechanism parser
and `bid_place` service as the API, so the rule engine gives the page and the API the same
answer. Authorisation: `rfq_get` (404 unless invited) and the role check, then the service.
"""
from __future__ import annotations

import re

from django.contrib import messages
from django.shortcuts import redirect
from django.views.decorators.http import require_POST
from rest_framework.exceptions import ValidationError as ShapeError

from accounts.models import Role
from auctions.access import rfq_get
from auctions.mechanisms import get_mechanism
from auctions.rules import REGISTRY as RULES
from auctions.selectors import auction_state, own_quote
from auctions.services import BidRejected, bid_place, bid_withdraw
from common.errors import ApplicationError, flatten_field_errors
from common.local_format import local_time_text
from common.money import money_text
from common.pages import page_view, require_role
from common.request_meta import request_meta
from suppliers.forms import BundleQuoteForm, QuoteForm, ReverseBidForm

from .bidding_panel import new_quote_form
from .display import line_items_for_display
from .supplier_rfq import rfq_page

# Rules whose finding belongs to one input even without metadata naming it.
RULE_FIELDS = {"quote_validity": "valid_until", "minimum_decrement": "amount", "starting_price_ceiling": "amount"}

BUNDLE_REF = re.compile(r"bundles\[(\d+)\]")


def describe_bundle_problems(violations: list[dict], *, form: BundleQuoteForm) -> list[dict]:
    """The rules' messages in the page's words: `bundles[i]` becomes the row number the
    supplier sees, and each message also goes on the row it is about."""
    problems = []
    for violation in violations:
        rule = RULES.get(violation["rule"])
        metadata = violation.get("metadata") or {}
        message = violation["message"]
        rows = [form.sent_rows[int(i)] for i in BUNDLE_REF.findall(message) if int(i) < len(form.sent_rows)]
        message = _bundle_words(message, form)
        field = metadata.get("field") or RULE_FIELDS.get(violation["rule"])
        if rows:
            own = rows[0]
            target = form.price_field(own) if "price" in message.lower() else form.lines_field(own)
            _add_error(form, target, message)
        elif field and not field.startswith("bundles"):
            _add_error(form, field, message.replace(f"{field}: ", "", 1))
        problems.append({"rule": violation["rule"], "rule_name": rule.name if rule else violation["rule"],
                         "severity": violation["severity"], "message": message})
    return problems


def _bundle_words(message: str, form: BundleQuoteForm) -> str:
    def row_name(match):
        index = int(match.group(1))
        number = form.sent_rows[index] + 1 if index < len(form.sent_rows) else index + 1
        return f"bundle {number}"
    text = BUNDLE_REF.sub(row_name, message)
    return text[:1].upper() + text[1:]


# --- Refusals as a person reads them ----------------------------------------------------------

def _line_label(item) -> str:
    return f"Line {item.position} ({item.description})"


def describe_problems(violations: list[dict], *, form, items_by_id: dict, sent_ids: list[int]) -> list[dict]:
    """Each violation with its rule's name and a message in the page's words; where the
    metadata (or the rule) names an input, the message is also put on that input."""
    problems = []
    for violation in violations:
        rule = RULES.get(violation["rule"])
        metadata = violation.get("metadata") or {}
        message = violation["message"]
        field = metadata.get("field") or RULE_FIELDS.get(violation["rule"])
        if violation["rule"] == "line_items_complete" and (metadata.get("missing") or metadata.get("unknown")):
            missing = [items_by_id[pk] for pk in metadata.get("missing", []) if pk in items_by_id]
            if missing:
                message = "Price every line item; missing: " + ", ".join(_line_label(i) for i in missing) + "."
                for item in missing:
                    _add_error(form, QuoteForm.price_field(item.pk), "Enter a unit price for this line.")
        elif field and field.startswith("line_items[") and field.endswith("].unit_price"):
            index = int(field[len("line_items["):-len("].unit_price")])
            item = items_by_id[sent_ids[index]]
            message = message.replace(f"{field}: ", "", 1)
            _add_error(form, QuoteForm.price_field(item.pk), message)
            message = f"{_line_label(item)}: {message[:1].lower()}{message[1:]}"
        elif metadata.get("criterion"):
            name = next((c["name"] for c in getattr(form, "criteria", []) if c["id"] == metadata["criterion"]), "")
            own = message[len(name) + 2:] if name and message.startswith(f"{name}: ") else message
            _add_error(form, QuoteForm.criterion_field(metadata["criterion"]), own[:1].upper() + own[1:])
        elif field:
            _add_error(form, field, message.replace(f"{field}: ", "", 1))
        problems.append({"rule": violation["rule"], "rule_name": rule.name if rule else violation["rule"],
                         "severity": violation["severity"], "message": message})
    return problems


def _add_error(form, field: str, message: str) -> None:
    if field in form.fields and message not in form.errors.get(field, []):
        form.add_error(field, message)


def _shape_problems(exc: ShapeError, form, sent_ids) -> list[dict]:
    """A body the mechanism parser refused (400 in the API) — e.g. an impossible date."""
    problems = []
    for name, errors in flatten_field_errors(exc.detail).items():
        field = "valid_until" if name == "valid_until" else "amount" if name == "amount" else None
        if isinstance(form, BundleQuoteForm):
            match = BUNDLE_REF.match(name)
            if match and int(match.group(1)) < len(form.sent_rows):
                row = form.sent_rows[int(match.group(1))]
                field = form.price_field(row) if name.endswith(".price") else form.lines_field(row)
                errors = [f"{_bundle_words(name.split('.')[0], form)}: {error}" for error in errors]
        if name.startswith("line_items[") and name.endswith("].unit_price"):
            field = QuoteForm.price_field(sent_ids[int(name[len("line_items["):-len("].unit_price")])])
        for error in errors:
            if field:
                _add_error(form, field, error)
            problems.append({"rule": "format", "rule_name": "Quote format", "severity": "block", "message": error})
    return problems


# --- Views --------------------------------------------------------------------------------------

def _placed_message(rfq, placed, user) -> str:
    bid = placed.bid
    if bid.is_sealed and rfq.auction_type == "COMBINATORIAL":
        count = len(own_quote(bid).get("bundles") or [])
        return (f"Bundle quote version {bid.version} received: {count} bundle{'s' if count != 1 else ''}. "
                f"It stays sealed until bidding closes "
                f"({local_time_text(placed.rfq.bidding_deadline, 'j M Y, H:i')}).")
    if bid.is_sealed:
        total = money_text(own_quote(bid)["total"], rfq.currency)
        return (f"Quote version {bid.version} received: total {total}. It stays sealed until bidding closes "
                f"({local_time_text(placed.rfq.bidding_deadline, 'j M Y, H:i')}).")
    state = auction_state(user=user, rfq=placed.rfq)
    text = f"Your bid of {money_text(bid.amount, rfq.currency)} is in."
    if state.get("your_rank"):
        text += f" You are ranked {state['your_rank']}."
    if placed.rfq.extensions > rfq.extensions:
        text += (f" Bidding was extended to {local_time_text(placed.rfq.bidding_deadline, 'H:i:s')} "
                 "(anti-sniping).")
    return text


@require_POST
@page_view
def bid_submit(request, pk: int):
    """Place a quote or a reverse-auction bid from the RFQ page."""
    rfq = rfq_get(user=request.user, pk=pk)
    require_role(request.user, Role.SUPPLIER, "Only invited suppliers bid.")
    mechanism = get_mechanism(rfq.auction_type)
    line_items = line_items_for_display(rfq)
    form = (new_quote_form(rfq, line_items, data=request.POST) if mechanism.sealed else ReverseBidForm(request.POST, currency=rfq.currency))
    if not form.is_valid():
        return rfq_page(request, pk, bid_form=form)
    bundled = isinstance(form, BundleQuoteForm)
    sent_ids = form.priced_line_ids() if mechanism.sealed and not bundled else []
    try:
        draft = mechanism.parse_bid(form.bid_body())
        placed = bid_place(rfq=rfq, user=request.user, draft=draft, meta=request_meta(request))
    except ShapeError as exc:
        return rfq_page(request, pk, bid_form=form, problems=_shape_problems(exc, form, sent_ids))
    except BidRejected as exc:
        if bundled:
            return rfq_page(request, pk, bid_form=form, problems=describe_bundle_problems(exc.violations, form=form))
        problems = describe_problems(exc.violations, form=form, items_by_id={i.pk: i for i in line_items},
                                     sent_ids=sent_ids)
        return rfq_page(request, pk, bid_form=form, problems=problems)
    except ApplicationError as exc:  # refused outside the rules (e.g. a quote that cannot be sealed)
        problems = [{"rule": exc.code, "rule_name": "Refused", "severity": "block", "message": exc.message}]
        return rfq_page(request, pk, bid_form=form, problems=problems)
    messages.success(request, _placed_message(rfq, placed, request.user))
    for warning in placed.warnings:
        if warning.severity == "warn":
            messages.warning(request, warning.message)
    return redirect("supplier-rfq", pk=rfq.pk)


@require_POST
@page_view
def bid_withdraw_view(request, pk: int, bid_id: int):
    """Withdraw the supplier's latest standing bid (reverse auction, at most three times)."""
    rfq = rfq_get(user=request.user, pk=pk)
    require_role(request.user, Role.SUPPLIER, "Only the supplier that placed a bid can withdraw it.")
    try:
        placed = bid_withdraw(rfq=rfq, user=request.user, bid_id=bid_id, meta=request_meta(request))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Your bid of {money_text(placed.bid.amount, rfq.currency)} is withdrawn.")
    return redirect("supplier-rfq", pk=rfq.pk)
