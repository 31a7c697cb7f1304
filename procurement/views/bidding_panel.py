"""The bidding panel of the supplier's RFQ page: whether the form is offered and why not, the
supplier's own history, the quote, bundle or live reverse-auction form with its rows, and the
live figures. supplier_bidding.py takes the form back and places it."""
from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from django.utils.dateparse import parse_date

from auctions.mechanisms import bids_per_line, get_mechanism
from auctions.selectors import auction_state, bids_for, own_quote
from auctions.selectors.bidding import WITHDRAWAL_LIMIT, bidding_refusal, withdrawals_left
from common.money import currency_decimals, money_text, round_money
from rfqs.models import RFQStatus
from suppliers.forms import BundleQuoteForm, QuoteForm, ReverseBidForm
from suppliers.models import InvitationStatus

from .display import SCORING_LABELS, line_items_for_display, scoring_weights
from .lots import lot_rows

# The supplier page's words for why the form is not offered (auctions.selectors.bidding decides).
INVITATION_WORDS = {InvitationStatus.REVOKED: "The buyer revoked your invitation; you can no longer bid.",
                    InvitationStatus.DECLINED: "You declined this invitation."}
WINDOW_WORDS = {"paused": "The buyer has paused bidding. The deadline moves by the time it stays paused.",
                "not_opened_yet": "Bidding has not opened yet.", "deadline_passed": "Bidding is closed."}


def may_bid(rfq, invitation) -> tuple[bool, str]:
    """Whether the form is offered now, and if not, why (the rules still decide at submit)."""
    status = getattr(invitation, "status", None)
    refusal = bidding_refusal(rfq, status, timezone.now())
    if refusal is None:
        return True, ""
    if refusal.code == "not_accepted":
        return False, INVITATION_WORDS.get(status, "Accept the invitation to bid.")
    if refusal.code == "not_open" and rfq.status == RFQStatus.PUBLISHED:
        return False, WINDOW_WORDS["not_opened_yet"]
    return False, WINDOW_WORDS.get(refusal.code, "Bidding is closed.")


def _history(user, rfq, *, quotes: bool) -> list[dict]:
    """The supplier's own bids, newest first, each with the amount it can read (and, for
    quotes, the content: decrypted for its own supplier while sealed)."""
    rows = []
    for bid in bids_for(user=user, rfq=rfq).prefetch_related("lines"):
        quote = own_quote(bid) if quotes else None
        # A reverse bid placed after the fallback to sealed bids: its supplier reads it.
        amount = quote["total"] if quote else (own_quote(bid)["total"] if bid.is_sealed else bid.amount)
        valid_until = quote["valid_until"] if quote else None
        valid_until = parse_date(valid_until) if isinstance(valid_until, str) else valid_until
        rows.append({"bid": bid, "amount": money_text(amount, rfq.currency), "quote": quote,
                     "items_quoted": bid.items_quoted, "valid_until": valid_until})
    rows.reverse()
    return rows


def _current_lines(rfq, line_items, latest) -> list[dict]:
    """The current version's prices line by line, for the supplier to check what it sent."""
    quote = latest["quote"]
    prices = {line["line_item_id"]: Decimal(line["unit_price"]) for line in quote["lines"]}
    return [{"item": item, "unit_price": money_text(prices.get(item.pk), rfq.currency),
             "line_total": money_text(round_money(item.quantity * prices[item.pk], rfq.currency), rfq.currency)
             if item.pk in prices else None} for item in line_items]


def new_quote_form(rfq, line_items, *, data=None, latest=None) -> QuoteForm | BundleQuoteForm:
    if rfq.auction_type == "COMBINATORIAL":
        return _bundle_form(rfq, line_items, data=data, latest=latest)
    criteria = rfq.auction_settings.get("criteria", []) if rfq.auction_type == "MULTI_ATTRIBUTE" else []
    initial = {}
    if latest is not None:  # a revision starts from the current version
        quote = latest["quote"]
        initial = {QuoteForm.price_field(line["line_item_id"]): Decimal(line["unit_price"])
                   for line in quote["lines"]}
        initial.update({QuoteForm.criterion_field(cid): value for cid, value in (quote["criteria"] or {}).items()})
        initial.update(valid_until=quote.get("valid_until") or None, terms=quote.get("terms", ""))
        for line in quote["lines"]:
            initial[QuoteForm.max_field(line["line_item_id"])] = line.get("max_quantity")
            initial[QuoteForm.min_field(line["line_item_id"])] = line.get("min_quantity")
    split = rfq.auction_type == "SEALED_BID" and rfq.auction_settings.get("award_mode") == "SPLIT"
    return QuoteForm(data, line_items=line_items, criteria=criteria, initial=initial, split=split,
                     currency=rfq.currency)


# --- Bundle quotes (COMBINATORIAL) --------------------------------------------------------------

def _bundle_form(rfq, line_items, *, data=None, latest=None) -> BundleQuoteForm:
    rows = rfq.auction_settings.get("max_bundles_per_quote", 10)
    initial = {}
    if latest is not None:  # a revision starts from the current version's bundles
        quote = latest["quote"]
        for row, bundle in enumerate((quote.get("bundles") or [])[:rows]):
            initial[BundleQuoteForm.lines_field(row)] = [str(pk) for pk in bundle["line_item_ids"]]
            initial[BundleQuoteForm.price_field(row)] = Decimal(bundle["price"])
        initial.update(valid_until=quote.get("valid_until") or None, terms=quote.get("terms", ""))
    return BundleQuoteForm(data, line_items=line_items, rows=rows, initial=initial, currency=rfq.currency)


def _bundle_rows(form: BundleQuoteForm) -> list[dict]:
    shown = form.filled_rows()
    rows = []
    for row in range(form.rows):
        lines_field, price_field = form[form.lines_field(row)], form[form.price_field(row)]
        ticked = {str(v) for v in (lines_field.value() or [])}
        rows.append({"number": row + 1, "hidden": row >= shown, "lines_field": lines_field,
                     "price_field": price_field, "errors": lines_field.errors,
                     "items": [{"item": item, "checked": str(item.pk) in ticked,
                                "id": f"id_{lines_field.html_name}_{item.pk}"} for item in form.line_items]})
    return rows


def _current_bundles(rfq, line_items, latest) -> list[dict]:
    """The current version's bundles, for the supplier to check what it sent (its own quote)."""
    by_id = {item.pk: item for item in line_items}
    return [{"number": index + 1, "items": [by_id[pk] for pk in bundle["line_item_ids"] if pk in by_id],
             "price": money_text(Decimal(bundle["price"]), rfq.currency)}
            for index, bundle in enumerate(latest["quote"].get("bundles") or [])]


def _amount(value) -> Decimal | str:
    """A suggested amount for an input, which shows it in the user's number format."""
    return Decimal(str(value)) if value not in (None, "") else ""


def _quote_rows(form: QuoteForm, line_items) -> list[dict]:
    return [{"item": item, "field": form[QuoteForm.price_field(item.pk)],
             "max_field": form[QuoteForm.max_field(item.pk)] if form.split else None,
             "min_field": form[QuoteForm.min_field(item.pk)] if form.split else None} for item in line_items]


def _criterion_rows(form: QuoteForm, rfq) -> list[dict]:
    weights = {row["id"]: row for row in scoring_weights(rfq.auction_settings)}
    rows = []
    for criterion in form.criteria:
        low, high, unit = criterion.get("min_value"), criterion.get("max_value"), criterion.get("unit", "")
        bounds = f"{low:g}–{high:g} {unit}".strip() if low is not None and high is not None else ""
        rows.append({"criterion": criterion, "field": form[QuoteForm.criterion_field(criterion["id"])],
                     "bounds": bounds, "unit": unit, "weight": weights[criterion["id"]]})
    return rows


def bidding_context(request, rfq, invitation, *, form=None, problems=None) -> dict:
    """Everything the RFQ page needs for bidding; `form`/`problems` re-show a refused attempt."""
    user = request.user
    open_now, closed_reason = may_bid(rfq, invitation)
    accepted = invitation is not None and invitation.status == InvitationStatus.ACCEPTED
    mechanism = get_mechanism(rfq.auction_type)
    history = _history(user, rfq, quotes=mechanism.sealed)
    standing = [row for row in history if row["bid"].status == "accepted"]
    live = accepted and rfq.is_live
    # The reverse panel shows the live figures; a live sealed page needs the state's timing only.
    state = auction_state(user=user, rfq=rfq) if live or not mechanism.sealed else None
    context = {"bidding_open": open_now, "bidding_closed_reason": closed_reason, "accepted": accepted,
               # While paused the form is rendered but disabled: a resume brings it back live.
               "bidding_paused": live and rfq.status == RFQStatus.PAUSED, "live_state": state if live else None,
               "history": history, "problems": problems or [], "sealed": mechanism.sealed,
               "currency_digits": currency_decimals(rfq.currency), "server_time": timezone.now()}
    if mechanism.sealed:
        latest = standing[0] if standing else None
        revisions = rfq.auction_settings.get("allow_multiple_submissions", True)
        line_items = line_items_for_display(rfq)
        quote_form = form or new_quote_form(rfq, line_items, latest=latest)
        can_revise = (open_now or context["bidding_paused"]) and latest is not None and revisions
        if rfq.auction_type == "COMBINATORIAL":
            context.update(
                latest=latest, revisions_allowed=revisions, quote_form=quote_form, can_revise=can_revise,
                bundle_rows=_bundle_rows(quote_form), max_bundles=quote_form.rows, form_reshown=form is not None,
                current_bundles=_current_bundles(rfq, line_items, latest) if latest else [])
            return context
        context.update(
            latest=latest, revisions_allowed=revisions, quote_form=quote_form,
            current_lines=_current_lines(rfq, line_items, latest) if latest else [],
            quote_rows=_quote_rows(quote_form, line_items), criterion_rows=_criterion_rows(quote_form, rfq),
            weights=scoring_weights(rfq.auction_settings) if rfq.auction_type == "MULTI_ATTRIBUTE" else [],
            scoring_label=SCORING_LABELS.get(rfq.auction_settings.get("scoring_method"), ""),
            # A revision form starts folded away; a refused attempt shows it open again.
            form_reshown=form is not None,
            can_revise=can_revise,
            partial_allowed=rfq.auction_settings.get("allow_partial_bids", False) or quote_form.split,
            split=quote_form.split)
    else:
        context.update(
            state=state, bid_form=form or ReverseBidForm(initial={"amount": _amount(state.get("minimum_next_bid"))},
                                                  currency=rfq.currency),
            latest_standing=standing[0]["bid"] if standing else None,
            withdrawals_left=withdrawals_left(row["bid"] for row in history), withdrawal_limit=WITHDRAWAL_LIMIT,
            leading_bid=money_text(state.get("leading_bid"), rfq.currency) if state.get("leading_bid") else None,
            your_best=money_text(state.get("your_best"), rfq.currency) if state.get("your_best") else None,
            minimum_next_bid=money_text(state["minimum_next_bid"], rfq.currency) if state.get("minimum_next_bid")
            else None)
        if bids_per_line(rfq):
            context["lot_rows"] = lot_rows(rfq, state, form)
    return context
