"""Who may read the fairness report (JSON, PDF, page) and certify it, seen from outside:
another tenant's buyer 404, an invited supplier refused, anonymous 401 (the page: sign in),
a buyer may not certify; before close every one of them is 409 for those who may see it."""
import pytest
from rest_framework.test import APIClient

from audit.models import Certification
from tests.api.helpers import assert_error
from tests.engine.helpers import bid, created, reverse_auction

from .helpers import close_and_evaluate

CERTIFY = {"recommendation": "approve", "findings": ["Looks fair."]}


@pytest.fixture
def closed(api, demo):
    rfq = reverse_auction(demo)
    created(bid(api, "supplier1", rfq, "9500.00"))
    created(bid(api, "supplier2", rfq, "9300.00"))
    close_and_evaluate(api, rfq)
    return rfq


def urls(rfq: int) -> dict:
    return {"json": f"/api/v1/rfqs/{rfq}/fairness-report/", "pdf": f"/api/v1/rfqs/{rfq}/fairness-report/?format=pdf",
            "certify": f"/api/v1/rfqs/{rfq}/fairness-report/certify/", "page": f"/rfqs/{rfq}/fairness-report/",
            "page_certify": f"/rfqs/{rfq}/fairness-report/certify/"}


@pytest.mark.parametrize("kind", ["json", "pdf"])
def test_readers_and_refusals_of_the_report(api, closed, kind):
    url = urls(closed)[kind]
    for user in ("buyer", "compliance"):
        response = api(user).get(url)
        assert response.status_code == 200, (user, response.content[:300])
        assert response["Content-Type"] == ("application/pdf" if kind == "pdf" else "application/json")
    assert_error(api("buyer2").get(url), 404, "not_found")  # another tenant's buyer: not even its existence
    assert_error(api("supplier1").get(url), 403, "permission_denied")  # invited, but not a reader
    assert_error(api("supplier4").get(url), 404, "not_found")  # not invited: unseen
    assert_error(APIClient().get(url), 401, "not_authenticated")


def test_certify_is_for_compliance_only(api, closed):
    url = urls(closed)["certify"]
    assert_error(api("buyer").post(url, CERTIFY, format="json"), 403, "permission_denied")
    assert_error(api("buyer2").post(url, CERTIFY, format="json"), 404, "not_found")
    assert_error(api("supplier1").post(url, CERTIFY, format="json"), 403, "permission_denied")
    assert_error(APIClient().post(url, CERTIFY, format="json"), 401, "not_authenticated")
    assert not Certification.objects.filter(rfq_id=closed).exists()
    response = api("compliance").post(url, CERTIFY, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["certification"]["recommendation"] == "approve"
    assert Certification.objects.filter(rfq_id=closed).count() == 1


def test_certifying_a_version_that_new_facts_replaced_is_409_and_records_nothing(api, closed):
    from django.utils import timezone

    from audit.models import AlertSeverity, GamingAlert

    read = api("compliance").get(urls(closed)["json"]).json()["version"]  # what the officer read
    now = timezone.now()  # then a high alert arrives: a new fact, so a new version
    GamingAlert.objects.create(rfq_id=closed, detector="shared_ip_or_device", key="ip:203.0.113.9",
                               severity=AlertSeverity.HIGH, summary="Two suppliers bid from one IP address.",
                               evidence={"ip": "203.0.113.9"}, supplier_ids=[1, 2], raised_at=now, updated_at=now)
    url = urls(closed)["certify"]
    error = assert_error(api("compliance").post(url, {**CERTIFY, "report_version": read}, format="json"),
                         409, "conflict")
    assert f"you read version {read}" in error["message"]
    assert not Certification.objects.filter(rfq_id=closed).exists()
    current = api("compliance").get(urls(closed)["json"]).json()["version"]
    assert current > read
    response = api("compliance").post(url, {**CERTIFY, "report_version": current}, format="json")
    assert response.status_code == 200 and Certification.objects.get(rfq_id=closed).report_version == current


def test_the_certify_forms_carry_the_version_on_screen(login, closed):
    html = login("compliance").get(urls(closed)["page"]).content.decode()
    assert 'type="hidden" name="report_version"' in html


@pytest.mark.parametrize("body, field", [
    ({"recommendation": "approve", "report_version": 0}, "report_version"),
    ({"recommendation": "approve", "report_version": "v2"}, "report_version"),
    ({"recommendation": "maybe", "findings": []}, "recommendation"), ({"findings": ["x"]}, "recommendation"),
    ({"recommendation": "approve", "findings": "not a list"}, "findings"),
    ({"recommendation": "approve", "findings": [""]}, "findings"),
])
def test_certify_refuses_bad_input(api, closed, body, field):
    error = assert_error(api("compliance").post(urls(closed)["certify"], body, format="json"), 400, "invalid")
    assert any(name.startswith(field) for name in error["fields"]), error
    assert not Certification.objects.filter(rfq_id=closed).exists()


def test_before_close_the_report_and_certification_are_409(api, demo):
    rfq = reverse_auction(demo)
    created(bid(api, "supplier1", rfq, "9500.00"))
    for user in ("buyer", "compliance"):
        assert_error(api(user).get(urls(rfq)["json"]), 409, contains="once bidding has closed")
        assert_error(api(user).get(urls(rfq)["pdf"]), 409, contains="once bidding has closed")
    assert_error(api("compliance").post(urls(rfq)["certify"], CERTIFY, format="json"), 409,
                 contains="once bidding has closed")


def test_before_close_the_certify_page_says_why_whatever_the_form(login, demo):
    """The page's certify form, posted before the close, valid or not: the reason, not a 500."""
    rfq = reverse_auction(demo)
    officer = login("compliance")
    for form in ({"recommendation": "approve", "findings": "Fine."}, {}, {"recommendation": "nonsense"}):
        response = officer.post(urls(rfq)["page_certify"], form, follow=True)
        assert response.status_code == 200 and "once bidding has closed" in response.content.decode(), form
    assert not Certification.objects.filter(rfq_id=rfq).exists()


def test_the_page_for_readers_and_refusals(login, closed):
    page = urls(closed)["page"]
    for user in ("buyer", "compliance"):
        response = login(user).get(page)
        assert response.status_code == 200, user
        html = response.content.decode()
        assert 'data-testid="bid-chart"' in html and 'data-testid="distribution-chart"' in html
        assert f'href="/api/v1/rfqs/{closed}/fairness-report/?format=pdf"' in html
        assert ('data-testid="certify-form"' in html) == (user == "compliance")
    assert login("buyer2").get(page).status_code == 404
    assert login("supplier1").get(page).status_code == 403
    anonymous = login(None).get(page)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/")


def test_certifying_from_the_page_is_for_compliance_only(login, closed):
    post = urls(closed)["page_certify"]
    form = {"recommendation": "review", "findings": "Check the second bidder.\n\nAsk for delivery terms."}
    assert login("buyer").post(post, form).status_code == 403
    assert login("buyer2").post(post, form).status_code == 404
    assert login("supplier1").post(post, form).status_code == 403
    assert login(None).post(post, form).status_code == 302
    assert not Certification.objects.filter(rfq_id=closed).exists()
    response = login("compliance").post(post, form)
    assert response.status_code == 302 and response["Location"] == urls(closed)["page"]
    certification = Certification.objects.get(rfq_id=closed)
    assert certification.recommendation == "review"
    assert certification.findings == ["Check the second bidder.", "Ask for delivery terms."]


def test_only_json_and_pdf_are_served_and_errors_stay_json(api, closed):
    base = urls(closed)["json"]
    assert api("buyer").get(base + "?format=json")["Content-Type"] == "application/json"
    by_header = api("buyer").get(base, HTTP_ACCEPT="application/pdf")
    assert by_header.status_code == 200 and by_header.content.startswith(b"%PDF")
    # An unknown format is invalid input, a 400 naming the formats, as on every download.
    assert_error(api("buyer").get(base + "?format=xml"), 400)
    assert_error(api("buyer").get(base + "?format=xml", HTTP_ACCEPT="application/pdf"), 400)
    assert api("buyer").get(base + "?format=xml").json()["error"]["fields"] == {"format": ["One of json, pdf."]}
