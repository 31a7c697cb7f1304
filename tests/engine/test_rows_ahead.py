"""The bid's row and its audit event are built and converted before the auction row's lock, and
completed under it (auctions/services/bids.py `_rows_ahead`, common.db.completed_insert). Every
field the lock decides must be converted again: here each completed INSERT is compared with the
one insert_statement() gives for the finished object, for every mechanism's way of taking a bid.
"""
from __future__ import annotations

import pytest
from django.db import connection
from psycopg.types.json import Jsonb

from auctions.mechanisms import bidding
from auctions.models import Bid
from auctions.services import bids as bid_service
from audit.models import AuditEvent
from common import db
from tests.lots.helpers import lot_bid, lots_auction

from .helpers import (
    GOOD_CRITERIA,
    bid,
    items,
    multi_attribute_auction,
    quote,
    reverse_auction,
    sealed_auction,
    set_deadline,
)

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(connection.vendor != "postgresql",
                                 reason="rows are made ahead only where the lock reserves the bid's id")]


@pytest.fixture
def completed(monkeypatch):
    """Every completed INSERT of a bid or an event, checked against insert_statement as it happens."""
    seen: list[str] = []

    def checked(prepared, changed):
        statement = db.completed_insert(prepared, changed)
        assert comparable(statement) == comparable(db.insert_statement(prepared.obj)), type(prepared.obj).__name__
        seen.append(type(prepared.obj).__name__)
        return statement

    monkeypatch.setattr(bidding, "completed_insert", checked)
    monkeypatch.setattr(bid_service, "completed_insert", checked)
    return seen


def comparable(statement: db.Statement) -> tuple:
    """A statement's text and its parameters by type and value (a JSON parameter has no equality
    of its own); the types too, as they choose the prepared statement PostgreSQL plans."""
    sql, params = statement
    return sql, [(type(value), value.obj if isinstance(value, Jsonb) else value) for value in params]


def stored(response) -> Bid:
    assert response.status_code == 201, response.content
    return Bid.objects.get(pk=response.json()["id"])


def test_reverse_bids_and_an_extending_one(api, demo, completed):
    rfq = reverse_auction(demo)
    first = stored(bid(api, "supplier1", rfq, "9000.00"))
    second = stored(bid(api, "supplier1", rfq, "8900.00"))
    set_deadline(rfq, 60)  # inside the anti-sniping window: the next bid extends the auction
    third = stored(bid(api, "supplier2", rfq, "8800.00"))
    assert completed == ["Bid", "AuditEvent"] * 3
    assert (first.version, second.version, third.version) == (1, 2, 1) and third.amount == 8800
    assert third.audit_seq == AuditEvent.objects.get(rfq_id=rfq, type="bid.placed", payload__bid_id=third.pk).seq
    assert AuditEvent.objects.filter(rfq_id=rfq, type="deadline.extended").count() == 1


def test_a_lot_bid(api, demo, completed):
    rfq = lots_auction(demo)
    line = items(rfq)[1]
    placed = stored(lot_bid(api, "supplier2", rfq, line, "480.00"))
    assert placed.line_item_id == line and completed == ["Bid", "AuditEvent"]


def test_a_bid_sealed_by_the_fallback(api, demo, completed):
    rfq = reverse_auction(demo)
    assert api("buyer").post(f"/api/v1/rfqs/{rfq}/fallback/", {"reason": "Feed down"}, format="json").status_code == 200
    placed = stored(bid(api, "supplier3", rfq, "8750.55"))
    assert placed.amount is None and placed.sealed_payload and placed.sealed_commitment
    assert completed == ["Bid", "AuditEvent"]


def test_sealed_and_multi_attribute_quotes_and_a_revision(api, demo, completed):
    sealed = sealed_auction(demo)
    prices = dict.fromkeys(items(sealed), "10.00")
    first = stored(quote(api, "supplier1", sealed, prices))
    revised = stored(quote(api, "supplier1", sealed, prices, terms="Revised: delivery in Piraeus"))
    assert (first.version, revised.version) == (1, 2) and revised.items_quoted == 2
    scored = multi_attribute_auction(demo)
    stored(quote(api, "supplier2", scored, dict.fromkeys(items(scored), "12.00"), criteria=GOOD_CRITERIA))
    assert completed == ["Bid", "AuditEvent"] * 3


def test_a_keyed_bid_replays_the_answer_of_the_completed_row(api, demo, completed):
    rfq = reverse_auction(demo)
    first = bid(api, "supplier1", rfq, "9100.00", HTTP_IDEMPOTENCY_KEY="rows-ahead-1")
    again = bid(api, "supplier1", rfq, "9100.00", HTTP_IDEMPOTENCY_KEY="rows-ahead-1")
    assert again.status_code == 201 and again.json() == first.json() == {**first.json(), "id": stored(first).pk}
    assert completed == ["Bid", "AuditEvent"]
