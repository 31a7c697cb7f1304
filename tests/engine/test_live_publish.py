"""Services say what live clients see: bid_place, bid_withdraw and the transitions publish
their events explicitly (common.realtime.publish_on_commit), captured here at the service
level without a socket (tests/capture.py). The bid services' messages are tested with the
services themselves, in auctions/tests/test_services_bids.py."""
from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from common import realtime
from procurement import services as rfq_services
from tests.capture import by_group, capture_live_messages
from tests.factories import RFQFactory, SupplierFactory


@pytest.mark.django_db
def test_transitions_are_published():
    rfq = RFQFactory(open_reverse=True, accepted=[user.supplier for user in SupplierFactory.create_batch(2)])
    with capture_live_messages() as sent:
        rfq_services.rfq_pause(rfq=rfq, user=rfq.created_by, reason="Checking specs")
    assert by_group(sent, rfq.pk) == {"buyer": ["auction_paused"], "bidders": ["auction_paused"],
                                      "observers": ["auction_paused"]}


def test_a_family_or_type_is_registered_once():
    with pytest.raises(ImproperlyConfigured, match="registered twice"):
        realtime.register("auction", {}, lambda event: [])
    with pytest.raises(ImproperlyConfigured, match="another family"):
        realtime.register("another", {"bid.placed": lambda rfq, payload: True}, lambda event: [])
    assert "another" not in realtime._families  # a refused registration leaves nothing behind


def test_events_published_together_belong_to_one_rfq():
    """One call sends one round trip with one RFQ's presence read: events of two RFQs are a
    caller's mistake, refused before the commit rather than half-published after it."""
    from types import SimpleNamespace

    bid, other = SimpleNamespace(type="bid.placed", rfq_id=1), SimpleNamespace(type="deadline.extended", rfq_id=2)
    with pytest.raises(ValueError, match="one RFQ"):
        realtime.publish_on_commit(bid, other)
