"""Builders and assertions shared by the auction-engine tests."""
from __future__ import annotations

import json
from datetime import timedelta

from django.utils import timezone

from auctions.models import Bid, RuleViolation
from audit.models import AuditEvent
from rfqs.models import RFQ
from tests.factories import published_rfq

VIOLATION_KEYS = {"rule", "category", "severity", "message", "reason", "metadata"}
ERROR_KEYS = {"code", "message", "fields", "violations"}
REVERSE = {"starting_price": "10000.00", "minimum_decrement": "100.00", "decrement_type": "AMOUNT",
           "rate_limit_bids_per_minute": 60}
CRITERIA = [
    {"id": "delivery_days", "name": "Delivery time", "weight": 30, "type": "NUMERIC",
     "higher_is_better": False, "min_value": 0, "max_value": 90},
    {"id": "warranty", "name": "Warranty (months)", "weight": 20, "type": "NUMERIC",
     "higher_is_better": True, "min_value": 0, "max_value": 60},
    {"id": "service_rating", "name": "Service rating", "weight": 10, "type": "RATING",
     "higher_is_better": True, "min_value": 1, "max_value": 5},
    {"id": "class_certified", "name": "Class-certified", "weight": 10, "type": "BOOLEAN",
     "higher_is_better": True},
]
GOOD_CRITERIA = {"delivery_days": 14, "warranty": 24, "service_rating": 4, "class_certified": True}


# --- Auctions ------------------------------------------------------------------------------

def reverse_auction(demo, *, suppliers=(1, 2, 3), accept=(1, 2, 3), reserve=None, currency="USD",
                    **settings) -> int:
    """An open reverse auction; settings default to ceiling 10 000, decrement 100, 60 bids/min."""
    return published_rfq(demo, suppliers=suppliers, accept=accept, currency=currency,
                         reserve_price=reserve or {"enabled": False},
                         auction={"type": "REVERSE_AUCTION", "settings": {**REVERSE, **settings}})


def sealed_auction(demo, *, suppliers=(1, 2, 3), accept=(1, 2, 3), reserve=None, **settings) -> int:
    return published_rfq(demo, suppliers=suppliers, accept=accept, reserve_price=reserve or {"enabled": False},
                         auction={"type": "SEALED_BID", "settings": settings})


def multi_attribute_auction(demo, *, suppliers=(1, 2, 3), accept=(1, 2, 3), **settings) -> int:
    return published_rfq(demo, suppliers=suppliers, accept=accept, reserve_price={"enabled": False}, auction={
        "type": "MULTI_ATTRIBUTE", "settings": {"criteria": CRITERIA, "scoring_method": "WEIGHTED_SUM",
                                                "price_weight": 50, **settings}})


def items(rfq_id: int) -> list[int]:
    """The RFQ's line item ids in order (the factory's RFQ: 40 bags of rice, 20 of flour)."""
    return list(RFQ.objects.get(pk=rfq_id).line_items.order_by("position").values_list("pk", flat=True))


def set_deadline(rfq_id: int, seconds_from_now: float) -> None:
    RFQ.objects.filter(pk=rfq_id).update(bidding_deadline=timezone.now() + timedelta(seconds=seconds_from_now))


# --- Requests ------------------------------------------------------------------------------

def bid(api, user: str, rfq_id: int, amount, **extra):
    return api(user).post(f"/api/v1/rfqs/{rfq_id}/bids/", {"amount": amount}, format="json", **extra)


def quote(api, user: str, rfq_id: int, prices, *, criteria=None, **fields):
    """A sealed quote: `prices` maps line item id → unit price (or is a list of line dicts)."""
    lines = prices if isinstance(prices, list) else [
        {"line_item_id": item, "unit_price": price} for item, price in prices.items()]
    body = {"line_items": lines, **fields}
    if criteria is not None:
        body["criteria"] = criteria
    return api(user).post(f"/api/v1/rfqs/{rfq_id}/bids/", body, format="json")


def withdraw(api, user: str, rfq_id: int, bid_id: int):
    return api(user).post(f"/api/v1/rfqs/{rfq_id}/bids/{bid_id}/withdraw/", {}, format="json")


def state(api, user: str, rfq_id: int) -> dict:
    response = api(user).get(f"/api/v1/rfqs/{rfq_id}/state/")
    assert response.status_code == 200, response.content
    return response.json()


def transition(api, user: str, rfq_id: int, name: str):
    return api(user).post(f"/api/v1/rfqs/{rfq_id}/{name}/", {}, format="json")


# --- Assertions ----------------------------------------------------------------------------

def created(response) -> dict:
    assert response.status_code == 201, (response.status_code, response.content)
    return response.json()


def refused(response, *rules: str, status: int = 422, code: str | None = None) -> dict:
    """The bid was refused with exactly these rules among its blocking violations (in any
    order) and api.md's error body; returns the error object."""
    assert response.status_code == status, (response.status_code, response.content)
    body = json.loads(response.content)
    assert set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == ERROR_KEYS, error
    assert error["code"] == (code or {422: "bid_rejected", 429: "rate_limited"}[status]), error
    assert error["message"], error
    for violation in error["violations"]:
        assert set(violation) == VIOLATION_KEYS, violation
        assert violation["severity"] in ("block", "warn", "log"), violation
        assert violation["category"] in ("eligibility", "format", "validity", "timing", "fairness"), violation
        assert isinstance(violation["message"], str) and violation["message"], violation
        assert isinstance(violation["metadata"], dict), violation
    blocking = sorted({v["rule"] for v in error["violations"] if v["severity"] == "block"})
    assert blocking == sorted(rules), error["violations"]
    if status == 429:
        assert int(response["Retry-After"]) >= 1, response.headers
    return error


def messages(error: dict, rule: str) -> str:
    return " ".join(v["message"] for v in error["violations"] if v["rule"] == rule)


def bad_request(response, *, field: str | None = None) -> dict:
    assert response.status_code == 400, (response.status_code, response.content)
    error = response.json()["error"]
    assert set(error) == ERROR_KEYS and error["code"] in ("invalid", "malformed_request"), error
    if field is not None:
        assert any(name.startswith(field) for name in error["fields"]), error
    return error


def snapshot(rfq_id: int) -> dict:
    """Everything a bid could change: the bid rows and the auction row's live state."""
    rfq = RFQ.objects.get(pk=rfq_id)
    return {
        "bids": list(Bid.objects.filter(rfq_id=rfq_id).order_by("pk").values_list(
            "pk", "status", "amount", "version", "withdrawn_at", "sealed_payload")),
        "rfq": (rfq.status, rfq.best_amount, rfq.best_bid_id, rfq.bid_count, rfq.bidding_deadline,
                rfq.extensions, rfq.deadline_version),
    }


class Refusal:
    """Records the state before an attempt; `check` asserts the refusal left only its traces:
    the same bids and auction row, one `bid.place_rejected` event, and one stored violation
    per listed violation."""

    def __init__(self, rfq_id: int):
        self.rfq_id = rfq_id
        self.before = snapshot(rfq_id)
        self.events = AuditEvent.objects.filter(rfq_id=rfq_id).count()
        self.last_violation = RuleViolation.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    def check(self, error: dict, *, action: str = "place") -> list[RuleViolation]:
        assert snapshot(self.rfq_id) == self.before
        new_events = list(AuditEvent.objects.filter(rfq_id=self.rfq_id).order_by("seq")[self.events:])
        assert [e.type for e in new_events] == [f"bid.{action}_rejected"], [e.type for e in new_events]
        stored = list(RuleViolation.objects.filter(pk__gt=self.last_violation).order_by("pk"))
        assert [(v.rule, v.severity, v.message) for v in stored] == [
            (v["rule"], v["severity"], v["message"]) for v in error["violations"]]
        assert all(v.blocked and v.bid_id is None and v.rfq_id == self.rfq_id and v.action == action
                   for v in stored)
        assert len({v.attempt for v in stored}) == 1
        assert [r["rule"] for r in new_events[0].payload["violations"]] == [v.rule for v in stored]
        return stored


def walk(value):
    """Every (key, value) pair in a JSON document, at any depth."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield key, item
            yield from walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk(item)
