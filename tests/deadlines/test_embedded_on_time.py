"""The embedded default, tried as a new user would: with nothing but `./quayside up` running
(no broker, no worker, no beat), an auction opens and closes on time and gets its fairness
report. Everything goes through HTTP, as a client on another machine would see it."""
from __future__ import annotations

import os
import signal
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

from tests.factories import rfq_payload
from tests.ports import free_port, wait_until_serving

# It tests the embedded default itself, whatever the suite runs on; once is enough.
pytestmark = pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="the embedded run covers it")

REPO = Path(__file__).resolve().parents[2]
# The scheduler sweeps every second; allow for a busy CI machine on top.
ON_TIME = timedelta(seconds=3)



@pytest.fixture
def site(tmp_path):
    """`./quayside up` on a fresh database of its own, with no service in the environment."""
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'site.sqlite3'}", PORT=str(port), MEDIA_ROOT=str(tmp_path))
    log_path = tmp_path / "site.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([str(REPO / "quayside"), "up"], cwd=REPO, env=env, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(f"{base}/api/v1/", process=proc, log_path=log_path, timeout=120)
        yield base, log_path
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)


def session(base: str, username: str) -> requests.Session:
    response = requests.post(f"{base}/api/v1/auth/token/", json={"username": username, "password": "quayside-demo"},
                             timeout=10)
    assert response.status_code == 200, response.text
    client = requests.Session()
    client.headers["Authorization"] = f"Token {response.json()['token']}"
    client.base = base
    return client


def call(client, method: str, path: str, expect: int = 200, **kwargs):
    response = client.request(method, client.base + path, timeout=15, **kwargs)
    assert response.status_code == expect, f"{method} {path}: {response.status_code} {response.text}"
    return response.json()


def parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def wait_for(predicate, timeout: float, log_path: Path):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        assert time.monotonic() < deadline, log_path.read_text()[-4000:]
        time.sleep(0.2)


def test_an_auction_opens_and_closes_on_time_and_gets_its_report_with_only_the_run_command(site):
    base, log_path = site
    buyer, compliance = session(base, "buyer"), session(base, "compliance")
    suppliers = [session(base, f"supplier{n}") for n in (1, 2)]
    supplier_ids = [call(client, "GET", "/api/v1/suppliers/me/")["id"] for client in suppliers]
    now = datetime.now(UTC)
    # A bidding window that opens shortly after publishing and closes as soon as a deadline may
    # (a minute from now, plus the time to publish): time for two bids; the test waits it out.
    opens_at = now + timedelta(seconds=10)
    deadline = now + timedelta(seconds=75)
    rfq = call(buyer, "POST", "/api/v1/rfqs/", 201, json=rfq_payload(
        bidding_opens_at=opens_at.isoformat(), bidding_deadline=deadline.isoformat(),
        reserve_price={"enabled": False},
        auction={"type": "REVERSE_AUCTION", "settings": {
            "starting_price": "10000.00", "minimum_decrement": "100.00", "extension_trigger_minutes": 0}}))
    rfq_id = rfq["id"]
    call(buyer, "POST", f"/api/v1/rfqs/{rfq_id}/invitations/", 201, json={"supplier_ids": supplier_ids})
    assert call(buyer, "POST", f"/api/v1/rfqs/{rfq_id}/publish/")["status"] == "published"
    for client in suppliers:
        invitation = next(i for i in call(client, "GET", "/api/v1/invitations/") if i["rfq"]["id"] == rfq_id)
        call(client, "POST", f"/api/v1/invitations/{invitation['id']}/accept/")

    # Before the window opens a bid is refused; Daphne's status line names the 422 properly.
    early = suppliers[0].post(f"{base}/api/v1/rfqs/{rfq_id}/bids/", json={"amount": "9900.00"}, timeout=15)
    assert (early.status_code, early.json()["error"]["code"]) == (422, "bid_rejected")
    assert early.reason in ("Unprocessable Entity", "Unprocessable Content")  # the phrase of Python 3.11 / 3.13

    opened = wait_for(lambda: (r := call(buyer, "GET", f"/api/v1/rfqs/{rfq_id}/"))["status"] == "open" and r,
                      40, log_path)
    assert opened["status"] == "open"
    call(suppliers[0], "POST", f"/api/v1/rfqs/{rfq_id}/bids/", 201, json={"amount": "9500.00"})
    call(suppliers[1], "POST", f"/api/v1/rfqs/{rfq_id}/bids/", 201, json={"amount": "9300.00"})

    wait_for(lambda: call(buyer, "GET", f"/api/v1/rfqs/{rfq_id}/")["status"] == "closed", 150, log_path)
    events = wait_for(lambda: (e := call(compliance, "GET", f"/api/v1/audit/events/?rfq={rfq_id}")) and any(
        event["type"] == "fairness.report_generated" for event in e) and e, 30, log_path)
    by_type = {event["type"]: event for event in events}
    assert by_type["rfq.open"]["actor"] == by_type["rfq.close"]["actor"] == "system"  # the jobs did it
    # On time, as the audit trail records it (not as fast as this test happened to poll).
    assert timedelta(0) <= parse(by_type["rfq.open"]["at"]) - opens_at < ON_TIME
    assert timedelta(0) <= parse(by_type["rfq.close"]["at"]) - deadline < ON_TIME
    report = call(buyer, "GET", f"/api/v1/rfqs/{rfq_id}/fairness-report/")
    assert report["summary"]["bids"]["refused_attempts"] == 1
    assert report["summary"]["bids"]["placed"] == 2 and report["outcome"]["recommended"]["supplier"]["id"] == supplier_ids[1]
