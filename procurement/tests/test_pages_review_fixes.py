"""Small things seen in review (issue 15, part 7), on the supplier's and the buyer's pages."""
from __future__ import annotations

from django.urls import reverse

from tests.factories import published_rfq


# --- The invitation inbox: only a running deadline counts down --------------------------------

def _row(content: bytes, invitation_pk: int) -> str:
    text = content.decode()
    start = text.index(f'data-invitation="{invitation_pk}"')
    return text[start:text.index("</tr>", start)]


def test_cancelled_rfq_shows_no_countdown_in_the_inbox(demo, api, login):
    rfq_id = published_rfq(demo, accept=(1,))
    invitation = demo.supplier(1).invitations.get(rfq_id=rfq_id)
    before = login("supplier1").get(reverse("supplier-invitations"))
    assert "<div class=\"sub\">in " in _row(before.content, invitation.pk)  # published: counts down

    assert api("buyer").post(f"/api/v1/rfqs/{rfq_id}/cancel/", {"reason": "Vessel sold."},
                             format="json").status_code == 200
    after = login("supplier1").get(reverse("supplier-invitations"))
    row = _row(after.content, invitation.pk)
    assert "Cancelled" in row and "<div class=\"sub\">in " not in row
