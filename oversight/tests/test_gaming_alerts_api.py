"""GET /api/v1/rfqs/{id}/alerts/ (api.md) and the buyer's monitor: the RFQ's buyer and
compliance read the alerts; another tenant's buyer gets 404, a supplier is refused,
anonymous gets 401. Suppliers' pages never show them."""
import pytest
from django.core.cache import cache

from oversight.gaming.services import gaming_scan
from tests.api.helpers import assert_error
from tests.engine.helpers import bid, created, reverse_auction

OFFICE = "198.51.100.7"
FIELDS = {"id", "rfq", "detector", "key", "severity", "summary", "supplier_ids", "evidence", "phase",
          "raised_at", "updated_at"}


@pytest.fixture
def flagged(api, demo):
    """An open reverse auction in which two suppliers bid from one office (one HIGH alert)."""
    cache.clear()
    rfq = reverse_auction(demo)
    for n, amount in ((1, "9900.00"), (2, "9800.00")):
        created(bid(api, f"supplier{n}", rfq, amount, REMOTE_ADDR=OFFICE, HTTP_X_DEVICE_FINGERPRINT=f"fp-{n}"))
    gaming_scan(rfq_id=rfq, phase="bidding")
    return rfq


@pytest.mark.parametrize("user", ["buyer", "compliance"])
def test_the_buyer_and_compliance_read_the_alerts(api, demo, flagged, user):
    response = api(user).get(f"/api/v1/rfqs/{flagged}/alerts/")
    assert response.status_code == 200, response.content
    [alert] = response.json()
    assert set(alert) == FIELDS
    assert (alert["rfq"], alert["detector"], alert["severity"], alert["key"]) == (
        flagged, "shared_ip_or_device", "HIGH", f"ip:{OFFICE}")
    assert alert["supplier_ids"] == sorted([demo.supplier(1).pk, demo.supplier(2).pk])
    assert [b["ip"] for b in alert["evidence"]["bids"]] == [OFFICE, OFFICE]
    assert "Poseidon Marine Supply" in alert["summary"]


def test_another_tenants_buyer_gets_404(api, flagged):
    assert_error(api("buyer2").get(f"/api/v1/rfqs/{flagged}/alerts/"), 404)


def test_a_supplier_is_refused_even_one_flagged(api, flagged):
    assert_error(api("supplier1").get(f"/api/v1/rfqs/{flagged}/alerts/"), 403)
    assert_error(api("supplier6").get(f"/api/v1/rfqs/{flagged}/alerts/"), 404)  # not invited


def test_anonymous_gets_401(api, flagged):
    assert_error(api(None).get(f"/api/v1/rfqs/{flagged}/alerts/"), 401)


def test_an_rfq_without_alerts_lists_none(api, demo):
    assert api("buyer").get(f"/api/v1/rfqs/{reverse_auction(demo)}/alerts/").json() == []


def test_the_buyers_monitor_shows_the_alert_and_the_suppliers_page_does_not(login, flagged):
    for url in (f"/rfqs/{flagged}/", f"/rfqs/{flagged}/bids/live/"):
        page = login("buyer").get(url).content.decode()
        assert 'data-testid="gaming-alert" data-severity="HIGH"' in page, url
        assert "Poseidon Marine Supply" in page and "shared_ip_or_device" in page
    response = login("supplier1").get(f"/supplier/rfqs/{flagged}/")
    assert response.status_code == 200
    supplier_page = response.content.decode()
    assert "gaming" not in supplier_page.lower() and OFFICE not in supplier_page


def test_compliance_reads_an_alert_in_the_admin_with_its_bids(login, flagged):
    from audit.models import GamingAlert

    client = login("compliance")
    listing = client.get("/admin/audit/gamingalert/?severity__exact=HIGH")
    assert listing.status_code == 200 and "shared_ip_or_device" in listing.content.decode()
    alert = GamingAlert.objects.get(rfq_id=flagged)
    page = client.get(f"/admin/audit/gamingalert/{alert.pk}/change/").content.decode()
    bid_ids = [b["id"] for b in alert.evidence["bids"]]
    assert all(f"<td>{bid_id}</td>" in page for bid_id in bid_ids) and f"<td>{OFFICE}</td>" in page
    assert client.post(f"/admin/audit/gamingalert/{alert.pk}/delete/").status_code == 403
