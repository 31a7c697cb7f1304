"""Every bid rule of product.md §4.4 through the API: a bid that breaks it is refused with the
rule's id (422, or 429 with Retry-After for the rate rules), every violation is listed and
stored, the refusal is audited, and nothing else changes."""
from datetime import timedelta

import pytest
from django.utils import timezone

from auctions.models import Bid, RuleViolation
from auctions.rules import REGISTRY
from audit.models import AuditEvent
from rfqs.models import RFQ
from suppliers.models import Category, Invitation
from tests.api.helpers import mentions_amount
from tests.factories import RFQFactory, SupplierFactory, move_deadline_into_past

from .helpers import Refusal, bid, created, items, messages, quote, refused, set_deadline, transition, withdraw


@pytest.fixture
def api(api_as):
    """api(user): a token client; the users are factory-built, not the demo world's."""
    return api_as


@pytest.fixture
def rfq(suppliers):
    """An open reverse auction (ceiling 10 000, decrement 100) the three suppliers accepted: its id."""
    return reverse_auction(suppliers)


def reverse_auction(suppliers, *, accepted: int = 3, reserve: dict | None = None, **settings) -> int:
    """An open reverse auction: the first `accepted` suppliers accepted, the rest were sent an invitation."""
    companies = [user.supplier for user in suppliers]
    return RFQFactory(open_reverse=True, settings=settings, accepted=companies[:accepted],
                      invited=companies[accepted:], **(reserve or {})).pk


def sealed_auction(suppliers, *, reserve: dict | None = None, **settings) -> int:
    return RFQFactory(open_sealed=True, settings=settings, accepted=[user.supplier for user in suppliers],
                      **(reserve or {})).pk


def buyer(rfq_id: int):
    return RFQ.objects.get(pk=rfq_id).created_by


def test_the_registry_holds_the_minimum_rule_set_of_the_spec():
    required = {"supplier_kyc_valid", "supplier_invited", "category_qualified", "currency_matches", "amount_format",
                "line_items_complete", "criteria_responses_valid", "starting_price_ceiling", "minimum_decrement",
                "reserve_disclosed_as_starting", "within_bidding_window", "cool_down", "rate_limit",
                "bid_withdrawal_limit"}
    assert required <= set(REGISTRY)
    assert REGISTRY["unusual_drop"].severity == "warn"
    assert all(REGISTRY[rule].severity == "block" for rule in required)


# --- eligibility ---------------------------------------------------------------------------

def test_supplier_kyc_valid_refuses_a_supplier_whose_kyc_expired_after_accepting(api, s1, s2, rfq):
    supplier = s1.supplier
    supplier.kyc_expire()
    supplier.save()
    attempt = Refusal(rfq)
    error = refused(bid(api, s1, rfq, "9500.00"), "supplier_kyc_valid")
    assert "expired" in messages(error, "supplier_kyc_valid").lower()
    assert error["violations"][0]["category"] == "eligibility"
    attempt.check(error)
    # The others bid as before.
    created(bid(api, s2, rfq, "9500.00"))


@pytest.mark.parametrize("answer", ["sent", "declined"])
def test_supplier_invited_needs_an_accepted_invitation(api, suppliers, answer):
    s3 = suppliers[2]
    rfq = reverse_auction(suppliers, accepted=2)
    if answer == "declined":
        invitation = Invitation.objects.get(rfq_id=rfq, supplier=s3.supplier)
        assert api(s3).post(f"/api/v1/invitations/{invitation.pk}/decline/", {"reason": "busy"},
                                     format="json").status_code == 200
    attempt = Refusal(rfq)
    error = refused(bid(api, s3, rfq, "9500.00"), "supplier_invited")
    assert "accept the invitation" in messages(error, "supplier_invited").lower()
    attempt.check(error)


def test_a_supplier_not_invited_or_revoked_cannot_even_see_the_auction(api, suppliers, rfq):
    not_found = bid(api, SupplierFactory(), rfq, "9500.00")
    assert not_found.status_code == 404 and not_found.json()["error"]["code"] == "not_found"
    invitation = Invitation.objects.get(rfq_id=rfq, supplier=suppliers[2].supplier)
    assert api(buyer(rfq)).post(f"/api/v1/rfqs/{rfq}/invitations/{invitation.pk}/revoke/", {"reason": "conflict"},
                                format="json").status_code == 200
    assert bid(api, suppliers[2], rfq, "9500.00").status_code == 404
    assert not Bid.objects.filter(rfq_id=rfq).exists()


def test_category_qualified(api, s1, rfq):
    s1.supplier.categories.remove(Category.objects.get(slug="provisions"))
    attempt = Refusal(rfq)
    error = refused(bid(api, s1, rfq, "9500.00"), "category_qualified")
    assert "not qualified" in messages(error, "category_qualified")
    attempt.check(error)


# --- format, validity ----------------------------------------------------------------------

def test_currency_matches(api, s1, rfq):
    attempt = Refusal(rfq)
    error = refused(api_bid_with_currency(api(s1), rfq, "EUR"), "currency_matches")
    assert messages(error, "currency_matches") == "This RFQ is priced in USD, not EUR."
    attempt.check(error)
    assert created(api_bid_with_currency(api(s1), rfq, "USD"))["amount"] == "9500.00"


def api_bid_with_currency(client, rfq, currency):
    return client.post(f"/api/v1/rfqs/{rfq}/bids/", {"amount": "9500.00", "currency": currency},
                       format="json")


def test_quote_validity_must_reach_the_deadline(api, suppliers, s1):
    rfq = sealed_auction(suppliers)
    deadline = RFQ.objects.get(pk=rfq).bidding_deadline.date()
    prices = dict.fromkeys(items(rfq), "10.00")
    attempt = Refusal(rfq)
    error = refused(quote(api, s1, rfq, prices, valid_until=str(deadline - timedelta(days=1))),
                    "quote_validity")
    assert error["violations"][0]["category"] == "validity"
    attempt.check(error)
    created(quote(api, s1, rfq, prices, valid_until=str(deadline)))


def test_revision_allowed_only_when_the_auction_takes_several_submissions(api, suppliers, s1):
    rfq = sealed_auction(suppliers, allow_multiple_submissions=False)
    prices = dict.fromkeys(items(rfq), "10.00")
    created(quote(api, s1, rfq, prices))
    attempt = Refusal(rfq)
    error = refused(quote(api, s1, rfq, dict.fromkeys(items(rfq), "9.00")), "revision_allowed")
    assert "one quote per supplier" in messages(error, "revision_allowed")
    attempt.check(error)


# --- timing --------------------------------------------------------------------------------

def test_within_bidding_window_after_the_deadline_even_while_still_open(api, s1, s2, rfq):
    created(bid(api, s1, rfq, "9500.00"))
    move_deadline_into_past(rfq)
    attempt = Refusal(rfq)
    error = refused(bid(api, s2, rfq, "9000.00"), "within_bidding_window")
    assert messages(error, "within_bidding_window") == "The bidding deadline has passed."
    attempt.check(error)
    assert RFQ.objects.get(pk=rfq).status == "open"  # no job closed it; the rule did the refusing


def test_within_bidding_window_while_paused_and_after_resume(api, s1, rfq):
    assert transition(api, buyer(rfq), rfq, "pause").status_code == 200
    attempt = Refusal(rfq)
    error = refused(bid(api, s1, rfq, "9500.00"), "within_bidding_window")
    assert messages(error, "within_bidding_window") == "Bidding is paused by the buyer."
    attempt.check(error)
    assert transition(api, buyer(rfq), rfq, "resume").status_code == 200
    created(bid(api, s1, rfq, "9500.00"))


def test_within_bidding_window_before_bidding_opens(api, s1, s2):
    opens = timezone.now() + timedelta(hours=2)
    rfq = RFQFactory(reverse=True, published=True, bidding_opens_at=opens, settings={"starting_price": "10000.00"},
                     accepted=[s1.supplier, s2.supplier]).pk
    assert RFQ.objects.get(pk=rfq).status == "published"
    attempt = Refusal(rfq)
    error = refused(bid(api, s1, rfq, "9500.00"), "within_bidding_window")
    assert messages(error, "within_bidding_window") == "Bidding is not open (the RFQ is published)."
    attempt.check(error)


def test_cool_down_answers_429_with_retry_after(api, suppliers, s1, s2):
    rfq = reverse_auction(suppliers, cool_down_seconds=30)
    created(bid(api, s1, rfq, "9500.00"))
    attempt = Refusal(rfq)
    response = bid(api, s1, rfq, "9000.00")
    error = refused(response, "cool_down", status=429)
    assert 1 <= int(response["Retry-After"]) <= 30
    assert error["violations"][0]["metadata"]["cool_down_seconds"] == 30
    attempt.check(error)
    created(bid(api, s2, rfq, "9000.00"))  # the cool-down is per supplier


def test_rate_limit_answers_429_with_retry_after(api, suppliers, s1):
    rfq = reverse_auction(suppliers, rate_limit_bids_per_minute=2)
    created(bid(api, s1, rfq, "9500.00"))
    created(bid(api, s1, rfq, "9400.00"))
    attempt = Refusal(rfq)
    response = bid(api, s1, rfq, "9300.00")
    error = refused(response, "rate_limit", status=429)
    assert 50 <= int(response["Retry-After"]) <= 60
    assert "At most 2 bids a minute" in messages(error, "rate_limit")
    attempt.check(error)


def test_rate_limit_is_one_bid_per_10_seconds_in_the_final_minutes(api, suppliers, s1):
    rfq = reverse_auction(suppliers, extension_trigger_minutes=0)
    set_deadline(rfq, 100)
    created(bid(api, s1, rfq, "9500.00"))
    response = bid(api, s1, rfq, "9400.00")
    refused(response, "rate_limit", status=429)
    assert 1 <= int(response["Retry-After"]) <= 10


def test_a_rate_rule_together_with_another_rule_is_a_422(api, suppliers, s1):
    rfq = reverse_auction(suppliers, rate_limit_bids_per_minute=1)
    created(bid(api, s1, rfq, "9500.00"))
    error = refused(bid(api, s1, rfq, "9999.00"), "rate_limit", "minimum_decrement")
    assert {v["rule"] for v in error["violations"]} == {"rate_limit", "minimum_decrement"}


# --- fairness ------------------------------------------------------------------------------

def test_starting_price_ceiling_and_the_first_bid_only_needs_the_ceiling(api, s1, rfq):
    attempt = Refusal(rfq)
    error = refused(bid(api, s1, rfq, "10000.01"), "starting_price_ceiling")
    assert messages(error, "starting_price_ceiling") == "Bids may not exceed the starting price of USD 10,000.00."
    attempt.check(error)
    assert created(bid(api, s1, rfq, "10000.00"))["amount"] == "10000.00"


def test_minimum_decrement(api, s1, s2, rfq):
    created(bid(api, s1, rfq, "9500.00"))
    attempt = Refusal(rfq)
    error = refused(bid(api, s2, rfq, "9400.01"), "minimum_decrement")
    assert error["violations"][0]["metadata"]["maximum_allowed"] == "9400.00"
    assert "Bid at most USD 9,400.00" in messages(error, "minimum_decrement")
    attempt.check(error)
    created(bid(api, s2, rfq, "9400.00"))


def test_reserve_disclosed_as_starting_in_a_reverse_auction(api, suppliers, s1):
    rfq = reverse_auction(suppliers, starting_price=None, reserve=disclosed_as_starting("8000.00"))
    attempt = Refusal(rfq)
    error = refused(bid(api, s1, rfq, "8000.00"), "reserve_disclosed_as_starting")
    assert messages(error, "reserve_disclosed_as_starting") == "Bids must be below the reserve of USD 8,000.00."
    attempt.check(error)
    created(bid(api, s1, rfq, "7999.99"))


def disclosed_as_starting(amount: str) -> dict:
    return {"reserve_enabled": True, "reserve_amount": amount, "reserve_visibility": "disclosed_as_starting"}


def test_reserve_disclosed_as_starting_in_a_sealed_tender_stores_no_price(api, suppliers, s1):
    rfq = sealed_auction(suppliers, reserve=disclosed_as_starting("5000.00"))
    rice, flour = items(rfq)
    attempt = Refusal(rfq)
    # 40 × 111.11 + 20 × 33.33 = 5111.00: above the reserve.
    error = refused(quote(api, s1, rfq, {rice: "111.11", flour: "33.33"}), "reserve_disclosed_as_starting")
    stored = attempt.check(error)
    # Even a refused quote's prices stay out of what others read (violations, audit).
    for text in [str(error), *(str((v.message, v.metadata)) for v in stored)]:
        assert not any(mentions_amount(text, amount) for amount in ("111.11", "5111", "33.33"))
    created(quote(api, s1, rfq, {rice: "100.00", flour: "49.99"}))  # 4999.80


def test_unusual_drop_is_a_warning_returned_with_the_accepted_bid(api, s1, s2, rfq):
    created(bid(api, s1, rfq, "9000.00"))
    before = RuleViolation.objects.count()
    placed = created(bid(api, s2, rfq, "6000.00"))
    assert [(w["rule"], w["severity"], w["category"]) for w in placed["warnings"]] == [
        ("unusual_drop", "warn", "fairness")]
    assert placed["warnings"][0]["message"] == "Your bid is 33% below the current best; check it is right."
    assert RuleViolation.objects.count() == before + 1
    stored = RuleViolation.objects.latest("pk")
    assert (stored.rule, stored.severity, stored.blocked, stored.bid_id) == ("unusual_drop", "warn", False, placed["id"])
    assert not AuditEvent.objects.filter(rfq_id=rfq, type="bid.place_rejected").exists()
    assert RFQ.objects.get(pk=rfq).best_amount == 6000
    # The warning is in the audit trail too, with the bid it came with (product.md §6).
    placed_events = {e.payload["bid_id"]: e.payload for e in AuditEvent.objects.filter(rfq_id=rfq, type="bid.placed")}
    assert placed_events[placed["id"]]["violations"] == [{
        "rule": "unusual_drop", "severity": "warn", "message": "Your bid is 33% below the current best; check it is right."}]
    assert "violations" not in placed_events[min(placed_events)]  # the first bid met every rule


def test_bid_withdrawable_only_the_latest_standing_bid(api, s1, rfq):
    first = created(bid(api, s1, rfq, "9500.00"))
    created(bid(api, s1, rfq, "9300.00"))
    attempt = Refusal(rfq)
    error = refused(withdraw(api, s1, rfq, first["id"]), "bid_withdrawable")
    assert messages(error, "bid_withdrawable") == "Only your latest standing bid can be withdrawn."
    attempt.check(error, action="withdraw")


def test_bid_withdrawal_limit_refuses_the_fourth_withdrawal(api, s1, rfq):
    for n in range(3):
        placed = created(bid(api, s1, rfq, f"{9500 - n}.00"))
        assert withdraw(api, s1, rfq, placed["id"]).status_code == 200
    last = created(bid(api, s1, rfq, "9000.00"))
    attempt = Refusal(rfq)
    error = refused(withdraw(api, s1, rfq, last["id"]), "bid_withdrawal_limit")
    assert error["violations"][0]["metadata"] == {"withdrawals": 3}
    attempt.check(error, action="withdraw")
    assert Bid.objects.get(pk=last["id"]).status == "accepted"


# --- several at once -----------------------------------------------------------------------

def test_every_broken_rule_of_an_attempt_is_listed_and_stored(api, suppliers):
    rfq = reverse_auction(suppliers, accepted=2)
    attempt = Refusal(rfq)
    response = api(suppliers[2]).post(f"/api/v1/rfqs/{rfq}/bids/", {"amount": "12.345", "currency": "EUR"},
                                      format="json")
    error = refused(response, "supplier_invited", "currency_matches", "amount_format")
    attempt.check(error)


def test_rules_of_both_phases_are_listed_together(api, s1, rfq):
    """An ineligible supplier bidding above the ceiling while the auction is paused hears of
    all three problems at once, not one per attempt."""
    supplier = s1.supplier
    supplier.kyc_expire()
    supplier.save()
    assert transition(api, buyer(rfq), rfq, "pause").status_code == 200
    attempt = Refusal(rfq)
    error = refused(bid(api, s1, rfq, "10500.00"), "supplier_kyc_valid", "within_bidding_window",
                    "starting_price_ceiling")
    attempt.check(error)


def test_a_negative_bid_gets_the_format_error_only(api, s1, s2, rfq):
    """Review finding: "-5" was refused as malformed and also warned "100% below the current best"."""
    created(bid(api, s1, rfq, "9500.00"))
    error = refused(bid(api, s2, rfq, "-5.00"), "amount_format")
    assert [v["rule"] for v in error["violations"]] == ["amount_format"]
    assert "100%" not in str(error)
