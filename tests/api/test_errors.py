"""api.md "Errors": one body shape for every 4xx, 400 for any malformed input, never a 5xx,
and a refused request stores nothing."""
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import rfq_payload

from .helpers import assert_error, field_messages, stored_counts

RFQS = "/api/v1/rfqs/"


@pytest.fixture
def refused(buyer):
    """POST an RFQ body as the buyer, expect a 400 in the error format, and nothing stored."""

    def post(body, *, content_type=None, status=400, code="invalid"):
        before = stored_counts()
        if content_type is None:
            response = buyer.post(RFQS, body, format="json")
        else:
            response = buyer.generic("POST", RFQS, body, content_type=content_type)
        error = assert_error(response, status, code)
        assert stored_counts() == before
        return error

    return post


def reverse_auction(**settings):
    return {"type": "REVERSE_AUCTION", "settings": settings}


# --- Malformed bodies -----------------------------------------------------------------------

@pytest.mark.parametrize("raw", ['{"title": "x",', "{'title': 'single quotes'}", "not json at all", "\x00\xff"])
def test_malformed_json_is_400(refused, raw):
    error = refused(raw, content_type="application/json", code="malformed_request")
    assert "JSON" in error["message"]


@pytest.mark.parametrize("raw", ["[]", '[{"title": "x"}]', '"a string"', "42", "null"])
def test_a_body_that_is_not_an_object_is_400(refused, raw):
    error = refused(raw, content_type="application/json")
    assert "JSON object" in error["message"]


@pytest.mark.parametrize("where", ["category", "settings key", "line item"])
def test_a_nul_character_anywhere_in_the_body_is_400(refused, where):
    # PostgreSQL text cannot hold it: a NUL in a looked-up slug or a settings key was a 500.
    body = rfq_payload()
    if where == "category":
        body["category"] = "\x00provisions"
    elif where == "settings key":
        body["auction"] = {"type": "SEALED_BID", "settings": {"\x00": {}}}
    else:
        body["line_items"][0]["unit"] = "bag\x00"
    error = refused(json.dumps(body), content_type="application/json", code="malformed_request")
    assert "NUL" in error["message"]


def test_nan_literal_in_json_is_400(refused):
    # Python's json module would read NaN; the API must not.
    raw = '{"title": "x", "reserve_price": {"enabled": true, "amount": NaN}}'
    refused(raw, content_type="application/json", code="malformed_request")


def test_unsupported_media_type_is_415_in_the_error_format(buyer):
    response = buyer.generic("POST", RFQS, "title=x", content_type="text/plain")
    assert_error(response, 415, "unsupported_media_type")


@pytest.mark.parametrize("field, value, expected", [
    ("title", 12345, "title"),
    ("title", None, "title"),
    ("title", ["a"], "title"),
    ("line_items", "Rice 25kg", "line_items"),
    ("line_items", {"description": "Rice"}, "line_items"),
    ("auction", "SEALED_BID", "auction"),
    ("currency", 840, "currency"),
    ("bidding_deadline", 1767225600, "bidding_deadline"),
    ("bidding_deadline", "next tuesday", "bidding_deadline"),
    ("category", "not-a-category", "category"),
    ("delivery_port", "XXXXX", "delivery_port"),
    ("currency", "usd", "currency"),
    ("currency", "ZZZ", "currency"),
])
def test_wrong_types_are_400_naming_the_field(refused, field, value, expected):
    error = refused(rfq_payload(**{field: value}))
    assert expected in error["fields"], error


@pytest.mark.parametrize("quantity", [40.5, 1e3, "4e1", "-3", "0", "forty", True, "1" * 20])
def test_bad_line_item_quantity_is_400(refused, quantity):
    items = [{"description": "Rice 25kg", "quantity": quantity, "unit": "bag"}]
    error = refused(rfq_payload(line_items=items))
    assert field_messages(error, "line_items[0].quantity"), error


def test_float_quantity_message_asks_for_a_decimal_string(refused):
    items = [{"description": "Rice 25kg", "quantity": 40.5, "unit": "bag"}]
    error = refused(rfq_payload(line_items=items))
    assert "decimal string" in field_messages(error, "line_items[0].quantity")


def test_missing_required_fields_are_listed(refused):
    error = refused({"description": "only a description"})
    for name in ("title", "category", "currency", "delivery_port", "delivery_date", "bidding_deadline", "auction"):
        assert name in error["fields"], (name, error)


# --- Money ------------------------------------------------------------------------------------

def reserve(amount):
    return {"enabled": True, "amount": amount, "visibility": "hidden"}


@pytest.mark.parametrize("amount", [9000.5, 9000, 0.1])
def test_reserve_amount_as_json_number_is_400_with_a_field_message(refused, amount):
    error = refused(rfq_payload(reserve_price=reserve(amount)))
    assert "not a JSON number" in field_messages(error, "reserve_price.amount"), error


def test_starting_price_as_json_number_is_400_with_a_field_message(refused):
    error = refused(rfq_payload(auction=reverse_auction(starting_price=12000)))
    assert "not a JSON number" in field_messages(error, "auction.settings.starting_price"), error


@pytest.mark.parametrize("amount, currency, expected", [
    ("NaN", "USD", "plain decimal"),
    ("nan", "USD", "plain decimal"),
    ("Infinity", "USD", "plain decimal"),
    ("-Infinity", "USD", "plain decimal"),
    ("1e5", "USD", "plain decimal"),
    ("1,000.00", "USD", "plain decimal"),
    ("$100", "USD", "plain decimal"),
    ("", "USD", "plain decimal"),
    ("10.123", "USD", "at most 2 decimal"),
    ("10.5", "JPY", "at most 0 decimal"),
    ("10.1234", "KWD", "at most 3 decimal"),
    ("-100.00", "USD", "greater than zero"),
    ("0", "USD", "greater than zero"),
    ("0.00", "USD", "greater than zero"),
    ("1000000000.01", "USD", "maximum"),
    ("99999999999999999999999", "USD", "plain decimal"),
    ("123456789012345678", "USD", "maximum"),
])
def test_bad_reserve_amounts_are_400(refused, amount, currency, expected):
    error = refused(rfq_payload(currency=currency, reserve_price=reserve(amount)))
    assert expected in field_messages(error, "reserve_price"), error


def test_good_amounts_per_currency_are_accepted(buyer):
    for currency, amount in [("USD", "10.12"), ("JPY", "1500"), ("KWD", "10.125"), ("EUR", "1000000000")]:
        response = buyer.post(RFQS, rfq_payload(currency=currency, reserve_price=reserve(amount)), format="json")
        assert response.status_code == 201, (currency, response.content)


@pytest.mark.parametrize("auction_settings, field, expected", [
    ({"starting_price": "NaN"}, "starting_price", "plain decimal"),
    ({"starting_price": "1e5"}, "starting_price", "plain decimal"),
    ({"starting_price": "-5"}, "starting_price", "greater than zero"),
    ({"starting_price": "0"}, "starting_price", "greater than zero"),
    ({"starting_price": "100.555"}, "starting_price", "decimal place"),
    ({"starting_price": "5000000000"}, "starting_price", "maximum"),
    ({"minimum_decrement": 5}, "minimum_decrement", "not a JSON number"),
    ({"minimum_decrement": "0.001"}, "minimum_decrement", "decimal place"),
    ({"minimum_decrement": "60", "decrement_type": "PERCENTAGE"}, "minimum_decrement", "at most 50"),
    ({"starting_price": "100.00", "minimum_decrement": "100.00"}, "minimum_decrement", "smaller than"),
    ({"bogus_setting": True}, "bogus_setting", "Unknown setting"),
])
def test_bad_reverse_auction_settings_are_400(refused, auction_settings, field, expected):
    error = refused(rfq_payload(auction=reverse_auction(**auction_settings)))
    assert expected in field_messages(error, f"auction.settings.{field}"), error


def test_jpy_starting_price_with_decimals_is_400(refused):
    error = refused(rfq_payload(currency="JPY", reserve_price={"enabled": False},
                                auction=reverse_auction(starting_price="1000.5")))
    assert "JPY amounts have at most 0" in field_messages(error, "auction.settings.starting_price"), error


# --- Auction configuration ------------------------------------------------------------------

def test_unknown_auction_type_is_400_naming_it(refused):
    error = refused(rfq_payload(auction={"type": "DUTCH_AUCTION", "settings": {}}))
    assert "DUTCH_AUCTION" in error["message"]
    assert "DUTCH_AUCTION" in field_messages(error, "auction.type")


def test_settings_that_are_not_an_object_are_400(refused):
    error = refused(rfq_payload(auction={"type": "SEALED_BID", "settings": ["pricing"]}))
    assert field_messages(error, "auction.settings")


AHP_CONSISTENT = [[1, 3, 5, 7], ["1/3", 1, 3, 5], ["1/5", "1/3", 1, 3], ["1/7", "1/5", "1/3", 1]]
# Reciprocal but contradictory: price ≫ delivery ≫ warranty, yet warranty ≫ price.
AHP_INCONSISTENT = [[1, 9, 9, "1/9"], ["1/9", 1, 9, 9], ["1/9", "1/9", 1, 9], [9, "1/9", "1/9", 1]]


def ahp_auction(matrix):
    return {"type": "MULTI_ATTRIBUTE", "settings": {
        "scoring_method": "AHP", "price_weight": 50, "allow_partial_bids": False,
        "criteria": [
            {"id": "delivery_days", "name": "Delivery time", "weight": 30, "type": "NUMERIC",
             "higher_is_better": False, "min_value": 0, "max_value": 60},
            {"id": "warranty", "name": "Warranty (months)", "weight": 20, "type": "NUMERIC",
             "higher_is_better": True, "min_value": 0, "max_value": 60},
            {"id": "class_certified", "name": "Class-certified", "weight": 10, "type": "BOOLEAN",
             "higher_is_better": True}],
        "pairwise": {"order": ["price", "delivery_days", "warranty", "class_certified"], "matrix": matrix}}}


def test_ahp_with_an_inconsistent_matrix_is_400_with_the_consistency_ratio(refused):
    error = refused(rfq_payload(auction=ahp_auction(AHP_INCONSISTENT)))
    assert "consistency ratio" in error["message"]
    # The ratio itself is in the message, as a number.
    ratio = error["message"].split("consistency ratio ")[1].split()[0]
    assert float(ratio) >= 0.10


def test_ahp_api_md_example_is_accepted(buyer):
    from auctions.mechanisms.fields import parse_ratio
    from auctions.mechanisms.multi_attribute import ahp_weights

    response = buyer.post(RFQS, rfq_payload(auction=ahp_auction(AHP_CONSISTENT)), format="json")
    assert response.status_code == 201, response.content
    settings = response.json()["auction"]["settings"]
    assert settings["scoring_method"] == "AHP"
    assert settings["pairwise"]["order"] == ["price", "delivery_days", "warranty", "class_certified"]
    assert settings["pairwise"]["matrix"] == AHP_CONSISTENT
    weights, ratio = ahp_weights([[parse_ratio(v) for v in row] for row in AHP_CONSISTENT])
    assert ratio < 0.10
    assert weights == sorted(weights, reverse=True)  # price first, class certificate last


@pytest.mark.parametrize("matrix, expected", [
    ([[1, 3, 5, 7], [3, 1, 3, 5], ["1/5", "1/3", 1, 3], ["1/7", "1/5", "1/3", 1]], "reciprocal"),
    ([[2, 3, 5, 7], ["1/3", 1, 3, 5], ["1/5", "1/3", 1, 3], ["1/7", "1/5", "1/3", 1]], "diagonal"),
    ([[1, 3, 5], ["1/3", 1, 3], ["1/5", "1/3", 1]], "4×4"),
    ([[1, 30, 5, 7], ["1/30", 1, 3, 5], ["1/5", "1/3", 1, 3], ["1/7", "1/5", "1/3", 1]], "Saaty"),
    ([[1, "3/0", 5, 7], ["1/3", 1, 3, 5], ["1/5", "1/3", 1, 3], ["1/7", "1/5", "1/3", 1]], "zero denominator"),
    ([[1, "x", 5, 7], ["1/3", 1, 3, 5], ["1/5", "1/3", 1, 3], ["1/7", "1/5", "1/3", 1]], "decimal"),
    ([[1, None, 5, 7], ["1/3", 1, 3, 5], ["1/5", "1/3", 1, 3], ["1/7", "1/5", "1/3", 1]], "null"),
    ([[1, True, 5, 7], ["1/3", 1, 3, 5], ["1/5", "1/3", 1, 3], ["1/7", "1/5", "1/3", 1]], "number"),
])
def test_ahp_malformed_matrices_are_400(refused, matrix, expected):
    error = refused(rfq_payload(auction=ahp_auction(matrix)))
    assert expected in field_messages(error, "auction.settings.pairwise"), error


def test_ahp_without_a_matrix_is_400(refused):
    auction = ahp_auction(AHP_CONSISTENT)
    del auction["settings"]["pairwise"]
    error = refused(rfq_payload(auction=auction))
    assert "pairwise" in field_messages(error, "auction.settings.pairwise")


# --- Dates ------------------------------------------------------------------------------------

def test_deadline_in_the_past_is_400(refused):
    past = (timezone.now() - timedelta(hours=1)).isoformat()
    error = refused(rfq_payload(bidding_deadline=past))
    assert "a minute from now" in field_messages(error, "bidding_deadline")


def test_opening_after_the_deadline_is_400(refused):
    payload = rfq_payload()
    opens = (timezone.now() + timedelta(days=30)).isoformat()
    error = refused({**payload, "bidding_opens_at": opens})
    assert "before the deadline" in field_messages(error, "bidding_opens_at")


def test_delivery_before_the_deadline_is_400(refused):
    error = refused(rfq_payload(delivery_date=timezone.localdate().isoformat()))
    assert field_messages(error, "delivery_date")


# --- Invitations --------------------------------------------------------------------------

@pytest.fixture
def draft_id(buyer):
    response = buyer.post(RFQS, rfq_payload(), format="json")
    assert response.status_code == 201
    return response.json()["id"]


def test_unknown_supplier_ids_are_400_naming_them(buyer, demo, draft_id):
    before = stored_counts()
    ok = demo.supplier(1).pk
    response = buyer.post(f"/api/v1/rfqs/{draft_id}/invitations/", {"supplier_ids": [ok, 987654]}, format="json")
    error = assert_error(response, 400, "invalid")
    assert "987654" in error["message"]
    assert "987654" in field_messages(error, "supplier_ids")
    # All or nothing: the valid supplier was not invited either.
    assert stored_counts() == before


@pytest.mark.parametrize("body", [
    {"supplier_ids": []}, {"supplier_ids": "1,2"}, {"supplier_ids": [0]}, {"supplier_ids": ["x"]},
    {"supplier_ids": [1.5]}, {}, [1, 2],
])
def test_malformed_invitation_bodies_are_400(buyer, draft_id, body):
    before = stored_counts()
    response = buyer.post(f"/api/v1/rfqs/{draft_id}/invitations/", body, format="json")
    assert_error(response, 400, "invalid")
    assert stored_counts() == before


# --- Auth and routing ---------------------------------------------------------------------

@pytest.mark.parametrize("method, path", [
    ("get", "/api/v1/rfqs/"), ("post", "/api/v1/rfqs/"), ("get", "/api/v1/rfqs/1/"),
    ("post", "/api/v1/rfqs/1/publish/"), ("get", "/api/v1/suppliers/"), ("get", "/api/v1/suppliers/me/"),
    ("get", "/api/v1/invitations/"), ("get", "/api/v1/audit/verify/"), ("get", "/api/v1/auth/me/"),
])
def test_unauthenticated_is_401(api, method, path):
    before = stored_counts()
    response = getattr(api(None), method)(path, {}, format="json") if method == "post" else api(None).get(path)
    error = assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Token")
    assert error["message"]
    assert stored_counts() == before


def test_a_bad_token_is_401(api):
    client = api(None)
    client.credentials(HTTP_AUTHORIZATION="Token 0000000000000000000000000000000000000000")
    assert_error(client.get("/api/v1/rfqs/"), 401, "authentication_failed")


@pytest.mark.parametrize("path", ["/api/v1/does-not-exist/", "/api/v1/rfqs/abc/", "/api/v1/rfqs/1/frobnicate/",
                                  "/api/v2/rfqs/"])
def test_unknown_api_path_is_404_in_the_error_format(api, path):
    assert_error(api("buyer").get(path), 404, "not_found")
    assert_error(api(None).get(path), 404, "not_found")


def test_unknown_rfq_is_404(buyer):
    assert_error(buyer.get("/api/v1/rfqs/99999999/"), 404, "not_found")
    assert_error(buyer.post("/api/v1/rfqs/99999999/publish/", {}, format="json"), 404, "not_found")


def test_wrong_method_is_405_in_the_error_format(buyer):
    assert_error(buyer.delete("/api/v1/rfqs/"), 405, "method_not_allowed")
    assert_error(buyer.put("/api/v1/suppliers/me/", {}, format="json"), 405, "method_not_allowed")


def test_bad_query_parameters_are_400(buyer, api):
    assert_error(buyer.get("/api/v1/rfqs/?status=bogus"), 400, "invalid")
    assert_error(buyer.get("/api/v1/suppliers/?kyc_status=bogus"), 400, "invalid")
    assert_error(api("compliance").get("/api/v1/audit/verify/?rfq=abc"), 400, "invalid")
    assert_error(api("compliance").get("/api/v1/audit/events/?rfq=-1"), 400, "invalid")


def test_an_id_beyond_64_bits_is_400_not_a_driver_overflow(buyer, draft_id):
    before = stored_counts()
    response = buyer.post(f"/api/v1/rfqs/{draft_id}/invitations/", {"supplier_ids": [2**64]}, format="json")
    error = assert_error(response, 400, "invalid")
    assert "supplier_ids[0]" in error["fields"]
    assert stored_counts() == before
    # Path ids that large are simply not found; a body id beyond the schema's maximum is a 400.
    assert_error(buyer.get(f"/api/v1/rfqs/{2**64}/"), 404)
    assert_error(buyer.post(f"/api/v1/rfqs/{draft_id}/award/", {"bid_id": 2**64}, format="json"), 400)
