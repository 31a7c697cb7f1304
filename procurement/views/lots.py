"""Lots (a reverse auction bid per line) on the supplier's RFQ page: one row per line."""
from __future__ import annotations

from decimal import Decimal

from common.money import money_text
from suppliers.forms import ReverseBidForm

from .display import line_items_for_display


def _suggested(value) -> Decimal | str:
    """A suggested amount for an input, which shows it in the user's number format."""
    return Decimal(str(value)) if value not in (None, "") else ""


def lot_rows(rfq, state: dict, form=None) -> list[dict]:
    """Each line's figures (as /state/ discloses them) and its own bid form; a refused
    attempt's form comes back on its line."""
    figures = {line["line_item_id"]: line for line in state.get("lines", [])}
    refused_line = form.data.get("line_item_id") if form is not None else None
    rows = []
    for line in line_items_for_display(rfq):
        shown = figures.get(line.pk, {})
        own_form = form if refused_line and str(refused_line) == str(line.pk) else ReverseBidForm(
            initial={"amount": _suggested(shown.get("minimum_next_bid")), "line_item_id": line.pk},
            currency=rfq.currency)
        rows.append({"line": line, "state": shown, "form": own_form,
                     **{key: money_text(shown[key], rfq.currency) if shown.get(key) else None
                        for key in ("leading_bid", "your_best", "minimum_next_bid", "starting_price")}})
    return rows
