"""How an evaluation reads on the page: ranked quotes, per-criterion breakdowns, the
line-by-line comparison, and the reserve, tie-break and pricing in words.

Presentation only: `auctions.selectors.evaluation_for` has decided who may see it, and the
numbers are the evaluation's own (scores are never recomputed here).
"""
from __future__ import annotations

from decimal import Decimal

from common.money import money_text

from ..forms import TIE_BREAK_LABELS
from .charts import score_composition_chart, totals_chart
from .display import SCORING_LABELS, trim_decimal

DECIDED_BY = {**{key: label.lower() for key, label in TIE_BREAK_LABELS.items()},
              "higher_tier": "higher supplier tier", "closer_to_port": "distance to the delivery port"}
OUTCOME_LABELS = {"AWARD": "Award recommended", "SPLIT_AWARD": "Split award recommended",
                  "MANUAL_SELECTION": "Buyer's choice among tied quotes", "NO_AWARD": "No award"}


def _number(value) -> str:
    return trim_decimal(Decimal(str(value)))


def criterion_value(criterion: dict | None, value, currency: str) -> str:
    if criterion is None:  # price
        return money_text(value, currency)
    if criterion.get("type") == "BOOLEAN":
        return "Yes" if value else "No"
    unit = criterion.get("unit") or ""
    return f"{_number(value)} {unit}".strip()


def breakdown_rows(breakdown: dict, criteria: list[dict], currency: str) -> list[dict]:
    """Price and each criterion: the answer, its normalised value, weight and contribution."""
    by_id = {c["id"]: c for c in criteria}
    rows = []
    for key in ["price", *by_id]:
        entry = breakdown.get(key)
        if entry is None:
            continue
        criterion = by_id.get(key)
        contribution = entry.get("contribution")
        rows.append({
            "id": key, "name": criterion["name"] if criterion else "Price (total)",
            "value": criterion_value(criterion, entry["value"], currency),
            "normalised": f"{float(entry['normalised']):.3f}",
            "weight": f"{float(entry['weight']) * 100:.1f} %",
            "weight_value": float(entry["weight"]),
            "contribution": f"{float(contribution):.1f}" if contribution is not None else None,
            "contribution_value": float(contribution) if contribution is not None else None,
            "weighted": f"{float(entry['weighted']):.4f}" if "weighted" in entry else None,
        })
    for row in rows:
        # How much of the criterion's full share this quote earned (bar in the table).
        if row["contribution_value"] is not None and row["weight_value"]:
            row["earned_pct"] = max(0.0, min(100.0, row["contribution_value"] / row["weight_value"]))
    return rows


def ranking_rows(evaluation, rfq, bids: dict, criteria: list[dict]) -> list[dict]:
    """The ranked quotes with what the page shows of each; `bids` maps bid id → Bid."""
    recommended = set(evaluation.recommended_bid_ids)
    endorsed = recommended | set(evaluation.tie_break.get("shared_by", []))
    # A whole award's bid, or the tied bids that share the award (split_award): each is paid.
    awarded = {rfq.awarded_bid_id} if rfq.awarded_bid_id else set(rfq.award_payments.values_list("bid_id", flat=True))
    rows = []
    for ranked in evaluation.rankings:
        bid = bids.get(ranked["bid_id"])
        score = float(ranked["score"])
        rows.append({
            "rank": ranked["rank"], "bid_id": ranked["bid_id"], "supplier": ranked["supplier"]["name"],
            "bid": bid, "total": money_text(ranked["total"], rfq.currency), "total_decimal": Decimal(ranked["total"]),
            "score": f"{score:.1f}", "score_pct": max(0.0, min(100.0, score)),
            "within_reserve": ranked.get("within_reserve"),
            "recommended": ranked["bid_id"] in recommended, "endorsed": ranked["bid_id"] in endorsed,
            "awarded": ranked["bid_id"] in awarded,
            "coverage": ranked["breakdown"].get("_coverage"), "topsis": ranked["breakdown"].get("_topsis"),
            "breakdown": breakdown_rows(ranked["breakdown"], criteria, rfq.currency),
        })
    return rows


def comparison_chart(rows: list[dict], rfq, *, reserve_shown: bool, narrow: bool = False):
    """Totals side by side, the recommended and awarded quotes picked out, the reserve marked."""
    def css(row):
        if row["awarded"]:
            return "bar bar--awarded"
        if row["recommended"]:
            return "bar bar--recommended"
        if row["within_reserve"] is False:
            return "bar bar--over"
        return "bar"
    data = [{"label": f"{row['rank']}. {row['supplier']}", "total": row["total_decimal"], "value_label": row["total"],
             "sublabel": f"score {row['score']}", "css": css(row)} for row in rows]
    reserve = rfq.reserve_amount if reserve_shown and rfq.reserve_enabled and rfq.reserve_amount else None
    return totals_chart(data, reserve=reserve, reserve_label=f"Reserve {money_text(reserve, rfq.currency)}"
                        if reserve is not None else "", **({"width": 360, "narrow": True} if narrow else {}))


def composition_chart(rows: list[dict], criteria: list[dict], *, narrow: bool = False):
    """Where each quote's score comes from (additive methods only: TOPSIS is not a sum)."""
    if not rows or any(r["contribution_value"] is None for row in rows for r in row["breakdown"]):
        return None
    columns = [{"id": "price", "name": "Price"}] + [{"id": c["id"], "name": c["name"]} for c in criteria]
    quotes = [{"label": f"{row['rank']}. {row['supplier']}", "score_label": row["score"],
               "contributions": {r["id"]: r["contribution_value"] for r in row["breakdown"]}} for row in rows]
    return score_composition_chart(quotes, columns, **({"width": 360, "narrow": True} if narrow else {}))


def line_comparison(rows: list[dict], line_items, currency: str) -> dict | None:
    """Line items × ranked quotes: unit price and line total, the lowest unit price marked."""
    columns = [row for row in rows if row["bid"] is not None]
    if not columns:
        return None
    lines = {row["bid_id"]: {line.line_item_id: line for line in row["bid"].lines.all()} for row in columns}
    matrix = []
    for item in line_items:
        prices = [lines[row["bid_id"]][item.pk].unit_price for row in columns if item.pk in lines[row["bid_id"]]]
        best = min(prices) if prices else None
        cells = []
        for row in columns:
            line = lines[row["bid_id"]].get(item.pk)
            cells.append(None if line is None else {
                "unit": money_text(line.unit_price, currency), "total": money_text(line.line_total, currency),
                "best": len(prices) > 1 and line.unit_price == best})
        matrix.append({"item": item, "cells": cells})
    return {"columns": columns, "rows": matrix}


# --- In words ------------------------------------------------------------------------------------

def _names(ids, rows) -> str:
    """The tied suppliers in the order the tie-break placed them."""
    names = [row["supplier"] for row in rows if row["bid_id"] in set(ids)]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _places(ids, rows) -> str:
    ranks = sorted(row["rank"] for row in rows if row["bid_id"] in set(ids))
    if not ranks:
        return ""
    return f"Rank {ranks[0]}: " if ranks[0] == ranks[-1] else f"Ranks {ranks[0]}–{ranks[-1]}: "


def tie_break_sentence(summary: dict, rows: list[dict]) -> str:
    """One tie and how it was broken, in words ("Tied on score; decided by earliest submission")."""
    return _places(summary.get("tied_bid_ids", []), rows) + _tie_words(summary, rows)


def _tie_words(summary: dict, rows: list[dict]) -> str:
    tied = _names(summary.get("tied_bid_ids", []), rows)
    decided = summary.get("decided_by")
    if decided == "random":
        seed = summary.get("seed")
        return (f"{tied} tied on score and on every tie-break criterion; decided by a random draw with seed "
                f"{seed} — replayable from the audit trail.")
    if decided == "manual_selection":
        return f"{tied} tied on score and on every tie-break criterion; the buyer chooses (manual selection)."
    if decided == "split_award":
        return f"{tied} tied on score and on every tie-break criterion; the award is split between them."
    if decided == "pareto_dominance":
        return (f"{tied} tied on score; decided by Pareto dominance — the quote placed first is at least as good "
                "on price and every criterion, and better on one.")
    if decided == "reserve":
        return f"{tied} tied on score; the reserve decided — only the recommended quote is within it."
    return f"{tied} tied on score; decided by {DECIDED_BY.get(decided, decided)}."


def tie_break_text(evaluation, rows: list[dict]) -> list[str]:
    """Every tie in the ranking, the one at the top first."""
    sentences = []
    top = evaluation.tie_break
    if top.get("applied"):
        sentences.append(tie_break_sentence(top, rows))
    for group in evaluation.tie_groups:
        if set(group.get("tied_bid_ids", [])) != set(top.get("tied_bid_ids", [])):
            sentences.append(tie_break_sentence(group, rows))
    return sentences


def reserve_text(reserve: dict, rfq, *, best: str | None) -> dict:
    status = reserve.get("status") or "not_applicable"
    amount = money_text(rfq.reserve_amount, rfq.currency)
    if status == "not_applicable":
        return {"status": status, "label": "No reserve", "text": "No reserve price was set for this RFQ."}
    if status == "no_bids":
        return {"status": status, "label": "No bids", "text": f"No valid quote to compare with the reserve of {amount}."}
    gap = Decimal(reserve["gap"])
    if reserve.get("met"):
        below = money_text(-gap, rfq.currency)
        text = (f"Met: the lowest total {best} is {below} below the reserve of {amount}." if gap
                else f"Met: the lowest total {best} equals the reserve.")
        return {"status": status, "label": "Met", "text": text, "gap": f"{below} below"}
    above = money_text(gap, rfq.currency)
    return {"status": status, "label": "Not met", "gap": f"{above} above",
            "text": f"Not met: the lowest total {best} is {above} above the reserve of {amount}."}


def pricing_text(evaluation, rfq, rows: list[dict]) -> dict:
    pricing = evaluation.pricing
    payment = pricing.get("winner_payment")
    rule = pricing.get("rule", "FIRST_PRICE")
    if rule == "SECOND_PRICE":
        label, short = "Second price (Vickrey)", "second-price"
        text = "The winner is paid the second-lowest valid total (never more than the reserve)."
    else:
        label, short = "First price (pay as bid)", "first-price"
        text = "The winner is paid its own total."
    own = next((row["total"] for row in rows if row["recommended"]), None)
    return {"rule": rule, "label": label, "short": short, "text": text,
            "payment": money_text(payment, rfq.currency) if payment is not None else None,
            "own_total": own, "differs": payment is not None and own is not None
            and money_text(payment, rfq.currency) != own}


def method_label(method: str) -> str:
    return SCORING_LABELS.get(method, method)
