"""Helpers of the buyer-page tests: the demo's RFQs by title, a valid new-RFQ form, flash messages."""
from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from rfqs.models import RFQ


def seeded(title: str) -> RFQ:
    return RFQ.objects.get(title=title)


def rfq_form(**overrides) -> dict:
    """A valid POST of the new-RFQ page: a reverse auction with two line items."""
    deadline = timezone.now() + timedelta(days=3)
    data = {
        "title": "Stores for MV Page Test", "description": "Monthly stores.", "category": "provisions",
        "currency": "USD", "delivery_port": "SGSIN",
        "delivery_date": (deadline + timedelta(days=10)).date().isoformat(),
        "bidding_opens_at": "", "bidding_deadline": deadline.strftime("%Y-%m-%dT%H:%M"),
        "template": "commodity_purchase",
        "rev_starting_price": "12000", "rev_minimum_decrement": "50", "rev_decrement_type": "AMOUNT",
        "rev_extension_trigger_minutes": "5", "rev_extension_duration_minutes": "3", "rev_max_extensions": "10",
        "rev_show_ranking": "on", "rev_show_leading_bid": "on", "rev_show_bid_count": "on",
        "sb_pricing": "FIRST_PRICE", "sb_minimum_bidders": "2", "sb_allow_multiple_submissions": "on",
        "ma_scoring_method": "WEIGHTED_SUM", "ma_price_weight": "50",
        "reserve_enabled": "on", "reserve_amount": "11000", "reserve_visibility": "hidden",
        "reserve_notify_buyer_if_not_met": "on",
        "tie_break_1": "earliest_submission", "tie_break_2": "higher_tier", "tie_break_fallback": "random",
        "items-TOTAL_FORMS": "2", "items-INITIAL_FORMS": "0", "items-MIN_NUM_FORMS": "1", "items-MAX_NUM_FORMS": "500",
        "items-0-description": "Rice, 25 kg bag", "items-0-quantity": "40", "items-0-unit": "bag",
        "items-0-impa_code": "000101",
        "items-1-description": "Flour, 10 kg bag", "items-1-quantity": "20.5", "items-1-unit": "bag",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def flashes(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]
