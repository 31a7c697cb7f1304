"""Ids and seqs are bigints (common.schema.ID_MAX, in_bigint): at the bound a request is answered
as for any id that names nothing, one past it the same (never the database's out-of-range error
or SQLite's OverflowError), and a seq one past the bound is a 400 saying what a seq is."""
from __future__ import annotations

import pytest

from common.schema import BIGINT_MIN, ID_MAX, in_bigint
from tests.api.helpers import assert_error
from tests.engine.helpers import bid, reverse_auction

pytestmark = pytest.mark.django_db


def test_in_bigint_is_exactly_the_column_range():
    assert in_bigint(ID_MAX) and in_bigint(BIGINT_MIN) and in_bigint(0)
    assert not in_bigint(ID_MAX + 1) and not in_bigint(BIGINT_MIN - 1)


@pytest.mark.parametrize("rfq_id", [ID_MAX, ID_MAX + 1])
def test_a_bid_on_an_rfq_beyond_any_stored_id_is_404(api, demo, rfq_id):
    assert_error(bid(api, "supplier1", rfq_id, "9000.00"), 404)


def test_since_at_the_bound_is_a_seq_and_past_it_a_400(api, demo):
    rfq = reverse_auction(demo)
    at_bound = api("supplier1").get(f"/api/v1/rfqs/{rfq}/events/?since={ID_MAX}")
    assert at_bound.status_code == 200 and at_bound.json() == []
    assert_error(api("supplier1").get(f"/api/v1/rfqs/{rfq}/events/?since={ID_MAX + 1}"), 400,
                 "invalid", contains="seq")


@pytest.mark.parametrize("bid_id", [ID_MAX, ID_MAX + 1])
def test_a_quote_attachment_of_a_bid_beyond_any_stored_id_is_404(api, demo, bid_id):
    rfq = reverse_auction(demo)
    assert_error(api("supplier1").get(f"/api/v1/rfqs/{rfq}/bids/{bid_id}/attachments/"), 404)
