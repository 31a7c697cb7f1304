"""product.md §1 tenancy: what each role may see (else 404) and do (else 403)."""
import pytest

from rfqs.models import RFQ
from tests.api.helpers import mentions_amount
from tests.factories import published_rfq, rfq_payload

from .helpers import assert_error, create_draft, stored_counts

TRANSITIONS = ["publish", "open", "pause", "resume", "close", "evaluate", "cancel", "reopen", "award"]
TRANSITION_BODY = {"reason": "Because.", "bid_id": 1}


@pytest.fixture
def open_rfq(demo):
    """buyer's open RFQ, suppliers 1 and 2 invited, supplier1 accepted."""
    return published_rfq(demo, suppliers=(1, 2), accept=(1,))


def test_buyer2_gets_404_on_buyers_rfq_for_everything(api, open_rfq, demo):
    other = api("buyer2")
    before = stored_counts()
    assert_error(other.get(f"/api/v1/rfqs/{open_rfq}/"), 404, "not_found")
    assert_error(other.patch(f"/api/v1/rfqs/{open_rfq}/", {"title": "Mine now"}, format="json"), 404)
    for name in TRANSITIONS:
        response = other.post(f"/api/v1/rfqs/{open_rfq}/{name}/", TRANSITION_BODY, format="json")
        assert_error(response, 404, "not_found")
    assert_error(other.get(f"/api/v1/rfqs/{open_rfq}/invitations/"), 404)
    response = other.post(f"/api/v1/rfqs/{open_rfq}/invitations/", {"supplier_ids": [demo.supplier(3).pk]},
                          format="json")
    assert_error(response, 404)
    invitation = demo.supplier(2).invitations.get(rfq_id=open_rfq)
    assert_error(other.post(f"/api/v1/rfqs/{open_rfq}/invitations/{invitation.pk}/revoke/", {}, format="json"), 404)
    assert open_rfq not in [r["id"] for r in other.get("/api/v1/rfqs/").json()]
    assert stored_counts() == before


def test_a_404_for_a_foreign_rfq_looks_like_one_for_a_missing_rfq(api, open_rfq):
    other = api("buyer2")
    foreign = other.get(f"/api/v1/rfqs/{open_rfq}/")
    missing = other.get("/api/v1/rfqs/987654321/")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()


def test_buyers_list_only_their_own_organisations_rfqs(api, demo):
    for username in ("buyer", "buyer2"):
        org = demo.user(username).buyer_organization
        listed = {r["id"] for r in api(username).get("/api/v1/rfqs/").json()}
        assert listed == set(RFQ.objects.filter(buyer_organization=org).values_list("pk", flat=True))
        assert listed


def test_an_uninvited_supplier_sees_nothing_of_the_rfq(api, open_rfq):
    outsider = api("supplier4")
    assert_error(outsider.get(f"/api/v1/rfqs/{open_rfq}/"), 404, "not_found")
    assert open_rfq not in [r["id"] for r in outsider.get("/api/v1/rfqs/").json()]
    assert open_rfq not in [i["rfq"]["id"] for i in outsider.get("/api/v1/invitations/").json()]
    assert_error(outsider.get(f"/api/v1/rfqs/{open_rfq}/invitations/"), 404)


def test_invited_suppliers_see_the_rfq(api, open_rfq):
    for username in ("supplier1", "supplier2"):  # accepted and merely sent
        client = api(username)
        response = client.get(f"/api/v1/rfqs/{open_rfq}/")
        assert response.status_code == 200
        assert response.json()["id"] == open_rfq
        assert open_rfq in [r["id"] for r in client.get("/api/v1/rfqs/").json()]


def test_a_draft_is_invisible_to_invited_suppliers_until_published(api, demo):
    rfq_id = create_draft(demo, suppliers=(1, 2))
    assert set(demo.supplier(1).invitations.filter(rfq_id=rfq_id).values_list("status", flat=True)) == {"PENDING"}
    for username in ("supplier1", "supplier2"):
        client = api(username)
        assert_error(client.get(f"/api/v1/rfqs/{rfq_id}/"), 404)
        assert rfq_id not in [r["id"] for r in client.get("/api/v1/rfqs/").json()]
        assert rfq_id not in [i["rfq"]["id"] for i in client.get("/api/v1/invitations/").json()]
        assert_error(client.post(f"/api/v1/rfqs/{rfq_id}/bids/", {"amount": "10.00"}, format="json"), 404)
    assert api("buyer").post(f"/api/v1/rfqs/{rfq_id}/publish/", {}, format="json").status_code == 200
    for username in ("supplier1", "supplier2"):
        client = api(username)
        assert client.get(f"/api/v1/rfqs/{rfq_id}/").status_code == 200
        assert rfq_id in [i["rfq"]["id"] for i in client.get("/api/v1/invitations/").json()]


def test_a_revoked_supplier_loses_sight_of_the_rfq(api, demo, open_rfq):
    invitation = demo.supplier(2).invitations.get(rfq_id=open_rfq)
    response = api("buyer").post(f"/api/v1/rfqs/{open_rfq}/invitations/{invitation.pk}/revoke/", {}, format="json")
    assert response.status_code == 200
    assert_error(api("supplier2").get(f"/api/v1/rfqs/{open_rfq}/"), 404)


@pytest.mark.parametrize("n, status", [(5, "SUBMITTED"), (6, "REJECTED")])
def test_suppliers_without_verified_kyc_cannot_be_invited(api, demo, n, status):
    rfq_id = create_draft(demo)
    company = demo.supplier(n)
    assert company.kyc_status == status
    before = stored_counts()
    response = api("buyer").post(f"/api/v1/rfqs/{rfq_id}/invitations/",
                                 {"supplier_ids": [demo.supplier(1).pk, company.pk]}, format="json")
    error = assert_error(response, 400, "invalid")
    assert company.name in error["message"]
    assert str(company.pk) in error["message"]
    assert "KYC" in error["message"]
    assert demo.supplier(1).name not in error["message"]
    assert stored_counts() == before


def test_a_supplier_not_qualified_for_the_category_cannot_be_invited(api, demo):
    rfq_id = create_draft(demo)
    company = demo.supplier(3)
    company.categories.remove(*company.categories.filter(slug="provisions"))
    response = api("buyer").post(f"/api/v1/rfqs/{rfq_id}/invitations/", {"supplier_ids": [company.pk]},
                                 format="json")
    error = assert_error(response, 400)
    assert company.name in error["message"] and "not qualified" in error["message"]


# --- KYC decisions --------------------------------------------------------------------------

@pytest.mark.parametrize("action", ["approve", "reject"])
def test_suppliers_and_buyers_cannot_decide_kyc(api, demo, action):
    pending = demo.supplier(5)
    before = stored_counts()
    # Its own company: visible, so 403.
    own = api("supplier5").post(f"/api/v1/suppliers/{pending.pk}/kyc/{action}/", {"reason": "x"}, format="json")
    assert_error(own, 403, "permission_denied")
    # Another's: not visible to a supplier, so 404.
    other = api("supplier1").post(f"/api/v1/suppliers/{pending.pk}/kyc/{action}/", {"reason": "x"}, format="json")
    assert_error(other, 404, "not_found")
    buyer = api("buyer").post(f"/api/v1/suppliers/{pending.pk}/kyc/{action}/", {"reason": "x"}, format="json")
    assert_error(buyer, 403, "permission_denied")
    assert stored_counts() == before


def test_compliance_approves_kyc(api, demo):
    pending = demo.supplier(5)
    response = api("compliance").post(f"/api/v1/suppliers/{pending.pk}/kyc/approve/", {}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == pending.pk
    assert body["kyc_status"] == "VERIFIED"
    # Now it can be invited.
    rfq_id = create_draft(demo)
    invited = api("buyer").post(f"/api/v1/rfqs/{rfq_id}/invitations/", {"supplier_ids": [pending.pk]},
                                format="json")
    assert invited.status_code == 201


def test_compliance_rejects_kyc_only_with_a_reason(api, demo):
    pending = demo.supplier(5)
    compliance = api("compliance")
    before = stored_counts()
    for body in ({}, {"reason": ""}, {"reason": "   "}):
        error = assert_error(compliance.post(f"/api/v1/suppliers/{pending.pk}/kyc/reject/", body, format="json"),
                             400, "invalid")
        assert "reason" in error["fields"]
    assert stored_counts() == before
    response = compliance.post(f"/api/v1/suppliers/{pending.pk}/kyc/reject/",
                               {"reason": "Tax registration is illegible."}, format="json")
    assert response.status_code == 200
    assert response.json()["kyc_status"] == "REJECTED"
    assert response.json()["kyc_decision_reason"] == "Tax registration is illegible."


def test_deciding_kyc_twice_is_409(api, demo):
    verified = demo.supplier(1)
    before = stored_counts()
    response = api("compliance").post(f"/api/v1/suppliers/{verified.pk}/kyc/approve/", {}, format="json")
    assert_error(response, 409, "invalid_transition", contains="verified")
    assert stored_counts() == before


# --- What suppliers see of suppliers and invitations ----------------------------------------

def test_a_supplier_sees_only_its_own_company(api, demo):
    client = api("supplier2")
    me = client.get("/api/v1/suppliers/me/")
    assert me.status_code == 200
    assert me.json()["id"] == demo.supplier(2).pk
    assert client.get(f"/api/v1/suppliers/{demo.supplier(2).pk}/").status_code == 200
    assert_error(client.get(f"/api/v1/suppliers/{demo.supplier(1).pk}/"), 404, "not_found")
    assert_error(client.get("/api/v1/suppliers/"), 403, "permission_denied")


def test_buyers_have_no_supplier_profile(api):
    assert_error(api("buyer").get("/api/v1/suppliers/me/"), 403)
    assert_error(api("buyer").get("/api/v1/invitations/"), 403)


def test_a_supplier_sees_only_its_own_invitations(api, demo, open_rfq):
    for n in (1, 2):
        listed = api(f"supplier{n}").get("/api/v1/invitations/").json()
        assert listed
        assert {i["supplier"]["id"] for i in listed} == {demo.supplier(n).pk}
    other = demo.supplier(1).invitations.get(rfq_id=open_rfq)
    before = stored_counts()
    for action in ("accept", "decline"):
        assert_error(api("supplier2").post(f"/api/v1/invitations/{other.pk}/{action}/", {}, format="json"), 404)
    assert stored_counts() == before


def test_suppliers_cannot_create_rfqs(api):
    before = stored_counts()
    assert_error(api("supplier1").post("/api/v1/rfqs/", rfq_payload(), format="json"), 403, "permission_denied")
    assert_error(api("compliance").post("/api/v1/rfqs/", rfq_payload(), format="json"), 403, "permission_denied")
    assert stored_counts() == before


@pytest.mark.parametrize("username", ["supplier1", "compliance"])
def test_roles_that_see_an_rfq_but_do_not_own_it_get_403_on_every_write(api, demo, open_rfq, username):
    client = api(username)
    assert client.get(f"/api/v1/rfqs/{open_rfq}/").status_code == 200
    before = stored_counts()
    for name in TRANSITIONS:
        response = client.post(f"/api/v1/rfqs/{open_rfq}/{name}/", TRANSITION_BODY, format="json")
        assert_error(response, 403, "permission_denied")
    assert_error(client.patch(f"/api/v1/rfqs/{open_rfq}/", {"title": "x"}, format="json"), 403)
    response = client.post(f"/api/v1/rfqs/{open_rfq}/invitations/", {"supplier_ids": [demo.supplier(3).pk]},
                           format="json")
    assert_error(response, 403)
    assert stored_counts() == before


def test_suppliers_do_not_see_who_else_was_invited(api, open_rfq):
    assert_error(api("supplier1").get(f"/api/v1/rfqs/{open_rfq}/invitations/"), 403)


def test_compliance_reads_every_rfq(api):
    listed = {r["id"] for r in api("compliance").get("/api/v1/rfqs/").json()}
    assert listed == set(RFQ.objects.values_list("pk", flat=True))
    for rfq_id in listed:
        assert api("compliance").get(f"/api/v1/rfqs/{rfq_id}/").status_code == 200
    assert api("compliance").get("/api/v1/suppliers/").status_code == 200


# --- The reserve price --------------------------------------------------------------------------

RESERVE = "8765.43"


def reserve(visibility):
    return {"enabled": True, "amount": RESERVE, "visibility": visibility, "auto_accept_if_met": False,
            "notify_buyer_if_not_met": True}


def test_suppliers_never_see_a_hidden_reserve(api, demo):
    rfq_id = published_rfq(demo, suppliers=(1, 2), accept=(1,), reserve_price=reserve("hidden"))
    for username in ("supplier1", "supplier2"):
        client = api(username)
        for response in (client.get(f"/api/v1/rfqs/{rfq_id}/"), client.get("/api/v1/rfqs/"),
                         client.get("/api/v1/invitations/")):
            assert response.status_code == 200
            assert not mentions_amount(response.content, "8765")
            assert b"hidden" not in response.content
        body = client.get(f"/api/v1/rfqs/{rfq_id}/").json()
        assert body.get("reserve_price") is None
    # The buyer and compliance do see it.
    for username in ("buyer", "compliance"):
        reserve_price = api(username).get(f"/api/v1/rfqs/{rfq_id}/").json()["reserve_price"]
        assert reserve_price["enabled"] is True
        assert reserve_price["visibility"] == "hidden"
        assert reserve_price["amount"].startswith("8765.43")


@pytest.mark.parametrize("visibility", ["disclosed", "disclosed_as_starting"])
def test_suppliers_see_a_disclosed_reserve(api, demo, visibility):
    rfq_id = published_rfq(demo, suppliers=(1, 2), reserve_price=reserve(visibility))
    body = api("supplier2").get(f"/api/v1/rfqs/{rfq_id}/").json()
    assert body["reserve_price"]["enabled"] is True
    assert body["reserve_price"]["visibility"] == visibility
    assert body["reserve_price"]["amount"].startswith("8765.43")
