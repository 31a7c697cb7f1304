"""Buyer pages: the supplier picker, publishing, and every transition button with its messages."""
from __future__ import annotations

from django.urls import reverse

from rfqs.models import RFQ
from suppliers.models import Invitation

from .pages import flashes, rfq_form, seeded


def test_picker_lists_eligible_suppliers_and_says_why_not(login):
    rfq = seeded("Main engine spare parts — MV Blue Dolphin")
    response = login("buyer").get(reverse("buyer-rfq-suppliers", args=[rfq.pk]))
    rows = {row["supplier"].name: row for row in response.context["rows"]}
    assert rows["Cape Provisions"]["eligible"] and rows["Cape Provisions"]["invitation"] is None
    assert rows["Poseidon Marine Supply"]["invitation"].status == "PENDING"
    assert not rows["Oceanic Spares"]["eligible"] and "KYC submitted" in rows["Oceanic Spares"]["why"]
    assert not rows["Redfin Trading"]["eligible"] and "KYC rejected" in rows["Redfin Trading"]["why"]
    assert b"only verified suppliers can be invited" in response.content


def test_picker_invites_and_refuses_ineligible(login, demo):
    rfq = seeded("Main engine spare parts — MV Blue Dolphin")
    client = login("buyer")
    url = reverse("buyer-rfq-suppliers", args=[rfq.pk])
    response = client.post(url, {"supplier_ids": [demo.supplier(4).pk]}, follow=True)
    assert Invitation.objects.get(rfq=rfq, supplier=demo.supplier(4)).status == "PENDING"
    assert any("Invited Cape Provisions" in m for m in flashes(response))
    refused = client.post(url, {"supplier_ids": [demo.supplier(5).pk]})
    assert refused.status_code == 200
    assert any("cannot be invited: its KYC is not verified" in m for m in flashes(refused))
    assert not Invitation.objects.filter(rfq=rfq, supplier=demo.supplier(5)).exists()


def test_refused_publish_is_an_error_message_not_an_error_page(login, demo):
    client = login("buyer")
    client.post(reverse("buyer-rfq-create"), rfq_form())
    rfq = RFQ.objects.get(title="Stores for MV Page Test")
    client.post(reverse("buyer-rfq-suppliers", args=[rfq.pk]), {"supplier_ids": [demo.supplier(1).pk]})
    response = client.post(reverse("buyer-rfq-publish", args=[rfq.pk]), follow=True)
    assert response.status_code == 200
    assert any("At least 2 suppliers must be invited (currently 1)" in m for m in flashes(response))
    assert RFQ.objects.get(pk=rfq.pk).status == "draft"

    client.post(reverse("buyer-rfq-suppliers", args=[rfq.pk]), {"supplier_ids": [demo.supplier(2).pk]})
    response = client.post(reverse("buyer-rfq-publish", args=[rfq.pk]), follow=True)
    assert RFQ.objects.get(pk=rfq.pk).status == "open"  # no opening time: opens at once
    assert any("is published" in m for m in flashes(response))
    assert set(rfq.invitations.values_list("status", flat=True)) == {"SENT"}


def test_close_before_the_deadline_is_refused_with_the_reason(login):
    rfq = seeded("Fresh provisions for MV Blue Horizon")
    response = login("buyer").post(reverse("buyer-rfq-close", args=[rfq.pk]), follow=True)
    assert response.status_code == 200
    assert any("cannot be closed early" in m for m in flashes(response))
    assert seeded(rfq.title).status == "open"


def test_pause_and_resume(login):
    rfq = seeded("Fresh provisions for MV Blue Horizon")
    client = login("buyer")
    client.post(reverse("buyer-rfq-pause", args=[rfq.pk]), {"reason": "Supplier connection down"})
    assert seeded(rfq.title).status == "paused"
    response = client.get(reverse("buyer-rfq-detail", args=[rfq.pk]))
    assert [a["name"] for a in response.context["actions"] if a["shown"]] == ["resume"]
    # Pause and Close are there for the page to show when bidding resumes, hidden for now.
    html = response.content.decode()
    assert 'data-testid="action-pause" data-live-when="open" hidden' in html
    assert 'data-testid="action-resume" data-live-when="paused">' in html
    assert 'data-live-badge>Paused' in html
    client.post(reverse("buyer-rfq-resume", args=[rfq.pk]))
    assert seeded(rfq.title).status == "open"


def test_invalid_transition_from_this_state_is_a_message(login):
    rfq = seeded("Liferaft annual servicing")  # cancelled
    response = login("buyer").post(reverse("buyer-rfq-publish", args=[rfq.pk]), follow=True)
    assert response.status_code == 200
    assert any("Cannot publish an RFQ that is cancelled" in m for m in flashes(response))


def test_cancel_needs_a_reason(login):
    rfq = seeded("Main engine spare parts — MV Blue Dolphin")
    client = login("buyer")
    response = client.post(reverse("buyer-rfq-cancel", args=[rfq.pk]), {"reason": "  "}, follow=True)
    assert any("Say why the RFQ is cancelled" in m for m in flashes(response))
    assert seeded(rfq.title).status == "draft"
    client.post(reverse("buyer-rfq-cancel", args=[rfq.pk]), {"reason": "Vessel sold"})
    rfq.refresh_from_db()
    assert (rfq.status, rfq.status_reason) == ("cancelled", "Vessel sold")


def test_transitions_are_post_only(login):
    rfq = seeded("Main engine spare parts — MV Blue Dolphin")
    assert login("buyer").get(reverse("buyer-rfq-publish", args=[rfq.pk])).status_code == 405


def test_revoke_an_invitation(login):
    rfq = seeded("Main engine spare parts — MV Blue Dolphin")
    invitation = rfq.invitations.first()
    login("buyer").post(reverse("buyer-invitation-revoke", args=[rfq.pk, invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.status == "REVOKED"
    other = seeded("Safety gear for MT Nordic Star").invitations.first()
    assert login("buyer").post(reverse("buyer-invitation-revoke", args=[rfq.pk, other.pk])).status_code == 404


def test_a_transition_that_lost_a_race_returns_with_a_message(login, monkeypatch):
    from django_fsm import ConcurrentTransition

    from procurement.views import actions

    def lost_race(**kwargs):
        raise ConcurrentTransition("stale")

    monkeypatch.setitem(actions.TRANSITIONS, "pause", (lost_race, ""))
    rfq = seeded("Fresh provisions for MV Blue Horizon")
    detail = reverse("buyer-rfq-detail", args=[rfq.pk])
    response = login("buyer").post(reverse("buyer-rfq-pause", args=[rfq.pk]), HTTP_REFERER=f"http://testserver{detail}",
                                   follow=True)
    assert response.redirect_chain[-1][0].endswith(detail)
    assert any("The state changed meanwhile" in m for m in flashes(response))
