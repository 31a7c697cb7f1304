"""Split and bundle awards (product.md §7, api.md "Split and bundle awards"): settings, quote
validation, sealing, the evaluation against hand-worked examples, infeasible → no award, and
the award of the allocation (gate, audit, stored outcome); the pages in test_split_award_pages.py."""
from decimal import Decimal

import pytest
from django.core import mail

from auctions.models import AwardLine, AwardPayment
from audit.models import AuditEvent
from rfqs.models import RFQ
from tests.factories import published_rfq, rfq_payload

from .helpers import created, items, quote, refused, transition
from .split_helpers import SPLIT, bundle_auction, bundles, close_and_evaluate, names, split_auction, split_quotes

# --- settings --------------------------------------------------------------------------------

@pytest.mark.parametrize(("auction", "field", "words"), [
    ({"type": "SEALED_BID", "settings": {"pricing": "VCG"}}, "pricing", "split award"),
    ({"type": "SEALED_BID", "settings": {"award_mode": "SPLIT", "pricing": "SECOND_PRICE"}}, "pricing", "SECOND_PRICE"),
    ({"type": "SEALED_BID", "settings": {"max_suppliers": 2}}, "max_suppliers", "split award"),
    ({"type": "SEALED_BID", "settings": {"award_mode": "SPLIT", "max_suppliers_per_line": 0}},
     "max_suppliers_per_line", "greater than or equal to 1"),
    ({"type": "SEALED_BID", "settings": {"award_mode": "HALF"}}, "award_mode", "not a valid choice"),
    ({"type": "COMBINATORIAL", "settings": {"pricing": "SECOND_PRICE"}}, "pricing", "not a valid choice"),
    ({"type": "COMBINATORIAL", "settings": {"max_bundles_per_quote": 0}}, "max_bundles_per_quote", "greater"),
])
def test_settings_are_validated_with_clear_messages(api, demo, auction, field, words):
    response = api("buyer").post("/api/v1/rfqs/", rfq_payload(auction=auction), format="json")
    assert response.status_code == 400, response.content
    messages = response.json()["error"]["fields"][f"auction.settings.{field}"]
    assert any(words in m for m in messages), messages


def test_settings_defaults_and_whole_quantities(api, demo):
    response = api("buyer").post("/api/v1/rfqs/", rfq_payload(auction={"type": "COMBINATORIAL"}), format="json")
    assert response.json()["auction"]["settings"] == {"allow_multiple_submissions": True, "minimum_bidders": 2,
                                                      "pricing": "FIRST_PRICE", "max_bundles_per_quote": 10,
                                                      "require_signed_bids": False}
    sealed = api("buyer").post("/api/v1/rfqs/", rfq_payload(auction={"type": "SEALED_BID"}), format="json").json()
    assert sealed["auction"]["settings"]["award_mode"] == "WHOLE"
    payload = rfq_payload(auction={"type": "SEALED_BID", "settings": SPLIT})
    payload["line_items"][0]["quantity"] = "2.5"
    response = api("buyer").post("/api/v1/rfqs/", payload, format="json")
    assert response.status_code == 400
    assert "whole number" in response.json()["error"]["fields"]["line_items"][0]


# --- quote validation ------------------------------------------------------------------------

def test_split_quantities_are_validated(api, demo):
    rfq = split_auction(demo)
    rice, flour = items(rfq)
    error = refused(quote(api, "supplier1", rfq, [
        {"line_item_id": rice, "unit_price": "10.00", "min_quantity": 30, "max_quantity": 20},
        {"line_item_id": flour, "unit_price": "8.00", "max_quantity": 21}]), "split_quantities_valid")
    assert "line_items[0].min_quantity" in error["message"] and "line_items[1].max_quantity" in error["message"]
    assert "10.00" not in error["message"]
    response = quote(api, "supplier1", rfq, [{"line_item_id": rice, "unit_price": "10.00", "max_quantity": 0}])
    assert response.status_code == 400
    assert quote(api, "supplier1", rfq, [{"line_item_id": rice, "unit_price": "10.00", "max_quantity": "5"}]
                 ).status_code == 400
    # Quantities only where the award is split.
    whole = published_rfq(demo, suppliers=(1, 2), accept=(1,), auction={"type": "SEALED_BID", "settings": {}})
    rice, flour = items(whole)
    refused(quote(api, "supplier1", whole, [{"line_item_id": rice, "unit_price": "1.00", "max_quantity": 5},
                                            {"line_item_id": flour, "unit_price": "1.00"}]), "split_quantities_valid")


def test_bundle_quotes_are_validated(api, demo):
    rfq = bundle_auction(demo, max_bundles_per_quote=2)
    rice, flour = items(rfq)
    refused(bundles(api, "supplier1", rfq, []), "bundles_valid")
    error = refused(bundles(api, "supplier1", rfq, [([rice, 999999], "10.00")]), "bundles_valid")
    assert "999999" in error["message"]
    refused(bundles(api, "supplier1", rfq, [([rice, flour], "10.00"), ([flour, rice], "9.00")]), "bundles_valid")
    refused(bundles(api, "supplier1", rfq, [([rice], "1.00"), ([flour], "1.00"), ([rice, flour], "2.00")]),
            "bundles_valid")
    refused(bundles(api, "supplier1", rfq, [([rice], "1.001")]), "amount_format")
    assert api("supplier1").post(f"/api/v1/rfqs/{rfq}/bids/", {"bundles": [{"line_item_ids": [rice]}]},
                                 format="json").status_code == 400
    assert created(bundles(api, "supplier1", rfq, [([rice, flour], "75.00"), ([rice], "40.00")]))["amount"] == "75.00"


# --- sealing ---------------------------------------------------------------------------------

# Prices whose whole part is over 59, so no timestamp (…:ss.ffffff) in the payloads can contain one.
SECRETS = ("75.31", "61.17", "\"bundles\"", "max_quantity", "min_quantity", "67.25")


def test_split_and_bundle_content_stays_sealed_until_close(api, login, demo):
    split = split_auction(demo)
    rice, flour = items(split)
    created(quote(api, "supplier1", split, [{"line_item_id": rice, "unit_price": "67.25", "max_quantity": 33,
                                             "min_quantity": 11}]))
    combo = bundle_auction(demo)
    created(bundles(api, "supplier1", combo, [(items(combo), "75.31"), (items(combo)[:1], "61.17")]))
    for rfq in (split, combo):
        for user in ("buyer", "compliance", "supplier2"):
            for path in (f"/api/v1/rfqs/{rfq}/", f"/api/v1/rfqs/{rfq}/bids/", f"/api/v1/rfqs/{rfq}/state/",
                         f"/api/v1/rfqs/{rfq}/events/", f"/api/v1/audit/events/?rfq={rfq}"):
                text = api(user).get(path).content.decode()
                assert not [s for s in SECRETS if s in text], (user, path)
        for user, path in (("buyer", f"/rfqs/{rfq}/"), ("supplier2", f"/supplier/rfqs/{rfq}/")):
            response = login(user).get(path)
            assert response.status_code == 200
            assert not [s for s in SECRETS if s in response.content.decode()], (user, path)
        assert api("buyer").get(f"/api/v1/rfqs/{rfq}/evaluation/").status_code == 409
    own = api("supplier1").get(f"/api/v1/rfqs/{combo}/bids/").json()
    assert own[0]["amount"] == "75.31"  # its own supplier reads it


# --- evaluation: hand-worked examples ----------------------------------------------------------

def test_split_evaluation_equals_the_hand_worked_example(api, demo):
    rfq = split_auction(demo)
    rice, flour = split_quotes(api, rfq)
    body = close_and_evaluate(api, rfq)
    who = names(demo)
    assert sorted((who[r["supplier"]["id"]], r["line_item_id"], r["quantity"], r["unit_price"], r["amount"], r["bundle"])
                  for r in body["allocation"]) == sorted([
        ("supplier1", rice, 30, "10.00", "300.00", None), ("supplier2", rice, 10, "11.00", "110.00", None),
        ("supplier2", flour, 10, "7.00", "70.00", None), ("supplier1", flour, 10, "8.00", "80.00", None)])
    assert body["total_cost"] == "560.00"
    # Best single supplier: only supplier3 can cover everything: 40 × 12 + 20 × 9 = 660.
    assert (who[body["best_single_supplier"]["supplier"]["id"]], body["best_single_supplier"]["total"]) == (
        "supplier3", "660.00")
    assert body["saving"] == "100.00"
    # VCG. Without s1: rice 40 × 11 + flour 10 × 7 + 10 × 9 = 600; the others cost 180 → 420.
    # Without s2: rice 30 × 10 + 10 × 12 + flour 20 × 8 = 580; the others cost 380 → 200.
    assert sorted((who[p["supplier"]["id"]], p["pay_as_bid"], p["payment"], p["surplus"]) for p in body["payments"]) == [
        ("supplier1", "380.00", "420.00", "40.00"), ("supplier2", "180.00", "200.00", "20.00")]
    assert body["pricing"] == {"rule": "VCG", "total_payment": "620.00", "individually_rational": True, "paid_as_bid": []}
    assert body["outcome"] == "AWARD" and body["allocation_problem"] is None
    assert transition(api, "buyer", rfq, "evaluate").json()["status"] == "evaluation"


def test_bundle_evaluation_equals_the_hand_worked_example(api, demo):
    rfq = bundle_auction(demo)
    rice, flour = items(rfq)
    created(bundles(api, "supplier1", rfq, [([rice, flour], "75.00"), ([rice], "40.00")]))
    created(bundles(api, "supplier2", rfq, [([flour], "30.00"), ([rice, flour], "80.00")]))
    created(bundles(api, "supplier3", rfq, [([rice], "45.00")]))
    body = close_and_evaluate(api, rfq)
    who = names(demo)
    assert sorted((who[r["supplier"]["id"]], r["line_item_id"], r["bundle"], r["unit_price"]) for r in body["allocation"]) \
        == sorted([("supplier1", rice, 1, None), ("supplier2", flour, 0, None)])
    assert body["total_cost"] == "70.00"
    assert (who[body["best_single_supplier"]["supplier"]["id"]], body["best_single_supplier"]["total"], body["saving"]) \
        == ("supplier1", "75.00", "5.00")
    # Without s1: 45 + 30 = 75, others' cost 30 → 45. Without s2: 75, others' cost 40 → 35.
    assert sorted((who[p["supplier"]["id"]], p["pay_as_bid"], p["payment"]) for p in body["payments"]) == [
        ("supplier1", "40.00", "45.00"), ("supplier2", "30.00", "35.00")]
    assert body["pricing"] == {"rule": "VCG", "total_payment": "80.00", "individually_rational": True, "paid_as_bid": []}


def test_infeasible_allocation_evaluates_to_no_award_with_the_reason(api, demo):
    rfq = split_auction(demo, max_suppliers=1)
    rice, flour = items(rfq)
    created(quote(api, "supplier1", rfq, [{"line_item_id": rice, "unit_price": "10.00"}]))
    created(quote(api, "supplier2", rfq, [{"line_item_id": flour, "unit_price": "7.00"}]))
    body = close_and_evaluate(api, rfq)
    assert body["outcome"] == "NO_AWARD" and body["allocation"] == [] and body["allocation_problem"]
    assert body["best_single_supplier"] is None
    evaluated = transition(api, "buyer", rfq, "evaluate").json()
    assert evaluated["status"] == "no_award"
    assert RFQ.objects.get(pk=rfq).status_reason == body["allocation_problem"]
    outcome = api("supplier1").get(f"/api/v1/rfqs/{rfq}/outcome/").json()
    assert outcome["status"] == "no_award" and outcome["lines"] == []


# --- award -----------------------------------------------------------------------------------

def test_award_of_the_recommended_allocation_is_stored_audited_and_told(
        api, demo, django_capture_on_commit_callbacks):
    rfq = split_auction(demo)
    rice, flour = split_quotes(api, rfq)
    close_and_evaluate(api, rfq)
    transition(api, "buyer", rfq, "evaluate")
    award = api("buyer").post(f"/api/v1/rfqs/{rfq}/award/", {"bid_id": 1}, format="json")
    assert award.status_code == 400 and "allocation" in award.json()["error"]["message"]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = api("buyer").post(f"/api/v1/rfqs/{rfq}/award/", {"allocation": "recommended"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "awarded"
    stored = sorted((line.supplier_id, line.line_item_id, int(line.quantity)) for line in AwardLine.objects.filter(rfq_id=rfq))
    s1, s2, s3 = (demo.supplier(n).pk for n in (1, 2, 3))
    assert stored == sorted([(s1, rice, 30), (s2, rice, 10), (s2, flour, 10), (s1, flour, 10)])
    assert {p.supplier_id: str(int(p.payment)) for p in AwardPayment.objects.filter(rfq_id=rfq)} == {
        s1: "420", s2: "200"}
    event = AuditEvent.objects.get(rfq_id=rfq, type="rfq.award")
    assert event.payload["mode"] == "allocation" and event.payload["override"] is False
    assert event.payload["total_cost"] == "560.00" and event.payload["pricing"]["total_payment"] == "620.00"
    assert len(event.payload["allocation"]) == 4 and len(event.payload["payments"]) == 2
    # Every participant is told: two winners, one not selected.
    outcome = api("supplier1").get(f"/api/v1/rfqs/{rfq}/outcome/").json()
    assert outcome["status"] == "awarded" and outcome["total"] == "380.00" and outcome["payment"] == "420.00"
    assert sorted((line["line_item_id"], line["quantity"], line["unit_price"], line["amount"])
                  for line in outcome["lines"]) == sorted([(rice, 30, "10.00", "300.00"), (flour, 10, "8.00", "80.00")])
    assert api("supplier3").get(f"/api/v1/rfqs/{rfq}/outcome/").json() == {
        "status": "not_selected", "lines": [], "total": None}
    subjects = sorted(m.subject.split(":")[0] for m in mail.outbox)
    assert subjects.count("You have won") >= 2 and "Outcome" in subjects
    won = next(m for m in mail.outbox if m.subject.startswith("You have won") and "420.00" in m.body)
    assert "300.00" in won.body
    # The report's outcome section learns the allocation and payments.
    report = api("buyer").get(f"/api/v1/rfqs/{rfq}/fairness-report/").json()
    awarded = report["outcome"]["allocation"]
    assert awarded["total_cost"] == "560.00" and awarded["total_payment"] == "620.00"
    assert len(awarded["lines"]) == 4 and not report["outcome"]["manual_override"]


def test_manual_allocation_is_validated_and_marked_as_override(api, demo):
    rfq = split_auction(demo)
    rice, flour = split_quotes(api, rfq)
    close_and_evaluate(api, rfq)
    transition(api, "buyer", rfq, "evaluate")
    bid_of = {b["supplier"]["id"]: b["id"] for b in api("buyer").get(f"/api/v1/rfqs/{rfq}/bids/").json()}
    s1, s2, s3 = (bid_of[demo.supplier(n).pk] for n in (1, 2, 3))

    def award(allocation, reason="Keep the long-standing rice supplier"):
        return api("buyer").post(f"/api/v1/rfqs/{rfq}/award/", {"allocation": allocation, "reason": reason},
                                 format="json")

    for bad, words in [
        ([{"line_item_id": rice, "bid_id": s3, "quantity": 40}], "needs exactly 20"),
        ([{"line_item_id": rice, "bid_id": s1, "quantity": 40}, {"line_item_id": flour, "bid_id": s3, "quantity": 20}],
         "between 10 and 30"),
        ([{"line_item_id": rice, "bid_id": s3, "quantity": 30}, {"line_item_id": flour, "bid_id": s3, "quantity": 20}],
         "needs exactly 40"),
    ]:
        response = award(bad)
        assert response.status_code == 400 and words in response.json()["error"]["message"], response.content
    manual = [{"line_item_id": rice, "bid_id": s3, "quantity": 40}, {"line_item_id": flour, "bid_id": s3, "quantity": 20}]
    assert award(manual, reason="").status_code == 400  # an override needs its reason
    assert award(manual).status_code == 200
    assert RFQ.objects.get(pk=rfq).award_override
    [payment] = AwardPayment.objects.filter(rfq_id=rfq)
    assert str(int(payment.payment)) == "660" and payment.rule == "FIRST_PRICE"  # paid as bid
    report = api("buyer").get(f"/api/v1/rfqs/{rfq}/fairness-report/").json()["outcome"]
    assert report["manual_override"] and report["override_reason"] == "Keep the long-standing rice supplier"
    assert report["allocation"]["total_cost"] == "660.00"


def test_allocation_award_passes_the_certification_gate(api, demo, settings):
    settings.QUAYSIDE = {**settings.QUAYSIDE, "HIGH_VALUE_THRESHOLD": "600"}
    rfq = split_auction(demo)
    split_quotes(api, rfq)
    close_and_evaluate(api, rfq)
    transition(api, "buyer", rfq, "evaluate")
    # The cost is 560 but VCG pays 620: above the threshold, so compliance must approve first.
    response = api("buyer").post(f"/api/v1/rfqs/{rfq}/award/", {"allocation": "recommended"}, format="json")
    assert response.status_code == 409 and response.json()["error"]["code"] == "certification_required"
    assert not AwardLine.objects.filter(rfq_id=rfq).exists()
    certify = api("compliance").post(f"/api/v1/rfqs/{rfq}/fairness-report/certify/",
                                     {"recommendation": "approve", "findings": []}, format="json")
    assert certify.status_code in (200, 201), certify.content
    assert api("buyer").post(f"/api/v1/rfqs/{rfq}/award/", {"allocation": "recommended"},
                             format="json").status_code == 200


# --- solved once ---------------------------------------------------------------------------

def test_an_allocation_is_solved_once_however_often_it_is_looked_at(api, demo, monkeypatch):
    """The solver is pure, so its answer is kept under a digest of its problem: the evaluation
    page and API do not re-solve a large award on every look (auctions/selectors/allocation_cache.py)."""
    from django.core.cache.backends.locmem import LocMemCache

    import auctions.selectors.allocation as selector
    import auctions.selectors.allocation_cache as kept

    # An empty store of its own: ids repeat between tests, so an earlier test may have solved
    # this very problem (the same problem has the same answer).
    monkeypatch.setattr(kept, "cache", LocMemCache("allocation-test", {}))
    rfq = split_auction(demo)
    split_quotes(api, rfq)
    solved = []
    real = selector.solve
    monkeypatch.setattr(selector, "solve", lambda problem: solved.append(problem) or real(problem))
    first = close_and_evaluate(api, rfq)
    again = api("buyer").get(f"/api/v1/rfqs/{rfq}/evaluation/").json()
    assert transition(api, "buyer", rfq, "evaluate").json()["status"] == "evaluation"
    assert len(solved) == 1 and again["total_cost"] == first["total_cost"] == "560.00"
    assert again["payments"] == first["payments"]


def test_without_a_working_cache_the_allocation_is_still_solved(api, demo, monkeypatch):
    from auctions.selectors.allocation_cache import cache

    def down(*args, **kwargs):
        raise ConnectionError("cache unreachable")

    rfq = split_auction(demo)
    split_quotes(api, rfq)
    monkeypatch.setattr(cache, "get", down)
    monkeypatch.setattr(cache, "set", down)
    assert close_and_evaluate(api, rfq)["total_cost"] == "560.00"


def test_the_cache_key_is_the_problem_whatever_the_order_of_a_set():
    from auctions.evaluation.allocation import Bundle, BundleProblem, Line
    from auctions.selectors.allocation_cache import problem_key

    lines = (Line(1, 5), Line(2, 3))
    one = BundleProblem(lines, (Bundle(7, 70, 0, frozenset({1, 2}), Decimal("75.00")),), preference=(7,))
    same = BundleProblem(lines, (Bundle(7, 70, 0, frozenset({2, 1}), Decimal("75.00")),), preference=(7,))
    other = BundleProblem(lines, (Bundle(7, 70, 0, frozenset({1, 2}), Decimal("75.01")),), preference=(7,))
    assert problem_key(one, "VCG") == problem_key(same, "VCG")
    assert problem_key(one, "VCG") != problem_key(other, "VCG") != problem_key(one, "FIRST_PRICE")
