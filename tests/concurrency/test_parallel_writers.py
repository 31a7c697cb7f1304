"""Parallel clients over real HTTP on PostgreSQL: one order of events, no double transitions."""
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest
import requests

from audit.models import AuditEvent
from oversight.selectors import audit_verify
from rfqs.models import RFQ
from suppliers.models import Invitation
from tests.factories import rfq_payload

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
CLIENTS = 24


def token_for(base: str, username: str) -> dict:
    response = requests.post(f"{base}/api/v1/auth/token/", json={"username": username, "password": "quayside-demo"},
                             timeout=10)
    return {"Authorization": f"Token {response.json()['token']}"}


def race(calls):
    """Start every call at the same instant; return their responses."""
    barrier = Barrier(len(calls))

    def run(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


@pytest.fixture
def draft(live_server, demo):
    headers = token_for(live_server.url, "buyer")
    response = requests.post(f"{live_server.url}/api/v1/rfqs/", json=rfq_payload(), headers=headers, timeout=10)
    assert response.status_code == 201, response.text
    return live_server.url, headers, response.json()["id"]


def test_parallel_invitations_create_one_row_per_supplier(draft, demo):
    base, headers, rfq_id = draft
    ids = [demo.supplier(n).pk for n in (1, 2, 3, 4)]
    responses = race([lambda: requests.post(f"{base}/api/v1/rfqs/{rfq_id}/invitations/", json={"supplier_ids": ids},
                                            headers=headers, timeout=30)] * CLIENTS)
    assert [r.status_code for r in responses] == [201] * CLIENTS
    assert Invitation.objects.filter(rfq_id=rfq_id).count() == 4
    assert AuditEvent.objects.filter(rfq_id=rfq_id, type="invitation.created").count() == 4


def test_parallel_publish_happens_once(draft, demo):
    base, headers, rfq_id = draft
    ids = [demo.supplier(n).pk for n in (1, 2)]
    requests.post(f"{base}/api/v1/rfqs/{rfq_id}/invitations/", json={"supplier_ids": ids}, headers=headers, timeout=10)
    responses = race([lambda: requests.post(f"{base}/api/v1/rfqs/{rfq_id}/publish/", json={}, headers=headers,
                                            timeout=30)] * CLIENTS)
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] + [409] * (CLIENTS - 1)
    assert all(r.json()["error"]["code"] == "invalid_transition" for r in responses if r.status_code == 409)
    assert RFQ.objects.get(pk=rfq_id).status == "open"
    assert AuditEvent.objects.filter(rfq_id=rfq_id, type="rfq.publish").count() == 1
    assert Invitation.objects.filter(rfq_id=rfq_id, status="SENT").count() == 2


def test_audit_stream_stays_gap_free_under_parallel_writers(draft, demo):
    """Invitations, answers and KYC decisions racing: every stream is 1..n and verifies."""
    base, headers, rfq_id = draft
    ids = [demo.supplier(n).pk for n in (1, 2, 3, 4)]
    requests.post(f"{base}/api/v1/rfqs/{rfq_id}/invitations/", json={"supplier_ids": ids}, headers=headers, timeout=10)
    assert requests.post(f"{base}/api/v1/rfqs/{rfq_id}/publish/", json={}, headers=headers, timeout=10).ok
    calls = []
    for n in (1, 2, 3, 4):
        supplier_headers = token_for(base, f"supplier{n}")
        invitation = Invitation.objects.get(rfq_id=rfq_id, supplier_id=demo.supplier(n).pk)
        action = "accept" if n % 2 else "decline"
        calls += [lambda h=supplier_headers, i=invitation.pk, a=action: requests.post(
            f"{base}/api/v1/invitations/{i}/{a}/", json={}, headers=h, timeout=30)] * 3
    compliance = token_for(base, "compliance")
    calls.append(lambda: requests.post(f"{base}/api/v1/suppliers/{demo.supplier(5).pk}/kyc/approve/", json={},
                                       headers=compliance, timeout=30))
    responses = race(calls)
    assert all(r.status_code in (200, 409) for r in responses), [r.text for r in responses if r.status_code >= 500]
    # Each invitation was answered exactly once; the losers of each race got 409.
    assert sum(r.status_code == 200 for r in responses) == 4 + 1
    seqs = list(AuditEvent.objects.filter(rfq_id=rfq_id).order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    result = audit_verify()
    assert result.ok, result
