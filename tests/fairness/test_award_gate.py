"""Award gating (product.md §3): a high-value auction or one with a HIGH gaming alert cannot be
awarded (409 with the reason) until a compliance officer certified the fairness audit with
`approve`; `review` and `reject` keep it blocked; a low-value, unalerted auction needs nothing."""
import pytest
from django.utils import timezone

from audit.models import AlertSeverity, GamingAlert
from procurement.models import RFQ
from tests.api.helpers import assert_error, rfq_status
from tests.engine.helpers import bid, created, reverse_auction

from .helpers import close_and_evaluate, ok


def evaluated(api, demo, *amounts: str, **settings) -> tuple[int, int]:
    """A reverse auction in evaluation with one bid per amount (suppliers 1, 2, …); (rfq, recommended bid)."""
    rfq = reverse_auction(demo, **settings)
    for n, amount in enumerate(amounts, start=1):
        created(bid(api, f"supplier{n}", rfq, amount))
    evaluation = close_and_evaluate(api, rfq)
    return rfq, evaluation["recommended_bid_id"]


def award(api, rfq, bid_id, reason=""):
    return api("buyer").post(f"/api/v1/rfqs/{rfq}/award/", {"bid_id": bid_id, "reason": reason}, format="json")


def certify(api, rfq, recommendation):
    return ok(api("compliance").post(f"/api/v1/rfqs/{rfq}/fairness-report/certify/",
                                     {"recommendation": recommendation, "findings": [f"{recommendation} finding"]},
                                     format="json"))


def high_alert(rfq, **fields):
    now = timezone.now()
    return GamingAlert.objects.create(rfq_id=rfq, detector="shared_ip", key="10.0.0.1", severity=AlertSeverity.HIGH,
                                      summary="Two suppliers bid from one IP address.", evidence={"ip": "10.0.0.1"},
                                      supplier_ids=[1, 2], raised_at=now, updated_at=now, **fields)


def blocked(response, *, because: str) -> None:
    error = assert_error(response, 409, "certification_required")
    assert because in error["message"] and "approve" in error["message"], error


@pytest.fixture
def high_value(api, demo):
    return evaluated(api, demo, "150000.00", "149000.00", starting_price="200000.00", minimum_decrement="500.00")


@pytest.fixture
def alerted(api, demo):
    rfq, winner = evaluated(api, demo, "9500.00", "9300.00")
    high_alert(rfq)
    return rfq, winner


def test_a_low_value_unalerted_auction_awards_without_certification(api, demo):
    rfq, winner = evaluated(api, demo, "9500.00", "9300.00")
    assert ok(award(api, rfq, winner))["status"] == "awarded"


@pytest.mark.parametrize("fixture, because", [("high_value", "high-value"), ("alerted", "high-severity gaming alert")])
def test_gated_auctions_wait_for_approve(api, request, fixture, because):
    rfq, winner = request.getfixturevalue(fixture)
    blocked(award(api, rfq, winner), because=because)
    assert "No compliance officer has certified" in award(api, rfq, winner).json()["error"]["message"]
    for verdict in ("reject", "review"):
        certify(api, rfq, verdict)
        response = award(api, rfq, winner)
        blocked(response, because=because)
        assert f"“{verdict}”" in response.json()["error"]["message"]
        assert rfq_status(rfq) == "evaluation"
    certify(api, rfq, "approve")
    assert ok(award(api, rfq, winner))["status"] == "awarded"
    assert RFQ.objects.get(pk=rfq).awarded_bid_id == winner


def test_a_later_review_withdraws_an_approval(api, high_value):
    rfq, winner = high_value
    certify(api, rfq, "approve")
    certify(api, rfq, "review")
    blocked(award(api, rfq, winner), because="high-value")


def test_an_alert_updated_after_the_approval_blocks_again(api, alerted):
    rfq, winner = alerted
    certify(api, rfq, "approve")
    GamingAlert.objects.filter(rfq_id=rfq).update(updated_at=timezone.now())  # new evidence after the approval
    response = award(api, rfq, winner)
    blocked(response, because="high-severity gaming alert")
    assert "after the latest approval" in response.json()["error"]["message"]
    certify(api, rfq, "approve")
    assert ok(award(api, rfq, winner))["status"] == "awarded"


def test_medium_alerts_do_not_gate(api, demo):
    rfq, winner = evaluated(api, demo, "9500.00", "9300.00")
    high_alert(rfq)
    GamingAlert.objects.filter(rfq_id=rfq).update(severity=AlertSeverity.MEDIUM)
    assert ok(award(api, rfq, winner))["status"] == "awarded"


def test_an_override_to_a_dearer_quote_above_the_threshold_is_gated(api, demo, settings):
    settings.QUAYSIDE = {**settings.QUAYSIDE, "HIGH_VALUE_THRESHOLD": "9400"}
    rfq, winner = evaluated(api, demo, "9500.00", "9300.00")  # recommended 9300: under the threshold
    dearer = next(r["bid_id"] for r in ok(api("buyer").get(f"/api/v1/rfqs/{rfq}/evaluation/"))["rankings"]
                  if r["bid_id"] != winner)
    blocked(award(api, rfq, dearer, reason="Better delivery terms."), because="9500.00 USD is above the 9400 USD")
    assert ok(award(api, rfq, winner))["status"] == "awarded"


def test_the_evaluation_page_shows_the_block_and_its_reason(api, login, high_value):
    rfq, winner = high_value
    html = login("buyer").get(f"/rfqs/{rfq}/evaluation/").content.decode()
    assert 'data-testid="award-blocked"' in html and "high-value" in html
    assert f'href="/rfqs/{rfq}/fairness-report/"' in html
    assert 'disabled aria-describedby="award-gate-reason"' in html
    certify(api, rfq, "approve")
    html = login("buyer").get(f"/rfqs/{rfq}/evaluation/").content.decode()
    assert 'data-testid="award-blocked"' not in html and "disabled aria-describedby" not in html
