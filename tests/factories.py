"""Builders for test data beyond the demo world: valid RFQ payloads and RFQs in any state."""
from __future__ import annotations

from datetime import timedelta

from django.utils import timezone


def rfq_payload(**overrides) -> dict:
    """A valid POST /api/v1/rfqs/ body (api.md's example), with overrides."""
    deadline = timezone.now() + timedelta(days=3)
    payload = {
        "title": "Provisions for MV Test Vessel", "description": "Monthly stores.",
        "category": "provisions", "currency": "USD", "delivery_port": "SGSIN",
        "delivery_date": (deadline + timedelta(days=10)).date().isoformat(),
        "bidding_opens_at": None, "bidding_deadline": deadline.isoformat().replace("+00:00", "Z"),
        "line_items": [
            {"description": "Rice 25kg", "quantity": "40", "unit": "bag", "impa_code": "000101"},
            {"description": "Flour 10kg", "quantity": "20", "unit": "bag"},
        ],
        "auction": {"type": "SEALED_BID", "settings": {}},
        "reserve_price": {"enabled": True, "amount": "9000.00", "visibility": "hidden",
                          "auto_accept_if_met": False, "notify_buyer_if_not_met": True},
        "tie_breaking": {"criteria": ["earliest_submission", "higher_tier"], "final_fallback": "random"},
    }
    payload.update(overrides)
    return payload


def published_rfq(demo, *, owner: str = "buyer", suppliers=(1, 2), accept=(), **overrides):
    """Create through the API as `owner`, invite demo suppliers, publish; return the RFQ id."""
    client = demo.client(owner)
    response = client.post("/api/v1/rfqs/", rfq_payload(**overrides), format="json")
    assert response.status_code == 201, response.content
    rfq_id = response.json()["id"]
    ids = [demo.supplier(n).pk for n in suppliers]
    assert client.post(f"/api/v1/rfqs/{rfq_id}/invitations/", {"supplier_ids": ids}, format="json").status_code == 201
    assert client.post(f"/api/v1/rfqs/{rfq_id}/publish/", {}, format="json").status_code == 200
    for n in accept:
        invitation = demo.supplier(n).invitations.get(rfq_id=rfq_id)
        assert demo.client(f"supplier{n}").post(f"/api/v1/invitations/{invitation.pk}/accept/").status_code == 200
    return rfq_id


def move_deadline_into_past(rfq_id: int) -> None:
    """Make the deadline pass without waiting (tests of close/evaluate)."""
    from procurement.models import RFQ

    RFQ.objects.filter(pk=rfq_id).update(bidding_deadline=timezone.now() - timedelta(seconds=1))
