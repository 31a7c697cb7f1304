"""product.md §2 over the API: the supplier directory and invitations (KYC: test_kyc.py)."""

import pytest
from django.core import mail

from audit.models import AuditEvent
from rfqs.models import RFQ
from suppliers.models import Category, Invitation, SupplierCompany
from tests.factories import published_rfq

from .helpers import assert_error, stored_counts

# --- Directory ------------------------------------------------------------------------------

def test_directory_filters_by_kyc_status_and_category(api, demo):
    demo.supplier(4).categories.remove(Category.objects.get(slug="engine"))
    client = api("buyer")
    everyone = client.get("/api/v1/suppliers/").json()
    assert [s["name"] for s in everyone] == sorted(s["name"] for s in everyone)
    assert len(everyone) == SupplierCompany.objects.count()
    engine = client.get("/api/v1/suppliers/?kyc_status=VERIFIED&category=engine").json()
    assert {s["id"] for s in engine} == {demo.supplier(n).pk for n in (1, 2, 3)}
    assert all(s["kyc_status"] == "VERIFIED" and "engine" in s["categories"] for s in engine)
    pending = client.get("/api/v1/suppliers/?kyc_status=SUBMITTED").json()
    assert [s["id"] for s in pending] == [demo.supplier(5).pk]
    assert client.get("/api/v1/suppliers/?category=no-such-category").json() == []
    row = next(s for s in everyone if s["id"] == demo.supplier(1).pk)
    assert {"id", "name", "country", "tier", "kyc_status", "categories", "ports", "performance_score"} <= set(row)
    assert (row["country"], row["tier"], row["performance_score"]) == ("GR", "GOLD", "92.50")
    assert {p["code"] for p in row["ports"]} == {"GRPIR", "MTMLA", "TRIST"}


def test_directory_detail(api, demo):
    body = api("compliance").get(f"/api/v1/suppliers/{demo.supplier(6).pk}/").json()
    assert body["kyc_status"] == "REJECTED"
    assert body["kyc_decision_reason"]
    assert_error(api("buyer").get("/api/v1/suppliers/99999999/"), 404)


# --- Invitations ------------------------------------------------------------------------------

@pytest.fixture
def open_rfq(demo):
    return published_rfq(demo, suppliers=(1, 2, 3))


def invitation_of(demo, n, rfq_id) -> Invitation:
    return demo.supplier(n).invitations.get(rfq_id=rfq_id)


def test_inbox_lists_the_invitation_with_its_rfq(api, demo, open_rfq):
    [entry] = [i for i in api("supplier1").get("/api/v1/invitations/").json() if i["rfq"]["id"] == open_rfq]
    assert entry["status"] == "SENT"
    assert entry["sent_at"]
    assert entry["supplier"] == {"id": demo.supplier(1).pk, "name": "Poseidon Marine Supply"}
    assert entry["rfq"]["reference"] == f"RFQ-{open_rfq:06d}"
    assert entry["rfq"]["status"] == "open"


def test_accept_an_invitation(api, demo, open_rfq):
    invitation = invitation_of(demo, 1, open_rfq)
    response = api("supplier1").post(f"/api/v1/invitations/{invitation.pk}/accept/", {}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "ACCEPTED"
    invitation.refresh_from_db()
    assert invitation.status == "ACCEPTED"
    assert invitation.responded_by == demo.user("supplier1")
    event = AuditEvent.objects.filter(rfq_id=open_rfq).latest("seq")
    assert (event.type, event.actor_name, event.payload["invitation_id"]) == \
        ("invitation.accepted", "supplier1", invitation.pk)
    # Answering twice is a state conflict.
    before = stored_counts()
    for action in ("accept", "decline"):
        again = api("supplier1").post(f"/api/v1/invitations/{invitation.pk}/{action}/", {}, format="json")
        assert_error(again, 409, "invalid_transition")
    assert stored_counts() == before


def test_decline_stores_the_reason(api, demo, open_rfq):
    invitation = invitation_of(demo, 2, open_rfq)
    response = api("supplier2").post(f"/api/v1/invitations/{invitation.pk}/decline/",
                                     {"reason": "  No stock of rice this month.  "}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "DECLINED"
    invitation.refresh_from_db()
    assert invitation.decline_reason == "No stock of rice this month."
    event = AuditEvent.objects.filter(rfq_id=open_rfq).latest("seq")
    assert event.type == "invitation.declined"
    assert "No stock of rice" in event.payload["reason"]
    # A declined supplier still sees the RFQ it declined, and the invitation in its inbox.
    assert api("supplier2").get(f"/api/v1/rfqs/{open_rfq}/").status_code == 200


def test_accepting_a_cancelled_rfqs_invitation_is_409(api, demo):
    cancelled = RFQ.objects.get(title="Liferaft annual servicing")
    assert cancelled.status == "cancelled"
    invitation = cancelled.invitations.get(status="SENT")
    member = f"supplier{[demo.supplier(n).pk for n in (1, 2, 3, 4)].index(invitation.supplier_id) + 1}"
    before = stored_counts()
    for action in ("accept", "decline"):
        response = api(member).post(f"/api/v1/invitations/{invitation.pk}/{action}/", {}, format="json")
        assert_error(response, 409, "invalid_transition", contains="cancelled")
    assert stored_counts() == before


def test_revoke_an_invitation(api, demo, open_rfq):
    invitation = invitation_of(demo, 3, open_rfq)
    url = f"/api/v1/rfqs/{open_rfq}/invitations/{invitation.pk}/revoke/"
    response = api("buyer").post(url, {"reason": "Wrong port coverage."}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "REVOKED"
    event = AuditEvent.objects.filter(rfq_id=open_rfq).latest("seq")
    assert (event.type, event.payload["reason"], event.actor_name) == \
        ("invitation.revoked", "Wrong port coverage.", "buyer")
    assert invitation.pk not in [i["id"] for i in api("supplier3").get("/api/v1/invitations/").json()]
    before = stored_counts()
    assert_error(api("buyer").post(url, {}, format="json"), 409, "invalid_transition")
    assert_error(api("supplier3").post(f"/api/v1/invitations/{invitation.pk}/accept/", {}, format="json"), 404)
    assert stored_counts() == before
    # Inviting again reinstates the same row and sends it at once (the RFQ is open).
    again = api("buyer").post(f"/api/v1/rfqs/{open_rfq}/invitations/", {"supplier_ids": [demo.supplier(3).pk]},
                              format="json")
    assert again.status_code == 201
    assert [(i["id"], i["status"]) for i in again.json()] == [(invitation.pk, "SENT")]


def test_revoke_an_invitation_of_another_rfq_is_404(api, demo, open_rfq):
    other = published_rfq(demo, suppliers=(1, 2))
    foreign = invitation_of(demo, 1, other)
    assert_error(api("buyer").post(f"/api/v1/rfqs/{open_rfq}/invitations/{foreign.pk}/revoke/", {}, format="json"),
                 404)
    assert Invitation.objects.get(pk=foreign.pk).status == "SENT"


def test_reinviting_is_idempotent(api, demo, django_capture_on_commit_callbacks):
    rfq_id = published_rfq(demo, suppliers=(1, 2))
    ids = [demo.supplier(n).pk for n in (1, 2)]
    before = stored_counts()
    with django_capture_on_commit_callbacks(execute=True):
        response = api("buyer").post(f"/api/v1/rfqs/{rfq_id}/invitations/", {"supplier_ids": ids + ids},
                                     format="json")
    assert response.status_code == 201
    assert sorted(i["id"] for i in response.json()) == sorted(
        Invitation.objects.filter(rfq_id=rfq_id).values_list("pk", flat=True))
    assert stored_counts() == before
    assert mail.outbox == []


def test_inviting_later_sends_at_once_and_lists_the_invitations(api, demo, django_capture_on_commit_callbacks):
    rfq_id = published_rfq(demo, suppliers=(1, 2))
    with django_capture_on_commit_callbacks(execute=True):
        response = api("buyer").post(f"/api/v1/rfqs/{rfq_id}/invitations/", {"supplier_ids": [demo.supplier(4).pk]},
                                     format="json")
    assert response.status_code == 201
    [created] = response.json()
    assert created["status"] == "SENT"
    assert created["supplier"] == {"id": demo.supplier(4).pk, "name": "Cape Provisions"}
    assert len(mail.outbox) == 1 and f"/supplier/invitations/{created['id']}/" in mail.outbox[0].body
    listed = api("buyer").get(f"/api/v1/rfqs/{rfq_id}/invitations/").json()
    assert {i["supplier"]["id"] for i in listed} == {demo.supplier(n).pk for n in (1, 2, 4)}


def test_no_invitations_to_a_closed_rfq(api, demo):
    from .helpers import rfq_in_state

    rfq_id = rfq_in_state(demo, "closed")
    before = stored_counts()
    response = api("buyer").post(f"/api/v1/rfqs/{rfq_id}/invitations/", {"supplier_ids": [demo.supplier(4).pk]},
                                 format="json")
    assert_error(response, 409, "invalid_transition", contains="closed")
    assert stored_counts() == before


def test_revoking_on_a_cancelled_rfq_is_409(api, demo):
    cancelled = RFQ.objects.get(title="Liferaft annual servicing")
    invitation = cancelled.invitations.filter(status__in=["SENT", "ACCEPTED"]).first()
    before = stored_counts()
    response = api("buyer").post(f"/api/v1/rfqs/{cancelled.pk}/invitations/{invitation.pk}/revoke/", {},
                                 format="json")
    assert_error(response, 409, "invalid_transition", contains="cancelled")
    assert stored_counts() == before
