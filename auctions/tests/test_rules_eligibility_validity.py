"""Unit tests of the eligibility and validity rules."""
import datetime
from types import SimpleNamespace

import pytest

from .rule_context import auction, bid_at, context, messages


@pytest.mark.parametrize(("status", "ok"), [("VERIFIED", True), ("EXPIRED", False), ("SUBMITTED", False),
                                            ("REJECTED", False), ("NOT_STARTED", False)])
def test_supplier_kyc_valid(status, ok):
    ctx = context(amount="1")
    ctx.supplier = SimpleNamespace(pk=7, kyc_status=status, get_kyc_status_display=lambda: status.title())
    found = messages("supplier_kyc_valid", ctx)
    assert found == ([] if ok else [f"Your company's KYC is {status.lower()}; only verified suppliers may bid."])


@pytest.mark.parametrize(("invitation", "ok"), [("ACCEPTED", True), ("SENT", False), ("DECLINED", False),
                                                ("REVOKED", False), ("PENDING", False), (None, False)])
def test_supplier_invited(invitation, ok):
    found = messages("supplier_invited", context(amount="1", invitation_status=invitation))
    assert found == ([] if ok else ["Accept the invitation to this RFQ before bidding."])


def test_quote_validity():
    rfq = auction(auction_type="SEALED_BID")
    deadline = rfq.bidding_deadline.date()
    lines = {1: "1", 2: "1"}
    assert messages("quote_validity", context(rfq, lines=lines, valid_until=deadline)) == []
    assert messages("quote_validity", context(rfq, lines=lines)) == []
    assert messages("quote_validity", context(rfq, lines=lines, valid_until=deadline - datetime.timedelta(days=1))) == [
        "The quote must stay valid at least until bidding closes."]


def test_revision_allowed():
    single = auction(auction_type="SEALED_BID", settings={"allow_multiple_submissions": False})
    multiple = auction(auction_type="SEALED_BID", settings={"allow_multiple_submissions": True})
    lines = {1: "1", 2: "1"}
    assert messages("revision_allowed", context(single, lines=lines)) == []
    assert messages("revision_allowed", context(single, lines=lines, own_bids=[bid_at(5)])) == [
        "This auction takes one quote per supplier; yours is already in."]
    assert messages("revision_allowed", context(multiple, lines=lines, own_bids=[bid_at(5)])) == []


def test_bid_withdrawable_is_the_latest_standing_bid_only():
    old, new = bid_at(20, pk=1), bid_at(10, pk=2)
    gone = bid_at(5, pk=3, status="withdrawn", withdrawn=True)
    refusal = ["Only your latest standing bid can be withdrawn."]
    assert messages("bid_withdrawable", context(action="withdraw", bid=new, own_bids=[old, new])) == []
    assert messages("bid_withdrawable", context(action="withdraw", bid=old, own_bids=[old, new])) == refusal
    # After the latest was withdrawn, the one before it is the latest standing bid.
    assert messages("bid_withdrawable", context(action="withdraw", bid=new, own_bids=[old, new, gone])) == []
    assert messages("bid_withdrawable", context(action="withdraw", bid=gone, own_bids=[old, new, gone])) == refusal
