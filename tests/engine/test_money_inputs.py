"""Edge and money inputs: the decrement's exact limit, amounts that are not money, JSON
numbers, line items and multi-attribute criteria that do not fit the RFQ."""
import pytest

from auctions.models import Bid
from conftest import module_demo
from tests.factories import move_deadline_into_past, published_rfq

from .helpers import (
    CRITERIA,
    GOOD_CRITERIA,
    Refusal,
    bad_request,
    bid,
    created,
    items,
    messages,
    multi_attribute_auction,
    quote,
    refused,
    reverse_auction,
    sealed_auction,
)


@pytest.fixture(scope="module")
def no_ceiling(_demo_world, django_db_blocker):
    """A reverse auction without a starting price, shared by the module's tests (each test's
    writes are rolled back, the auction stays)."""
    with django_db_blocker.unblock():
        return reverse_auction(module_demo(), starting_price=None)


@pytest.fixture(scope="module")
def sealed(_demo_world, django_db_blocker):
    with django_db_blocker.unblock():
        return sealed_auction(module_demo())


@pytest.fixture(scope="module")
def multi(_demo_world, django_db_blocker):
    with django_db_blocker.unblock():
        return multi_attribute_auction(module_demo())


# --- the minimum decrement, exactly ----------------------------------------------------------


def test_amount_decrement_exact_limit_accepted_one_cent_above_refused(api, demo):
    rfq = reverse_auction(demo, minimum_decrement="0.25")
    created(bid(api, "supplier1", rfq, "1000.00"))
    refused(bid(api, "supplier2", rfq, "999.76"), "minimum_decrement")
    assert created(bid(api, "supplier2", rfq, "999.75"))["amount"] == "999.75"
    refused(bid(api, "supplier3", rfq, "999.51"), "minimum_decrement")
    created(bid(api, "supplier3", rfq, "999.50"))


def test_percentage_decrement_exact_limit(api, demo):
    rfq = reverse_auction(demo, minimum_decrement="2", decrement_type="PERCENTAGE")
    created(bid(api, "supplier1", rfq, "5000.00"))  # 2 % of 5000 = 100 exactly
    refused(bid(api, "supplier2", rfq, "4900.01"), "minimum_decrement")
    created(bid(api, "supplier2", rfq, "4900.00"))
    assert api("supplier3").get(f"/api/v1/rfqs/{rfq}/state/").json()["minimum_next_bid"] == "4802.00"


def test_percentage_limit_with_more_decimals_than_the_currency_is_rounded_down(api, demo):
    rfq = reverse_auction(demo, minimum_decrement="1.5", decrement_type="PERCENTAGE")
    created(bid(api, "supplier1", rfq, "9999.99"))
    # 9999.99 − 1.5 % = 9849.990150 exactly: the limit in cents is 9849.99.
    error = refused(bid(api, "supplier2", rfq, "9850.00"), "minimum_decrement")
    assert error["violations"][0]["metadata"]["maximum_allowed"] == "9849.99"
    created(bid(api, "supplier2", rfq, "9849.99"))


def test_percentage_limit_is_rounded_down_not_to_nearest(api, demo):
    rfq = reverse_auction(demo, minimum_decrement="0.5", decrement_type="PERCENTAGE")
    created(bid(api, "supplier1", rfq, "1000.99"))
    # 1000.99 − 0.5 % = 995.98505 → to the nearest cent 995.99 (a step of 5.00, short of
    # 5.00495); rounded down 995.98, which is what the rule must demand.
    error = refused(bid(api, "supplier2", rfq, "995.99"), "minimum_decrement")
    assert error["violations"][0]["metadata"]["maximum_allowed"] == "995.98"
    created(bid(api, "supplier2", rfq, "995.98"))


def test_percentage_decrement_in_yen(api, demo):
    rfq = reverse_auction(demo, currency="JPY", starting_price="1000000", minimum_decrement="0.3",
                          decrement_type="PERCENTAGE")
    created(bid(api, "supplier1", rfq, "123457"))
    # 123457 × 0.997 = 123086.629 → 123086 yen at most.
    refused(bid(api, "supplier2", rfq, "123087"), "minimum_decrement")
    assert created(bid(api, "supplier2", rfq, "123086"))["amount"] == "123086"


# --- amounts that are not money ------------------------------------------------------------

@pytest.mark.parametrize(("amount", "message"), [
    ("10.001", "at most 2 decimal place(s)"),
    ("-5.00", "greater than zero"),
    ("-0", "greater than zero"),
    ("0", "greater than zero"),
    ("0.00", "greater than zero"),
    ("NaN", "not a number"),
    ("nan", "not a number"),
    ("sNaN", "not a number"),
    ("Infinity", "not a number"),
    ("-Infinity", "not a number"),
    ("inf", "not a number"),
    ("1e5", "exponent"),
    ("1E+3", "exponent"),
    ("5000e-1", "exponent"),
    ("99999999999999999", "exceeds the maximum"),
    ("1000000000.01", "exceeds the maximum"),
    ("", "not a number"),
    ("   ", "not a number"),
    ("abc", "not a number"),
    ("12,50", "not a number"),
    ("$12", "not a number"),
    ("1_000", "plain digits"),
    ("１２", "plain digits"),  # full-width digits
    ("١٢", "plain digits"),  # Arabic-Indic digits
])
def test_amount_format_refuses_what_is_not_money(api, no_ceiling, amount, message):
    rfq = no_ceiling  # no ceiling, no bid yet: amount_format is the only rule broken
    attempt = Refusal(rfq)
    error = refused(bid(api, "supplier1", rfq, amount), "amount_format")
    text = messages(error, "amount_format")
    assert text.startswith("amount: ") and message in text, text
    assert error["violations"][0]["metadata"] == {"field": "amount"}
    attempt.check(error)


def test_amount_format_in_yen_refuses_decimals(api, demo):
    rfq = reverse_auction(demo, currency="JPY", starting_price="1000000", minimum_decrement="100")
    error = refused(bid(api, "supplier1", rfq, "10.5"), "amount_format")
    assert "at most 0 decimal place(s)" in messages(error, "amount_format")
    assert created(bid(api, "supplier1", rfq, "10"))["amount"] == "10"


def test_surrounding_blanks_are_tolerated_as_in_every_other_amount(api, no_ceiling):
    """Amounts elsewhere in the API (RFQ settings, reserve) are read with surrounding blanks
    stripped; a bid reads them the same way and stores the plain value."""
    rfq = no_ceiling
    placed = created(bid(api, "supplier1", rfq, " 12 "))
    assert placed["amount"] == "12.00" and Bid.objects.get(pk=placed["id"]).amount == 12


@pytest.mark.parametrize("amount", [9500, 9500.5, True, None, ["9500"], {"value": "9500"}])
def test_an_amount_that_is_not_a_string_is_a_400(api, no_ceiling, amount):
    rfq = no_ceiling
    error = bad_request(bid(api, "supplier1", rfq, amount), field="amount")
    if isinstance(amount, (int, float)) and not isinstance(amount, bool):
        assert "not as JSON numbers" in " ".join(error["fields"]["amount"])
    assert not Bid.objects.filter(rfq_id=rfq).exists()


def test_a_unit_price_as_json_number_is_a_400(api, sealed):
    rfq = sealed
    rice, flour = items(rfq)
    error = bad_request(quote(api, "supplier1", rfq, [{"line_item_id": rice, "unit_price": 12.5},
                                                      {"line_item_id": flour, "unit_price": "1.00"}]))
    assert "line_items[0].unit_price" in error["fields"], error


def test_bodies_of_the_wrong_shape_are_400s_not_500s(api, no_ceiling, sealed):
    reverse = no_ceiling
    client = api("supplier1")
    for rfq, body in [(reverse, {}), (reverse, []), (reverse, "9500"), (reverse, {"line_items": []}),
                      (reverse, {"amount": "9500", "currency": ["USD"]}), (sealed, {"amount": "9500.00"}),
                      (sealed, {"line_items": []}), (sealed, {"line_items": [{"line_item_id": "x", "unit_price": "1"}]}),
                      (sealed, {"line_items": [{"line_item_id": 2**70, "unit_price": "1"}]}),
                      (sealed, {"line_items": "all"}), (sealed, {"line_items": [{"line_item_id": 1}],
                                                                   "criteria": ["fast"]}),
                      (sealed, {"line_items": [{"line_item_id": 1, "unit_price": "1"}], "valid_until": "soon"})]:
        bad_request(client.post(f"/api/v1/rfqs/{rfq}/bids/", body, format="json"))
    malformed = client.post(f"/api/v1/rfqs/{reverse}/bids/", '{"amount": NaN}', content_type="application/json")
    assert malformed.status_code == 400, malformed.content
    assert not Bid.objects.exists()


# --- sealed quotes: amounts and line items -------------------------------------------------

def test_every_bad_unit_price_is_named(api, sealed):
    rfq = sealed
    rice, flour = items(rfq)
    attempt = Refusal(rfq)
    error = refused(quote(api, "supplier1", rfq, {rice: "12.345", flour: "-1"}), "amount_format")
    assert [v["metadata"]["field"] for v in error["violations"]] == ["line_items[0].unit_price",
                                                                     "line_items[1].unit_price"]
    attempt.check(error)


@pytest.mark.parametrize(("lines", "expected"), [
    ("unknown", "are not part of this RFQ"),
    ("duplicate", "priced once per quote"),
    ("missing", "Price every line item; missing"),
    ("foreign", "are not part of this RFQ"),
])
def test_line_items_complete(api, sealed, multi, lines, expected):
    rfq, other = sealed, multi
    rice, flour = items(rfq)
    chosen = {"unknown": [rice, flour, 10**12], "duplicate": [rice, flour, flour], "missing": [rice],
              "foreign": [rice, flour, items(other)[0]]}[lines]
    attempt = Refusal(rfq)
    error = refused(quote(api, "supplier1", rfq, [{"line_item_id": i, "unit_price": "10.00"} for i in chosen]),
                    "line_items_complete")
    assert expected in messages(error, "line_items_complete")
    attempt.check(error)


def test_a_quote_total_above_the_maximum_is_refused_and_the_maximum_opens(api, demo):
    """Unit prices are each below the maximum, but the total is a bid's amount too: an
    unbounded one overflowed the amount column and made the whole tender's close fail."""
    rfq = published_rfq(demo, suppliers=(1, 2), accept=(1, 2), reserve_price={"enabled": False},
                        line_items=[{"description": "Bolts", "quantity": "1000000", "unit": "pcs"}],
                        auction={"type": "SEALED_BID", "settings": {}})
    [bolts] = items(rfq)
    attempt = Refusal(rfq)
    error = refused(quote(api, "supplier1", rfq, {bolts: "999999999.00"}), "amount_format")
    assert messages(error, "amount_format") == "total: The quote's total exceeds the maximum of 1,000,000,000."
    attempt.check(error)
    assert created(quote(api, "supplier1", rfq, {bolts: "1000.00"}))["amount"] == "1000000000.00"
    refused(quote(api, "supplier2", rfq, {bolts: "1000.01"}), "amount_format")
    move_deadline_into_past(rfq)
    assert api("buyer").post(f"/api/v1/rfqs/{rfq}/close/", {}, format="json").status_code == 200
    assert api("buyer").get(f"/api/v1/rfqs/{rfq}/bids/").json()[0]["amount"] == "1000000000.00"


def test_partial_quotes_when_the_auction_allows_them(api, demo):
    rfq = sealed_auction(demo, allow_partial_bids=True)
    rice, flour = items(rfq)
    placed = created(quote(api, "supplier1", rfq, {flour: "2.50"}))
    assert placed["amount"] == "50.00"
    assert Bid.objects.get(pk=placed["id"]).items_quoted == 1
    # Partial, but still only this RFQ's items, each once.
    refused(quote(api, "supplier2", rfq, {flour: "2.50", 10**12: "1.00"}), "line_items_complete")


# --- multi-attribute criteria --------------------------------------------------------------

def criteria_quote(api, rfq, criteria, user="supplier1"):
    return quote(api, user, rfq, dict.fromkeys(items(rfq), "10.00"), criteria=criteria)


def test_a_complete_multi_attribute_quote_is_accepted(api, multi):
    assert created(criteria_quote(api, multi, GOOD_CRITERIA))["amount"] == "600.00"
    stored = api("buyer").get(f"/api/v1/rfqs/{multi}/").json()["auction"]["settings"]["criteria"]
    assert [c["id"] for c in stored] == [c["id"] for c in CRITERIA]


@pytest.mark.parametrize(("change", "expected"), [
    ({"delivery_days": 91}, "Delivery time: must be between 0 and 90."),
    ({"delivery_days": -1}, "Delivery time: must be between 0 and 90."),
    ({"warranty": "24"}, "Warranty (months): answer with a number."),
    ({"warranty": None}, "Warranty (months): answer with a number."),
    ({"warranty": [24]}, "Warranty (months): answer with a number."),
    ({"service_rating": 3.5}, "Service rating: a rating is a whole number."),
    ({"service_rating": 6}, "Service rating: must be between 1 and 5."),
    ({"service_rating": True}, "Service rating: answer with a number."),
    ({"class_certified": 1}, "Class-certified: answer true or false."),
    ({"class_certified": "yes"}, "Class-certified: answer true or false."),
    ({"speed": 20}, "\"speed\" is not a criterion of this RFQ."),
])
def test_criteria_responses_valid(api, multi, change, expected):
    attempt = Refusal(multi)
    error = refused(criteria_quote(api, multi, {**GOOD_CRITERIA, **change}), "criteria_responses_valid")
    assert messages(error, "criteria_responses_valid") == expected
    attempt.check(error)


def test_missing_criteria_are_each_named_with_everything_else_wrong(api, multi):
    attempt = Refusal(multi)
    error = refused(criteria_quote(api, multi, {"delivery_days": 99, "colour": "red"}), "criteria_responses_valid")
    assert [v["message"] for v in error["violations"]] == [
        "\"colour\" is not a criterion of this RFQ.", "Delivery time: must be between 0 and 90.",
        "Answer the criterion \"Warranty (months)\".", "Answer the criterion \"Service rating\".",
        "Answer the criterion \"Class-certified\"."]
    attempt.check(error)


def test_criteria_without_any_answer(api, multi):
    error = refused(quote(api, "supplier1", multi, dict.fromkeys(items(multi), "10.00")), "criteria_responses_valid")
    assert len(error["violations"]) == len(CRITERIA)


def test_criteria_on_a_plain_sealed_tender_are_not_judged(api, demo):
    """Only a multi-attribute auction has criteria to answer; a sealed tender does not judge them."""
    rfq = sealed_auction(demo)
    created(quote(api, "supplier1", rfq, dict.fromkeys(items(rfq), "10.00"), criteria={"speed": 3}))
