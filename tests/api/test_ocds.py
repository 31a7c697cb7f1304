"""OCDS 1.1 export (api.md "OCDS export"): a release per stage, valid against the schema fixture
written from the published standard (tests/fixtures/ocds/), bids only after close, the award's
amount equal to the awarded total, and only the buyer organisation and compliance may export."""
import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from jsonschema import Draft4Validator

from auctions.models import AwardPayment
from procurement.checks import ocds_prefix_shape
from rfqs.models import RFQ
from tests.engine.helpers import bid, created, quote, reverse_auction, sealed_auction, set_deadline, transition
from tests.engine.split_helpers import close_and_evaluate, split_auction, split_quotes
from tests.factories import move_deadline_into_past

from .helpers import assert_error, create_draft, mentions_amount, parse_time

SCHEMA = json.loads((Path(__file__).parents[1] / "fixtures" / "ocds" / "release-package-schema.json").read_text())
RELEASE_PACKAGE = Draft4Validator(SCHEMA)
RECORD_PACKAGE = Draft4Validator({"definitions": SCHEMA["definitions"], "$ref": "#/definitions/RecordPackage"})


def problems(validator, body) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(body)]


def package(api, rfq, user="buyer") -> dict:
    response = api(user).get(f"/api/v1/rfqs/{rfq}/ocds/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert problems(RELEASE_PACKAGE, body) == []
    assert body["version"] == "1.1" and body["publisher"] == {"name": "Quayside"}
    return body


def record(api, rfq, user="buyer") -> dict:
    response = api(user).get(f"/api/v1/rfqs/{rfq}/ocds/record/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert problems(RECORD_PACKAGE, body) == []
    return body


def tags(body) -> list[str]:
    return [tag for release in body["releases"] for tag in release["tag"]]


def awarded_total(rfq) -> Decimal:
    return sum(AwardPayment.objects.filter(rfq_id=rfq).values_list("payment", flat=True), Decimal(0))


def award_and_evaluate(api, rfq, body):
    assert transition(api, "buyer", rfq, "evaluate").json()["status"] == "evaluation"
    response = api("buyer").post(f"/api/v1/rfqs/{rfq}/award/", body, format="json")
    assert response.status_code == 200, response.content


def test_reverse_auction_every_stage_validates_and_the_award_is_the_awarded_total(api, demo):
    rfq = reverse_auction(demo)
    set_deadline(rfq, 120)  # inside the anti-sniping trigger: the bid extends the deadline
    created(bid(api, "supplier1", rfq, "9500.00"))
    open_package = package(api, rfq)
    assert tags(open_package)[:2] == ["tender", "tenderUpdate"]
    extended = open_package["releases"][-1]
    deadline = parse_time(api("buyer").get(f"/api/v1/rfqs/{rfq}/").json()["bidding_deadline"])
    # The audit trail keeps times to the millisecond (DjangoJSONEncoder).
    assert abs(parse_time(extended["tender"]["tenderPeriod"]["endDate"]) - deadline) < timedelta(milliseconds=1)
    assert all("bids" not in release and "tenderers" not in release["tender"] for release in open_package["releases"])
    assert not mentions_amount(json.dumps(open_package), "9500")  # no bid before close
    winner = created(bid(api, "supplier2", rfq, "9000.00"))
    move_deadline_into_past(rfq)
    assert transition(api, "buyer", rfq, "close").status_code == 200
    award_and_evaluate(api, rfq, {"bid_id": winner["id"]})

    body = package(api, rfq)
    assert tags(body)[0] == "tender" and tags(body)[-2:] == ["tenderUpdate", "award"]
    assert len({release["id"] for release in body["releases"]}) == len(body["releases"])
    award_release = body["releases"][-1]
    assert award_release["ocid"] == f"ocds-qysd00-{RFQ.objects.get(pk=rfq).reference}"
    [award] = award_release["awards"]
    assert award["value"] == {"amount": 9000.0, "currency": "USD"}
    assert Decimal(str(award["value"]["amount"])) == awarded_total(rfq) == Decimal("9000")
    supplier2 = f"QS-SUPPLIER-{demo.supplier(2).pk}"
    assert award["suppliers"][0]["id"] == supplier2
    assert sorted((b["tenderers"][0]["id"], b["value"]["amount"], b["status"]) for b in
                  award_release["bids"]["details"]) == sorted([
                      (f"QS-SUPPLIER-{demo.supplier(1).pk}", 9500.0, "valid"), (supplier2, 9000.0, "valid")])
    roles = {party["id"]: party["roles"] for party in award_release["parties"]}
    assert roles[supplier2] == ["tenderer", "supplier"] and ["buyer"] in roles.values()
    # Stable: the same releases on every fetch (dated by their audit events).
    assert package(api, rfq, "compliance")["releases"] == body["releases"]

    compiled = record(api, rfq)["records"][0]["compiledRelease"]
    assert compiled["tag"] == ["compiled"] and compiled["tender"]["status"] == "complete"
    assert [a["value"]["amount"] for a in compiled["awards"]] == [9000.0]


def test_sealed_bids_appear_only_after_close(api, demo):
    rfq = sealed_auction(demo)
    rice, flour = RFQ.objects.get(pk=rfq).line_items.order_by("position").values_list("pk", flat=True)
    created(quote(api, "supplier1", rfq, {rice: "10.00", flour: "5.00"}))  # 500
    created(quote(api, "supplier2", rfq, {rice: "12.00", flour: "6.00"}))  # 600
    before = package(api, rfq)
    assert tags(before) == ["tender"]
    assert "bids" not in before["releases"][0] and not mentions_amount(json.dumps(before), "500")
    items = before["releases"][0]["tender"]["items"]
    assert items[0]["classification"] == {"scheme": "IMPA", "id": "000101"} and "classification" not in items[1]
    move_deadline_into_past(rfq)
    assert transition(api, "buyer", rfq, "close").status_code == 200
    after = package(api, rfq)
    assert tags(after) == ["tender", "tenderUpdate"]
    closed = after["releases"][-1]
    assert closed["tender"]["status"] == "complete" and closed["tender"]["numberOfTenderers"] == 2
    assert sorted(b["value"]["amount"] for b in closed["bids"]["details"]) == [500.0, 600.0]
    assert "bids" not in after["releases"][0]  # the tender release still says what it said


def test_split_award_is_one_award_per_supplier_with_its_allocated_lines(api, demo):
    rfq = split_auction(demo)
    split_quotes(api, rfq)
    close_and_evaluate(api, rfq)
    award_and_evaluate(api, rfq, {"allocation": "recommended"})
    awards = package(api, rfq)["releases"][-1]["awards"]
    s1, s2 = (f"QS-SUPPLIER-{demo.supplier(n).pk}" for n in (1, 2))
    by_supplier = {a["suppliers"][0]["id"]: a for a in awards}
    assert {k: a["value"]["amount"] for k, a in by_supplier.items()} == {s1: 420.0, s2: 200.0}  # VCG payments
    assert Decimal(str(sum(a["value"]["amount"] for a in awards))) == awarded_total(rfq) == Decimal("620")
    assert sorted((i["id"], i["quantity"], i["unit"]["value"]["amount"]) for i in by_supplier[s1]["items"]) == [
        ("1", 30.0, 10.0), ("2", 10.0, 8.0)]
    assert sorted((i["id"], i["quantity"]) for i in by_supplier[s2]["items"]) == [("1", 10.0), ("2", 10.0)]
    compiled = record(api, rfq)["records"][0]["compiledRelease"]
    assert sorted(a["value"]["amount"] for a in compiled["awards"]) == [200.0, 420.0]


def test_pause_resume_and_cancel_are_releases(api, demo):
    rfq = reverse_auction(demo)
    assert transition(api, "buyer", rfq, "pause").status_code == 200
    assert transition(api, "buyer", rfq, "resume").status_code == 200  # the pause moved the deadline
    response = api("buyer").post(f"/api/v1/rfqs/{rfq}/cancel/", {"reason": "Vessel sold."}, format="json")
    assert response.status_code == 200
    body = package(api, rfq)
    assert tags(body) == ["tender", "tenderUpdate", "tenderCancellation"]
    assert body["releases"][-1]["tender"]["status"] == "cancelled"
    assert body["releases"][1]["tender"]["tenderPeriod"]["endDate"] > body["releases"][0]["tender"]["tenderPeriod"][
        "endDate"]
    assert record(api, rfq)["records"][0]["compiledRelease"]["tender"]["status"] == "cancelled"


@pytest.mark.parametrize("path", ["ocds/", "ocds/record/"])
def test_only_the_buyer_organisation_and_compliance_export(api, demo, path):
    rfq = sealed_auction(demo, suppliers=(1, 2), accept=(1,))
    url = f"/api/v1/rfqs/{rfq}/{path}"
    assert api("buyer").get(url).status_code == 200 and api("compliance").get(url).status_code == 200
    assert_error(api("buyer2").get(url), 404)  # another tenant
    assert_error(api("supplier4").get(url), 404)  # not invited
    assert_error(api("supplier1").get(url), 403)  # invited: sees the RFQ, may not export it
    assert_error(api(None).get(url), 401)
    draft = create_draft(demo, suppliers=(1, 2))
    assert_error(api("buyer").get(f"/api/v1/rfqs/{draft}/{path}"), 409, "not_published")
    assert_error(api("buyer2").get(f"/api/v1/rfqs/{draft}/{path}"), 404)


def test_the_ocid_prefix_must_have_the_registered_shape(settings):
    assert ocds_prefix_shape(None) == []
    settings.QUAYSIDE = {**settings.QUAYSIDE, "OCDS_PREFIX": "ocds-toolong"}
    assert [error.id for error in ocds_prefix_shape(None)] == ["quayside.E002"]


def test_an_amended_deadline_is_a_tender_update_and_a_later_opening_starts_the_period(api, demo):
    from django.utils import timezone

    opens = timezone.now() + timedelta(hours=1)
    rfq_id = create_draft(demo, suppliers=(1, 2), bidding_opens_at=opens.isoformat())
    assert api("buyer").post(f"/api/v1/rfqs/{rfq_id}/publish/", {}, format="json").status_code == 200
    later = RFQ.objects.get(pk=rfq_id).bidding_deadline + timedelta(days=2)
    assert api("buyer").post(f"/api/v1/rfqs/{rfq_id}/amendments/", {
        "reason": "Two more days.", "bidding_deadline": later.isoformat()}, format="json").status_code == 201
    body = package(api, rfq_id)
    assert tags(body) == ["tender", "tenderUpdate"]
    tender, amended = (release["tender"] for release in body["releases"])
    assert abs(parse_time(tender["tenderPeriod"]["startDate"]) - opens) < timedelta(milliseconds=1)
    assert abs(parse_time(amended["tenderPeriod"]["endDate"]) - later) < timedelta(milliseconds=1)
    assert tender["status"] == "active" and tender["procurementMethod"] == "selective"
    assert "amendments" not in tender
    assert [(a["id"], a["rationale"]) for a in amended["amendments"]] == [("1", "Two more days.")]


def test_amended_lines_are_a_tender_amendment_and_the_tender_keeps_what_was_published(api, demo):
    from django.utils import timezone

    rfq_id = create_draft(demo, suppliers=(1, 2), bidding_opens_at=(timezone.now() + timedelta(hours=1)).isoformat())
    assert api("buyer").post(f"/api/v1/rfqs/{rfq_id}/publish/", {}, format="json").status_code == 200
    lines = [{"description": "Rice 25kg", "quantity": "45", "unit": "bag", "impa_code": "000101"},
             {"description": "Flour 10kg", "quantity": "20", "unit": "bag"},
             {"description": "Sugar 1kg", "quantity": "10", "unit": "kg"}]
    assert api("buyer").post(f"/api/v1/rfqs/{rfq_id}/amendments/", {
        "reason": "Sugar added.", "line_items": lines, "description": "Stores, with sugar."},
        format="json").status_code == 201
    body = package(api, rfq_id)
    assert tags(body) == ["tender", "tenderAmendment"]
    published, amended = (release["tender"] for release in body["releases"])
    assert [(i["description"], i["quantity"]) for i in published["items"]] == [("Rice 25kg", 40.0), ("Flour 10kg", 20.0)]
    assert published["description"] == "Monthly stores."
    assert [(i["id"], i["quantity"]) for i in amended["items"]] == [("1", 45.0), ("2", 20.0), ("3", 10.0)]
    assert amended["items"][0]["classification"] == {"scheme": "IMPA", "id": "000101"}
    assert amended["description"] == "Stores, with sugar."
    assert amended["amendments"][0]["rationale"] == "Sugar added."
    assert "line items" in amended["amendments"][0]["description"]
    compiled = record(api, rfq_id)["records"][0]["compiledRelease"]
    assert len(compiled["tender"]["items"]) == 3 and compiled["tender"]["description"] == "Stores, with sugar."


def test_no_award_is_an_unsuccessful_tender(api, demo):
    rfq = reverse_auction(demo)
    move_deadline_into_past(rfq)
    assert transition(api, "buyer", rfq, "close").status_code == 200
    assert transition(api, "buyer", rfq, "evaluate").json()["status"] == "no_award"
    body = package(api, rfq)
    assert tags(body) == ["tender", "tenderUpdate", "tenderUpdate"]
    assert [r["tender"]["status"] for r in body["releases"]] == ["active", "complete", "unsuccessful"]
    assert body["releases"][-1]["bids"] == {"details": []} and "awards" not in body["releases"][-1]
