"""product.md §6 "Anchoring": a database superuser rewrites history consistently — every later
hash and the stream head recomputed, with the trigger disabled — and the verifier still names
the seq, from the signed checkpoint outside the database and from the tables. The API, the
management command and the admin action say the same."""
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from auctions.models import Bid
from audit.anchoring.services import checkpoint_seal
from audit.chain import verify_events
from audit.models import AuditEvent, rfq_stream
from tests.engine.helpers import bid, created, reverse_auction

from .tamper import delete_tail_and_head, guard_lifted, rewrite_consistently

pytestmark = pytest.mark.postgres

ADMIN_LIST = "/admin/audit/auditevent/"


@pytest.fixture
def sealed_auction(api, demo):
    """A reverse auction with three bids, its stream sealed at its head; returns the RFQ id."""
    rfq = reverse_auction(demo)
    for user, amount in [("supplier1", "9500.00"), ("supplier2", "9300.00"), ("supplier3", "9100.00")]:
        created(bid(api, user, rfq, amount))
    assert checkpoint_seal(stream=rfq_stream(rfq))["seq"] == events_of(rfq)[-1].seq
    return rfq


def events_of(rfq_id):
    return list(AuditEvent.objects.filter(stream=rfq_stream(rfq_id)).order_by("seq"))


def placed(rfq_id, amount):
    return next(e for e in events_of(rfq_id) if e.type == "bid.placed" and e.payload["amount"] == amount)


def every_surface(api, demo, rfq_id) -> dict:
    """What the API, `verify_audit` and the admin action say; asserts they agree."""
    body = api("compliance").get(f"/api/v1/audit/verify/?rfq={rfq_id}").json()
    out, err = StringIO(), StringIO()
    try:
        call_command("verify_audit", "--rfq", str(rfq_id), stdout=out, stderr=err)
        command = out.getvalue()
    except CommandError as exc:
        command = err.getvalue() + str(exc)
    browser = Client()
    browser.force_login(demo.user("compliance"))
    response = browser.post(ADMIN_LIST, {"action": "verify_chain", "index": "0",
                                         "_selected_action": [events_of(rfq_id)[0].pk]}, follow=True)
    admin = " ".join(str(m) for m in response.context["messages"])
    stream = rfq_stream(rfq_id)
    if body["ok"]:
        assert f"intact: {body['checked']} event(s)" in command and f"{stream}: intact" in admin
    else:
        assert f"at seq {body['first_bad_seq']}:" in command
        assert admin.startswith(f"{stream}: BROKEN at seq {body['first_bad_seq']} ")
        for problem in body["problems"]:
            line = f"{stream} seq {problem['seq']} [{problem['kind']}]: {problem['detail']}"
            assert line in command and (problem["detail"] in admin), line
    return body


def test_an_untouched_sealed_chain_verifies_everywhere(api, demo, sealed_auction):
    body = every_surface(api, demo, sealed_auction)
    head = events_of(sealed_auction)[-1]
    assert (body["ok"], body["first_bad_seq"], body["problems"]) == (True, None, [])
    assert (body["checkpoint"]["seq"], body["checkpoint"]["head_hash"]) == (head.seq, head.hash)


def test_a_consistent_rewrite_of_a_bid_event_is_reported_at_its_seq(api, demo, sealed_auction):
    target = placed(sealed_auction, "9300.00")
    with guard_lifted():
        rewrite_consistently(target, {**target.payload, "amount": "9000.00"})
    events = events_of(sealed_auction)
    assert verify_events(rfq_stream(sealed_auction), events).ok  # the chain alone is fooled
    body = every_surface(api, demo, sealed_auction)
    assert (body["ok"], body["first_bad_seq"]) == (False, target.seq)
    kinds = {(p["seq"], p["kind"]) for p in body["problems"]}
    assert (events[-1].seq, "checkpoint") in kinds  # the sealed head is no longer reproduced
    assert (target.seq, "state") in kinds  # and the bid table disagrees with the rewritten event


def test_a_bid_row_changed_without_an_event_is_reported_by_the_state_comparison(api, demo, sealed_auction):
    target = placed(sealed_auction, "9100.00")
    Bid.objects.filter(pk=target.payload["bid_id"]).update(amount="8000.00")  # no trigger guards bids
    body = every_surface(api, demo, sealed_auction)
    assert (body["ok"], body["first_bad_seq"]) == (False, target.seq)
    assert {p["kind"] for p in body["problems"]} == {"state"}
    assert "amount is 8000.00 in the bids table, 9100.00 in the events" in body["problem"]


def test_a_deleted_tail_is_reported_against_the_checkpoint(api, demo, sealed_auction):
    events = events_of(sealed_auction)
    with guard_lifted():
        delete_tail_and_head(rfq_stream(sealed_auction), 2)  # the head cache rewound too
    assert verify_events(rfq_stream(sealed_auction), events[:-2]).ok
    body = every_surface(api, demo, sealed_auction)
    assert (body["ok"], body["first_bad_seq"]) == (False, events[-2].seq)
    assert any(p["kind"] == "checkpoint" and "missing" in p["detail"] for p in body["problems"])
