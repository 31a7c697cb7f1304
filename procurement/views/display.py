"""How RFQ facts read on a page: auction settings, the status timeline (amounts: common.money.money_text).

Only presentation lives here; what a person may see is decided before (selectors), and
callers pass `for_supplier=True` to leave out what only the buyer may read.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.utils.dateparse import parse_datetime

from auctions.mechanisms.reverse import extension_tiers
from auctions.scenarios import TEMPLATES_BY_ID
from common.local_format import local_time_text
from common.money import money_text
from rfqs.models import RFQStatus

from ..forms import FALLBACK_LABELS, TIE_BREAK_LABELS, trim_decimal

STATUS_LABELS = dict(RFQStatus.choices)
SCORING_LABELS = {"WEIGHTED_SUM": "Weighted sum", "TOPSIS": "TOPSIS", "AHP": "AHP (pairwise comparison)",
                  "PRICE": "Lowest total price"}
TRANSITION_LABELS = {
    "rfq.created": "RFQ created as a draft",
    "rfq.updated": "Draft edited",
    "rfq.publish": "Published; invitations sent",
    "rfq.open": "Bidding opened",
    "rfq.pause": "Bidding paused",
    "rfq.resume": "Bidding resumed; the deadline moved by the pause",
    "rfq.close": "Bidding closed",
    "rfq.evaluate": "Evaluation started",
    "rfq.award": "Awarded",
    "rfq.reopen": "Reopened for bidding",
    "rfq.cancel": "Cancelled",
}


def line_items_for_display(rfq) -> list:
    """The RFQ's line items, each with its quantity as people write it (40, not 40.0000)."""
    items = list(rfq.line_items.all())
    for item in items:
        item.quantity_display = trim_decimal(item.quantity)
    return items


def _yes_no(value: bool, yes: str, no: str) -> str:
    return yes if value else no


def auction_summary(rfq, *, for_supplier: bool = False) -> list[tuple[str, str]]:
    """The auction's rules as (label, plain sentence) pairs."""
    s = rfq.auction_settings or {}
    template = TEMPLATES_BY_ID.get(rfq.template)
    rows = [("Auction type", rfq.get_auction_type_display())]
    if template and not for_supplier:
        rows.append(("Template", template.name))
    if rfq.auction_type == "REVERSE_AUCTION":
        rows += _reverse_rows(rfq, s, for_supplier=for_supplier)
    elif rfq.auction_type == "SEALED_BID":
        rows += _sealed_rows(s, for_supplier=for_supplier)
    elif rfq.auction_type == "COMBINATORIAL":
        rows += [("Pricing", "VCG — each winner is paid what its bundle saves the buyer" if s.get("pricing") == "VCG"
                  else "Pay as bid — each winning bundle is paid its price"),
                 ("Bundles", f"Up to {s.get('max_bundles_per_quote', 10)} all-or-nothing bundles per quote; "
                             "a supplier wins at most one")]
    elif rfq.auction_type == "MULTI_ATTRIBUTE":
        rows += [("Scoring", SCORING_LABELS.get(s.get("scoring_method"), s.get("scoring_method", "—"))),
                 ("Price weight", f"{_number(s.get('price_weight'))}"),
                 ("Partial quotes", _yes_no(s.get("allow_partial_bids"), "Allowed", "Every line item must be priced"))]
    if s.get("require_signed_bids"):
        rows.append(("Signed bids", "Required — each bid is signed with the supplier's registered key from its own "
                                    "systems (quayside-bid); bids from this page are refused" if for_supplier else
                     "Required — each bid is signed with the supplier's registered Ed25519 key"))
    return rows


def _span(seconds: int) -> str:
    return f"{seconds // 60} min" if seconds % 60 == 0 else f"{seconds} s"


def _sniping_text(s: dict) -> str:
    """The anti-sniping tiers in words: one for the standard preset, each for tight or custom."""
    tiers = extension_tiers(s)
    if not tiers:
        return "Off"
    if len(tiers) == 1:
        tier = tiers[0]
        return (f"A bid in the last {_span(tier['trigger_seconds'])} extends bidding by "
                f"{_span(tier['extension_seconds'])} (at most {tier['max_extensions']} times)")
    steps = "; ".join(f"last {_span(t['trigger_seconds'])} → +{_span(t['extension_seconds'])} "
                      f"(while fewer than {t['max_extensions']} extensions)" for t in tiers)
    return f"A late bid extends bidding: {steps}. The tightest tier with extensions left applies"


def _reverse_rows(rfq, s: dict, *, for_supplier: bool) -> list[tuple[str, str]]:
    start = s.get("starting_price")
    if s.get("decrement_type") == "PERCENTAGE":
        decrement = f"{_number(s.get('minimum_decrement'))} % of the current best bid"
    else:
        decrement = money_text(s.get("minimum_decrement"), rfq.currency)
    sniping = _sniping_text(s)
    shown = [label for key, label in (("show_ranking", "their own rank"), ("show_leading_bid", "the leading bid"),
                                      ("show_bid_count", "the number of bids")) if s.get(key)]
    per_line = s.get("bidding_basis") == "PER_LINE"
    rows = [
        *([("Bidding", "Line by line (lots): each line has its own leading bid, ranks and decrement; a late bid "
                       "on any line extends the whole auction")] if per_line else []),
        ("Starting price", "Per line (each line's ceiling)" if per_line else
         money_text(start, rfq.currency) if start else "None — the first bid sets the level"),
        ("Minimum decrement", decrement),
        ("Anti-sniping", sniping),
        ("Bid rate limit", f"{s.get('rate_limit_bids_per_minute')} bids a minute per supplier"),
        ("You see" if for_supplier else "Suppliers see",
         ", ".join(shown).replace("their own", "your own" if for_supplier else "their own").capitalize()
         if shown else ("Only your own bids" if for_supplier else "Only their own bids")),
    ]
    if s.get("cool_down_seconds"):
        rows.insert(3, ("Cool-down", f"{s['cool_down_seconds']} s between a supplier's bids"))
    return rows


def _split_rows(s: dict) -> list[tuple[str, str]]:
    limits = [text.format(s[key]) for key, text in (("max_suppliers_per_line", "{} per line"),
                                                     ("max_suppliers", "{} in all")) if s.get(key)]
    return [("Award", "Split — each line's quantity may be divided between suppliers at the lowest total cost; "
                      "a quote may offer part of a line (at least / at most)"),
            ("Suppliers", "At most " + " and ".join(limits) if limits else "No limit")]


def _sealed_rows(s: dict, *, for_supplier: bool) -> list[tuple[str, str]]:
    split = s.get("award_mode") == "SPLIT"
    rows = [
        ("Pricing", {"FIRST_PRICE": "First price — the winner is paid its own bid" if not split
                     else "Pay as bid — each winner is paid what it quoted for its lines",
                     "SECOND_PRICE": "Second price (Vickrey) — the winner is paid the second-lowest bid",
                     "VCG": "VCG — each winner is paid what its offer saves the buyer, never below its bid"}
         .get(s.get("pricing"), "—")),
        *(_split_rows(s) if split else []),
        ("Revisions", _yes_no(s.get("allow_multiple_submissions"),
                              "Quotes may be revised until the deadline (every version is kept)",
                              "One firm quote per supplier")),
        ("Partial quotes", _yes_no(s.get("allow_partial_bids") or split, "Allowed", "Every line item must be priced")),
        ("After the award", _yes_no(s.get("reveal_bids_to_suppliers"),
                                    "Suppliers see the ranked prices, anonymised", "Prices stay private")),
        ("Sealed", "Nobody reads a price before bidding closes"),
    ]
    if not for_supplier:
        rows.insert(1, ("Minimum bidders", str(s.get("minimum_bidders"))))
    return rows


def _number(value) -> str:
    if value is None:
        return "—"
    text = f"{Decimal(str(value)):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def criteria_rows(settings: dict) -> list[dict]:
    """Multi-attribute criteria (from an RFQ's or a template's settings) as people read them."""
    rows = []
    for criterion in (settings or {}).get("criteria") or []:
        bounds = ""
        if criterion.get("type") != "BOOLEAN" and criterion.get("min_value") is not None:
            bounds = f"{_number(criterion['min_value'])}–{_number(criterion['max_value'])} {criterion.get('unit', '')}"
        rows.append({
            "name": criterion.get("name"), "weight": _number(criterion.get("weight")),
            "type": {"NUMERIC": "Number", "RATING": "Rating", "BOOLEAN": "Yes / no"}.get(criterion.get("type"), ""),
            "direction": "Higher is better" if criterion.get("higher_is_better") else "Lower is better",
            "bounds": bounds.strip(),
        })
    return rows


def tie_breaking_summary(rfq) -> tuple[list[str], str]:
    tie = rfq.tie_breaking or {}
    chain = [TIE_BREAK_LABELS.get(c, c) for c in tie.get("criteria", [])]
    return chain, FALLBACK_LABELS.get(tie.get("final_fallback", "random"), "")


@dataclass
class TimelineEntry:
    at: datetime
    actor: str
    label: str
    status: str
    status_label: str
    reason: str
    detail: str


def status_timeline(events) -> list[TimelineEntry]:
    """The RFQ's life from its audit events: creation, edits and every transition."""
    entries = []
    for event in events:
        if event.type not in TRANSITION_LABELS:
            continue
        payload = event.payload or {}
        status = payload.get("to", "draft" if event.type in ("rfq.created", "rfq.updated") else "")
        label = TRANSITION_LABELS[event.type]
        if event.type == "rfq.evaluate" and status == RFQStatus.NO_AWARD:
            label = "No award: no valid bid"
        entries.append(TimelineEntry(
            at=event.at, actor=event.actor_name, label=label, status=status,
            status_label=STATUS_LABELS.get(status, ""), reason=payload.get("reason") or "",
            detail=_event_detail(event.type, payload)))
    return entries


def _event_detail(kind: str, payload: dict) -> str:
    if kind == "rfq.publish" and payload.get("invited"):
        return f"{len(payload['invited'])} suppliers invited"
    if kind == "rfq.resume" and payload.get("paused_seconds") is not None:
        minutes = round(float(payload["paused_seconds"]) / 60)
        deadline = parse_datetime(payload.get("bidding_deadline") or "")
        moved = f"; new deadline {local_time_text(deadline, 'd M Y H:i')}" if deadline else ""
        return f"Paused for {minutes} min{moved}"
    return ""


LIFECYCLE = [("draft", "Draft"), ("published", "Published"), ("open", "Bidding"), ("closed", "Closed"),
             ("evaluation", "Evaluation"), ("awarded", "Awarded")]


def lifecycle(rfq) -> dict:
    """The stepper above an RFQ: steps done, the current one, and whether it stopped early."""
    status = rfq.status
    if status in (RFQStatus.CANCELLED, RFQStatus.NO_AWARD):
        if status == RFQStatus.NO_AWARD:
            reached = 3
        else:  # how far it got before it was cancelled
            reached = 3 if rfq.closed_at else 2 if rfq.opened_at else 1 if rfq.published_at else 0
        steps = [{"label": label, "state": "done"} for _, label in LIFECYCLE[:reached + 1]]
        steps.append({"label": STATUS_LABELS[status], "state": "current"})
        return {"steps": steps, "stopped": True}
    current = "open" if status == RFQStatus.PAUSED else status
    index = [value for value, _ in LIFECYCLE].index(current)
    steps = []
    for position, (value, label) in enumerate(LIFECYCLE):
        if value == "open" and status == RFQStatus.PAUSED:
            label = "Paused"
        state = "done" if position < index or status == RFQStatus.AWARDED else \
            "current" if position == index else "todo"
        steps.append({"label": label, "state": state, "value": value, "base_label": LIFECYCLE[position][1]})
    return {"steps": steps, "stopped": False}


def scoring_weights(settings: dict) -> list[dict]:
    """How a multi-attribute quote is scored: price and each criterion with its share in %.

    WEIGHTED_SUM and TOPSIS scale the entered weights to sum 100 %; AHP uses the weights the
    pairwise comparisons produced (stored with the settings).
    """
    settings = settings or {}
    criteria = settings.get("criteria") or []
    if settings.get("scoring_method") == "AHP":
        stored = (settings.get("pairwise") or {}).get("weights") or {}
        raw = [float(stored.get("price", 0))] + [float(stored.get(c["id"], 0)) for c in criteria]
    else:
        raw = [float(settings.get("price_weight") or 0)] + [float(c.get("weight") or 0) for c in criteria]
    total = sum(raw) or 1.0
    rows = [{"id": "price", "name": "Price (quote total)", "share": raw[0] * 100 / total,
             "direction": "Lower is better", "type": "PRICE"}]
    for criterion, weight in zip(criteria, raw[1:], strict=True):
        rows.append({"id": criterion["id"], "name": criterion.get("name") or criterion["id"],
                     "share": weight * 100 / total, "type": criterion.get("type"),
                     "direction": _direction(criterion)})
    for row in rows:
        row["share_display"] = f"{row['share']:.0f} %"
    return rows


def _direction(criterion: dict) -> str:
    better = criterion.get("higher_is_better", True)
    if criterion.get("type") == "BOOLEAN":
        return "“Yes” scores" if better else "“No” scores"
    return "Higher is better" if better else "Lower is better"
