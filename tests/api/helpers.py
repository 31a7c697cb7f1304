"""Assertions and builders shared by the API and audit tests."""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from tests.factories import move_deadline_into_past, published_rfq, rfq_payload

ERROR_KEYS = {"code", "message", "fields", "violations"}


def assert_error(response, status: int, code: str | None = None, *, contains: str | None = None) -> dict:
    """The response is `status` with exactly api.md's error body; return the inner error."""
    assert response.status_code == status, (response.status_code, response.content[:2000])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = json.loads(response.content)
    assert set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == ERROR_KEYS, error
    assert isinstance(error["code"], str) and error["code"], error
    assert isinstance(error["message"], str) and error["message"], error
    assert isinstance(error["fields"], dict), error
    assert all(isinstance(name, str) and isinstance(msgs, list) and all(isinstance(m, str) for m in msgs)
               for name, msgs in error["fields"].items()), error
    assert isinstance(error["violations"], list), error
    if code is not None:
        assert error["code"] == code, error
    if contains is not None:
        assert contains.lower() in error["message"].lower(), error
    return error


def field_messages(error: dict, prefix: str) -> str:
    """All field messages whose name starts with `prefix`, joined (for `in` assertions)."""
    return " ".join(" ".join(msgs) for name, msgs in error["fields"].items() if name.startswith(prefix))


def stored_counts() -> dict:
    """Row counts of everything a request could write, to show that a refusal wrote nothing."""
    from auctions.models import Bid
    from audit.models import AuditEvent, AuditStream
    from rfqs.models import RFQ, LineItem
    from suppliers.models import Invitation, KycDocument, SupplierCompany

    counts = {model.__name__: model.objects.count()
              for model in (RFQ, LineItem, Invitation, KycDocument, AuditEvent, AuditStream, Bid)}
    counts["kyc_states"] = sorted(SupplierCompany.objects.values_list("pk", "kyc_status"))
    counts["rfq_states"] = sorted(RFQ.objects.values_list("pk", "status", "bidding_deadline"))
    counts["invitation_states"] = sorted(Invitation.objects.values_list("pk", "status"))
    return counts


def audit_count(rfq_id: int | None = None) -> int:
    from audit.models import AuditEvent

    qs = AuditEvent.objects.all()
    return qs.filter(rfq_id=rfq_id).count() if rfq_id else qs.count()


def rfq_status(rfq_id: int) -> str:
    from rfqs.models import RFQ

    return RFQ.objects.values_list("status", flat=True).get(pk=rfq_id)


def create_draft(demo, *, owner: str = "buyer", suppliers=(), **overrides) -> int:
    """A draft RFQ made through the API, optionally with (pending) invitations."""
    client = demo.client(owner)
    response = client.post("/api/v1/rfqs/", rfq_payload(**overrides), format="json")
    assert response.status_code == 201, response.content
    rfq_id = response.json()["id"]
    if suppliers:
        ids = [demo.supplier(n).pk for n in suppliers]
        invited = client.post(f"/api/v1/rfqs/{rfq_id}/invitations/", {"supplier_ids": ids}, format="json")
        assert invited.status_code == 201, invited.content
    return rfq_id


def place_bid(demo, rfq_id: int, *, supplier: int = 1, amount: str = "8500.00"):
    """An accepted Bid row, as the auction engine would store it (no bidding API yet)."""
    from auctions.models import Bid

    company = demo.supplier(supplier)
    version = Bid.objects.filter(rfq_id=rfq_id, supplier=company).count() + 1
    return Bid.objects.create(rfq_id=rfq_id, supplier=company, submitted_by=company.members.first(),
                              submitted_at=timezone.now(), amount=Decimal(amount), version=version)


def rfq_in_state(demo, state: str, *, owner: str = "buyer") -> int:
    """An RFQ of `owner` brought to `state` through the API (bids are stored directly)."""
    client = demo.client(owner)

    def post(rfq_id, transition, body=None):
        response = client.post(f"/api/v1/rfqs/{rfq_id}/{transition}/", body or {}, format="json")
        assert response.status_code == 200, (transition, response.content)
        return response.json()

    if state == "draft":
        return create_draft(demo, owner=owner, suppliers=(1, 2))
    if state == "published":
        opens = (timezone.now() + timedelta(hours=1)).isoformat()
        rfq_id = published_rfq(demo, owner=owner, accept=(1,), bidding_opens_at=opens)
        assert rfq_status(rfq_id) == "published"
        return rfq_id
    rfq_id = published_rfq(demo, owner=owner, accept=(1,))
    if state == "open":
        return rfq_id
    if state == "paused":
        post(rfq_id, "pause")
        return rfq_id
    if state == "cancelled":
        post(rfq_id, "cancel", {"reason": "Requirement withdrawn."})
        return rfq_id
    if state in ("evaluation", "awarded"):
        bid = place_bid(demo, rfq_id)
    move_deadline_into_past(rfq_id)
    post(rfq_id, "close")
    if state == "closed":
        return rfq_id
    post(rfq_id, "evaluate")
    if state in ("evaluation", "no_award"):
        assert rfq_status(rfq_id) == state
        return rfq_id
    post(rfq_id, "award", {"bid_id": bid.pk, "reason": "Lowest price."})
    assert rfq_status(rfq_id) == "awarded"
    return rfq_id


def mentions_amount(text: str | bytes, amount: str) -> bool:
    """Whether `amount` (e.g. "8765", "33.33") appears in `text` as a number of its own —
    not as digits inside a timestamp, an id or a hash, which would make a leak test flaky."""
    import re

    if isinstance(text, bytes):
        text = text.decode()
    grouped = f"{int(amount.split('.')[0]):,}" + ("." + amount.split(".")[1] if "." in amount else "")
    return any(re.search(rf"(?<![\w.]){re.escape(form)}(?![\w])", text) for form in {amount, grouped})


# --- The RFQ workflow over the API ------------------------------------------------------------

RFQS = "/api/v1/rfqs/"


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def transition(client, rfq_id, name, body=None):
    return client.post(f"{RFQS}{rfq_id}/{name}/", body if body is not None else {}, format="json")


def ok(response, status="open"):
    """The transition succeeded and left the RFQ in `status`; its JSON."""
    assert response.status_code == 200, response.content
    assert response.json()["status"] == status, response.json()
    return response.json()
