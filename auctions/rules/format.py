"""Whether the attempt is well-formed: currency, amounts, line items, criteria."""
import re
from decimal import Decimal
from typing import Any

from common.money import decimal_places, max_money_amount

from .context import BidContext
from .engine import Finding, RuleResult, rule

SEALED_TYPES = ("SEALED_BID", "MULTI_ATTRIBUTE", "COMBINATORIAL")
LINE_QUOTE_TYPES = ("SEALED_BID", "MULTI_ATTRIBUTE")  # quotes that price line by line
# Digits on both sides of a decimal point: ".5" and "5." are how typos look, not prices.
PLAIN_AMOUNT = re.compile(r"[+-]?\d+(\.\d+)?", re.ASCII)


@rule("currency_matches", name="Currency matches the RFQ", category="format")
def currency_matches(ctx: BidContext) -> RuleResult:
    if ctx.draft.currency is not None and ctx.draft.currency != ctx.rfq.currency:
        return f"This RFQ is priced in {ctx.rfq.currency}, not {ctx.draft.currency}."
    return None


def amount_problem(raw: str, value: Decimal | None, digits: int) -> str | None:
    # Messages never echo the amount: for sealed quotes they are stored where others read them.
    if value is None or not value.is_finite():
        return "not a number (NaN, Infinity and other text are refused)."
    if "e" in raw.lower():
        return "write the amount in plain digits, without exponent notation."
    if not PLAIN_AMOUNT.fullmatch(raw.strip()):
        # Decimal() also reads "1_000" and non-ASCII digits; a bid is written in 0-9 only.
        return ("write the amount in plain digits 0-9 with an optional decimal point between digits (0.50, not .5), "
                "without separators.")
    if value <= 0:
        return "The amount must be greater than zero."
    if value > max_money_amount():
        return f"The amount exceeds the maximum of {max_money_amount():,}."
    if decimal_places(value) > digits:
        return f"Amounts in this currency have at most {digits} decimal place(s)."
    return None


@rule("bid_line", name="A per-line bid names one of the RFQ's lines", category="format",
      auction_types=("REVERSE_AUCTION",))
def bid_line(ctx: BidContext) -> RuleResult:
    """Per-line bidding (lots): each bid prices one line; a total auction takes no line."""
    line = ctx.draft.line_item_id
    if ctx.settings.get("bidding_basis") != "PER_LINE":
        if line is not None:
            return Finding("This auction takes one bid for all lines: send the amount without line_item_id.",
                           metadata={"field": "line_item_id"})
        return None
    if line is None:
        return Finding("This auction is bid line by line: send line_item_id with the price for that line's "
                       "whole quantity.", metadata={"field": "line_item_id"})
    if line not in ctx.quantities:
        return Finding(f"line_item_id {line} is not a line of this RFQ.", metadata={"field": "line_item_id"})
    return None


@rule("amount_format", name="Amounts are well-formed", category="format")
def amount_format(ctx: BidContext) -> RuleResult:
    findings: list[Finding | str] = []
    for name, money in ctx.draft.monies():
        problem = amount_problem(money.raw, money.value, ctx.digits)
        if problem:
            findings.append(Finding(f"{name}: {problem}", metadata={"field": name}))
    if not findings and (ctx.draft.lines or ctx.draft.bundles) and _total_too_large(ctx):
        # A quote's total is its amount: bounded like a reverse bid's (and the columns that
        # store it at the opening), so one absurd quote cannot make the close fail.
        findings.append(Finding(f"total: The quote's total exceeds the maximum of {max_money_amount():,}.",
                                metadata={"field": "total"}))
    return findings


def _total_too_large(ctx: BidContext) -> bool:
    try:
        return ctx.total() > max_money_amount()
    except KeyError:  # a line item not in this RFQ: line_items_complete names it
        return False


@rule("line_items_complete", name="Line items priced as required", category="format",
      auction_types=LINE_QUOTE_TYPES)
def line_items_complete(ctx: BidContext) -> RuleResult:
    quantities = ctx.quantities
    ids = [line.line_item_id for line in ctx.draft.lines]
    findings: list[Finding | str] = []
    unknown = sorted(set(ids) - set(quantities))
    if unknown:
        findings.append(Finding(f"Line item(s) {', '.join(map(str, unknown))} are not part of this RFQ.",
                                metadata={"unknown": unknown}))
    if len(set(ids)) != len(ids):
        findings.append("Each line item may be priced once per quote.")
    missing = sorted(set(quantities) - set(ids))
    # A split award divides every line between suppliers anyway: a quote may offer only some lines.
    partial_allowed = ctx.settings.get("allow_partial_bids", False) or is_split(ctx.settings)
    if not ids:
        findings.append("Price at least one line item.")
    elif missing and not partial_allowed:
        findings.append(Finding(f"Price every line item; missing: {', '.join(map(str, missing))}.",
                                metadata={"missing": missing}))
    return findings


@rule("criteria_responses_valid", name="Criteria answered within their bounds", category="format",
      auction_types=("MULTI_ATTRIBUTE",))
def criteria_responses_valid(ctx: BidContext) -> RuleResult:
    responses = ctx.draft.criteria
    findings: list[Finding | str] = []
    expected = {criterion["id"]: criterion for criterion in ctx.settings.get("criteria", [])}
    for unknown in sorted(set(responses) - set(expected)):
        findings.append(f"\"{unknown}\" is not a criterion of this RFQ.")
    for cid, criterion in expected.items():
        if cid not in responses:
            findings.append(Finding(f"Answer the criterion \"{criterion['name']}\".", metadata={"criterion": cid}))
            continue
        problem = criterion_problem(criterion, responses[cid])
        if problem:
            findings.append(Finding(f"{criterion['name']}: {problem}", metadata={"criterion": cid}))
    return findings


def criterion_problem(criterion: dict[str, Any], value: object) -> str | None:
    if criterion["type"] == "BOOLEAN":
        return None if isinstance(value, bool) else "answer true or false."
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or value in (
            float("inf"), float("-inf")):
        return "answer with a number."
    if criterion["type"] == "RATING" and value != int(value):
        return "a rating is a whole number."
    low, high = criterion.get("min_value"), criterion.get("max_value")
    if (low is not None and value < low) or (high is not None and value > high):
        return f"must be between {low:g} and {high:g}."
    return None


def is_split(settings: dict[str, Any]) -> bool:
    return settings.get("award_mode", "WHOLE") == "SPLIT"


@rule("split_quantities_valid", name="Offered quantities fit the lines", category="format",
      auction_types=("SEALED_BID",))
def split_quantities_valid(ctx: BidContext) -> RuleResult:
    """Split awards: 1 ≤ min_quantity ≤ max_quantity ≤ the line's quantity (messages carry no price)."""
    lines = [line for line in ctx.draft.lines if line.max_quantity is not None or line.min_quantity is not None]
    if not lines:
        return None
    if not is_split(ctx.settings):
        return "Quantities (max_quantity, min_quantity) can only be offered when the RFQ splits its award."
    findings: list[Finding | str] = []
    quantities = ctx.quantities
    for index, line in enumerate(ctx.draft.lines):
        if line.line_item_id not in quantities:
            continue  # line_items_complete names it
        available = int(quantities[line.line_item_id])
        high = available if line.max_quantity is None else line.max_quantity
        low = 1 if line.min_quantity is None else line.min_quantity
        field = f"line_items[{index}]"
        if high > available:
            findings.append(Finding(f"{field}.max_quantity: at most the line's quantity ({available}).",
                                    metadata={"field": f"{field}.max_quantity"}))
        if low > high:
            findings.append(Finding(f"{field}.min_quantity: must not exceed max_quantity ({high}).",
                                    metadata={"field": f"{field}.min_quantity"}))
    return findings


@rule("bundles_valid", name="Bundles are well-formed", category="format", auction_types=("COMBINATORIAL",))
def bundles_valid(ctx: BidContext) -> RuleResult:
    """A combinatorial quote: at least one bundle, each of known, distinct lines, no two alike,
    at most `max_bundles_per_quote` (the allocation package's validate_bundles judges)."""
    from auctions.evaluation.allocation import validate_bundles

    raw = [{"line_item_ids": list(b.line_item_ids), "price": b.price.raw} for b in ctx.draft.bundles]
    problems = validate_bundles(raw, sorted(ctx.quantities), ctx.settings.get("max_bundles_per_quote", 10))
    if not raw and not problems:
        problems = ["Offer at least one bundle."]
    return [Finding(problem) for problem in problems]
