"""The served schema tells the truth (issue 11, finding 5, and what the schema fuzz found).

Each test pins one finding: the schema now says what the code does, or the code now refuses
what the schema excludes.
"""
import re

import jsonschema
import pytest
from rest_framework.test import APIClient

from common.schema import NOT_BLANK_PATTERN

from .helpers import assert_error, create_draft, rfq_in_state

ID_MAX = 2**63 - 1


@pytest.fixture(scope="module")
def served(django_db_blocker, _demo_world):
    with django_db_blocker.unblock():
        response = APIClient().get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def operation(schema, path, method="get"):
    return schema["paths"][f"/api/v1/{path}"][method]


def validator(schema, ref_or_schema: dict) -> jsonschema.Draft4Validator:
    """A validator for one response schema, resolving the document's $refs (nullable is 3.0's)."""
    document = {**ref_or_schema, "components": schema["components"]}
    return jsonschema.Draft4Validator(_nullable(document))


def _nullable(node):
    if isinstance(node, dict):
        node = {key: _nullable(value) for key, value in node.items()}
        if node.pop("nullable", False) and "type" in node:
            node["type"] = [node["type"], "null"]
        if node.get("nullable") is False:
            node.pop("nullable")
        return node
    if isinstance(node, list):
        return [_nullable(item) for item in node]
    return node


def body_schema(schema, path, status="200", method="get", media="application/json"):
    return operation(schema, path, method)["responses"][status]["content"][media]["schema"]


def resolve_validator(schema, path, status="200", method="get"):
    return validator(schema, body_schema(schema, path, status, method))


# --- finding 5: response bodies ---------------------------------------------------------------

def test_sealed_bids_before_close_are_documented_and_conform(served, demo, api):
    rfq_id = rfq_in_state(demo, "open")  # sealed bid: the buyer sees only the count
    response = api("buyer").get(f"/api/v1/rfqs/{rfq_id}/bids/")
    assert response.json() == {"sealed": True, "count_submitted": 0}
    check = resolve_validator(served, "rfqs/{id}/bids/")
    check.validate(response.json())
    check.validate([])  # and the bids themselves, after the close, are an array
    one_of = served["components"]["schemas"]["BidList"]["oneOf"]
    assert {"type": "array", "items": {"$ref": "#/components/schemas/BidOutput"}} in one_of


def test_events_are_an_array_of_live_events(served, demo, api):
    rfq_id = rfq_in_state(demo, "paused")
    events = api("buyer").get(f"/api/v1/rfqs/{rfq_id}/events/?since=0").json()
    assert isinstance(events, list) and events
    schema = body_schema(served, "rfqs/{id}/events/")
    assert schema["type"] == "array"
    validator(served, schema).validate(events)


def test_the_event_stream_is_documented_as_server_sent_events(served):
    responses = operation(served, "rfqs/{id}/events/stream/")["responses"]
    assert list(responses["200"]["content"]) == ["text/event-stream"]
    assert "421" in responses and list(responses["421"]["content"]) == ["application/json"]


def test_a_bad_last_event_id_is_400_even_where_the_stream_is_not_served(demo, api):
    rfq_id = rfq_in_state(demo, "open")
    client = api("buyer")
    assert_error(client.get(f"/api/v1/rfqs/{rfq_id}/events/stream/", HTTP_LAST_EVENT_ID="x"), 400)
    assert_error(client.get(f"/api/v1/rfqs/{rfq_id}/events/stream/?since=-1"), 400)
    assert_error(client.get(f"/api/v1/rfqs/{rfq_id}/events/stream/"), 421, "misdirected_request")


def test_state_and_evaluation_bodies_conform(served, demo, api):
    rfq_id = rfq_in_state(demo, "evaluation")
    for username in ("buyer", "compliance"):
        client = api(username)
        resolve_validator(served, "rfqs/{id}/state/").validate(client.get(f"/api/v1/rfqs/{rfq_id}/state/").json())
        resolve_validator(served, "rfqs/{id}/evaluation/").validate(
            client.get(f"/api/v1/rfqs/{rfq_id}/evaluation/").json())
        resolve_validator(served, "rfqs/{id}/fairness-report/").validate(
            client.get(f"/api/v1/rfqs/{rfq_id}/fairness-report/").json())


# --- finding 5: error statuses ----------------------------------------------------------------

@pytest.mark.parametrize("path", ["rfqs/{id}/evaluation/", "rfqs/{id}/fairness-report/"])
def test_409_before_the_close_is_documented(served, demo, api, path):
    responses = operation(served, path)["responses"]
    assert responses["409"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorSchema"}
    rfq_id = rfq_in_state(demo, "open")
    assert_error(api("buyer").get(f"/api/v1/{path.format(id=rfq_id)}"), 409)


def test_verify_documents_its_404_for_an_unknown_rfq(served, api):
    """Found by the fuzz: ?rfq= naming nothing is a 404 the schema did not list."""
    assert "404" in operation(served, "audit/verify/")["responses"]
    assert_error(api("compliance").get("/api/v1/audit/verify/?rfq=987654321"), 404, "not_found")


def test_every_error_status_has_the_error_body_and_json_only(served):
    for path, operations in served["paths"].items():
        for method, op in operations.items():
            for status, response in op["responses"].items():
                if status.startswith("4"):
                    assert response["content"] == {
                        "application/json": {"schema": {"$ref": "#/components/schemas/ErrorSchema"}}}, (method, path, status)


def test_error_statuses_follow_what_the_operation_can_raise(served):
    assert set(operation(served, "auth/token/", "post")["responses"]) == {"200", "400", "415", "429"}
    assert {"401", "403", "404"} <= set(operation(served, "rfqs/{id}/")["responses"])
    assert "400" not in operation(served, "rfqs/{id}/")["responses"]  # nothing to validate
    bid = operation(served, "rfqs/{id}/bids/", "post")["responses"]
    assert {"400", "404", "409", "422", "429"} <= set(bid)
    assert bid["429"]["headers"]["Retry-After"]["required"] is True


# --- finding 5: parameter constraints -----------------------------------------------------------

def parameter(served, path, name, method="get"):
    return next(p for p in operation(served, path, method)["parameters"] if p["name"] == name)


def test_since_is_a_seq_and_path_ids_are_positive_bigints(served):
    assert parameter(served, "rfqs/{id}/events/", "since")["schema"]["minimum"] == 0
    assert parameter(served, "rfqs/{id}/events/stream/", "Last-Event-ID")["schema"]["minimum"] == 0
    for path, operations in served["paths"].items():
        for op in operations.values():
            for p in op.get("parameters", []):
                if p["in"] == "path":
                    assert p["schema"] == {"type": "integer", "minimum": 1, "maximum": ID_MAX}, (path, p)
    assert parameter(served, "audit/events/", "rfq")["schema"]["minimum"] == 1


def test_reopen_documents_its_deadline(served):
    deadline = served["components"]["schemas"]["ReopenInputRequest"]["properties"]["bidding_deadline"]
    assert deadline["format"] == "date-time" and "future" in deadline["description"]


@pytest.mark.parametrize("url, username", [
    ("/api/v1/rfqs/?status=", "buyer"),
    ("/api/v1/suppliers/?kyc_status=", "buyer"),
    ("/api/v1/suppliers/?category=", "buyer"),
    ("/api/v1/audit/events/?rfq=", "compliance"),
    ("/api/v1/audit/verify/?rfq=-1", "compliance"),
    ("/api/v1/audit/events/?rfq=" + "9" * 5000, "compliance"),
    ("/api/v1/rfqs/?offset=" + "9" * 5000, "buyer"),  # was a 500: too many digits for int()
    ("/api/v1/rfqs/?limit=", "buyer"),
])
def test_an_empty_or_out_of_schema_filter_is_400(api, url, username):
    assert_error(api(username).get(url), 400)


def test_an_empty_report_format_is_400(demo, api):
    rfq_id = rfq_in_state(demo, "evaluation")
    assert_error(api("buyer").get(f"/api/v1/rfqs/{rfq_id}/fairness-report/?format="), 400)


# --- finding 5: request bodies outside the schema -------------------------------------------------

@pytest.mark.parametrize("transition", ["pause", "cancel"])
@pytest.mark.parametrize("reason", [0, True, ["x"], {"x": 1}])
def test_a_non_string_reason_is_400(demo, api, transition, reason):
    rfq_id = rfq_in_state(demo, "open")
    error = assert_error(api("buyer").post(f"/api/v1/rfqs/{rfq_id}/{transition}/", {"reason": reason},
                                           format="json"), 400)
    assert "reason" in error["fields"]


def test_non_string_reasons_elsewhere_are_400(demo, api):
    supplier = demo.supplier(5).pk
    assert_error(api("compliance").post(f"/api/v1/suppliers/{supplier}/kyc/reject/", {"reason": 0},
                                        format="json"), 400)
    draft = create_draft(demo, suppliers=(1,))
    assert_error(api("buyer").post(f"/api/v1/rfqs/{draft}/invitations/", {"supplier_ids": ["1"]},
                                   format="json"), 400)


def test_award_takes_an_integer_bid_id_only(demo, api):
    rfq_id = rfq_in_state(demo, "evaluation")
    for bid_id in ("1", 1.0, True):
        assert_error(api("buyer").post(f"/api/v1/rfqs/{rfq_id}/award/", {"bid_id": bid_id}, format="json"), 400)


def test_a_kyc_rejection_requires_its_reason_in_the_schema_too(served, demo, api):
    reject = served["components"]["schemas"]["KycRejectInputRequest"]
    assert reject["required"] == ["reason"] and reject["properties"]["reason"]["pattern"] == NOT_BLANK_PATTERN
    approve = served["components"]["schemas"]["KycDecisionInputRequest"]
    assert "required" not in approve
    supplier = demo.supplier(5).pk
    for blank in ("  ", "\x1e", "\x85"):  # Python's whitespace, which ECMA-262's \s is not all of
        assert not re.search(NOT_BLANK_PATTERN, blank)
        assert_error(api("compliance").post(f"/api/v1/suppliers/{supplier}/kyc/reject/", {"reason": blank},
                                            format="json"), 400)


def test_split_award_evaluation_outcome_and_report_conform(served, demo, api):
    """The allocation keys of a split award's evaluation, the outcome and the report's outcome
    section are what the schema says (the fuzz world has no split award)."""
    from tests.engine.test_split_awards import close_and_evaluate, split_auction, split_quotes

    rfq = split_auction(demo)
    split_quotes(api, rfq)
    resolve_validator(served, "rfqs/{id}/evaluation/").validate(close_and_evaluate(api, rfq))
    api("buyer").post(f"/api/v1/rfqs/{rfq}/evaluate/", {}, format="json")
    assert api("buyer").post(f"/api/v1/rfqs/{rfq}/award/", {"allocation": "recommended"},
                             format="json").status_code == 200
    for user in ("supplier1", "supplier3"):
        resolve_validator(served, "rfqs/{id}/outcome/").validate(
            api(user).get(f"/api/v1/rfqs/{rfq}/outcome/").json())
    resolve_validator(served, "rfqs/{id}/fairness-report/").validate(
        api("buyer").get(f"/api/v1/rfqs/{rfq}/fairness-report/").json())
