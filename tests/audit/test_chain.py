"""product.md §6: every change is an appended, hash-chained event; tampering is reported."""
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, transaction
from django.utils import timezone

from audit.chain import GENESIS_HASH, event_hash
from audit.models import PLATFORM_STREAM, AuditEvent, AuditStream, rfq_stream
from tests.api.helpers import assert_error
from tests.engine.helpers import created, items, quote
from tests.factories import move_deadline_into_past, published_rfq

from .tamper import guard_lifted, raw_delete, raw_set, raw_set_payload, trigger_names

VERIFY = "/api/v1/audit/verify/"


@pytest.fixture
def lifecycle(api, demo):
    """An RFQ run through its whole life over the API; returns its id."""
    buyer = api("buyer")
    rfq_id = published_rfq(demo, suppliers=(1, 2, 3), accept=(1,))
    declined = demo.supplier(2).invitations.get(rfq_id=rfq_id)
    assert api("supplier2").post(f"/api/v1/invitations/{declined.pk}/decline/", {"reason": "No capacity."},
                                 format="json").status_code == 200
    revoked = demo.supplier(3).invitations.get(rfq_id=rfq_id)
    assert buyer.post(f"/api/v1/rfqs/{rfq_id}/invitations/{revoked.pk}/revoke/", {"reason": "Duplicate."},
                      format="json").status_code == 200
    for name, reason in [("pause", "Supplier link down."), ("resume", "Link restored.")]:
        assert buyer.post(f"/api/v1/rfqs/{rfq_id}/{name}/", {"reason": reason}, format="json").status_code == 200
    # A real quote, through the bid path: verification rebuilds the auction from its events,
    # and a bid row written straight to the table would rightly be reported.
    bid = created(quote(api, "supplier1", rfq_id, dict(zip(items(rfq_id), ["100.00", "150.00"], strict=True))))
    move_deadline_into_past(rfq_id)
    for name, body in [("close", {"reason": "Deadline."}), ("evaluate", {}),
                       ("award", {"bid_id": bid["id"], "reason": "Lowest price."})]:
        response = buyer.post(f"/api/v1/rfqs/{rfq_id}/{name}/", body, format="json")
        assert response.status_code == 200, (name, response.content)
    return rfq_id


def events_of(rfq_id):
    return list(AuditEvent.objects.filter(stream=rfq_stream(rfq_id)).order_by("seq"))


def verify(api, rfq_id=None):
    response = api("compliance").get(VERIFY if rfq_id is None else f"{VERIFY}?rfq={rfq_id}")
    assert response.status_code == 200, response.content
    return response.json()


def test_every_step_is_an_event_with_actor_and_reason(lifecycle, demo):
    events = events_of(lifecycle)
    summary = [(e.type, e.actor_name) for e in events]
    assert summary == [
        ("rfq.created", "buyer"),
        ("invitation.created", "buyer"), ("invitation.created", "buyer"), ("invitation.created", "buyer"),
        ("rfq.publish", "buyer"),
        ("invitation.sent", "buyer"), ("invitation.sent", "buyer"), ("invitation.sent", "buyer"),
        ("rfq.open", "buyer"),
        ("invitation.accepted", "supplier1"),
        ("invitation.declined", "supplier2"),
        ("invitation.revoked", "buyer"),
        ("rfq.pause", "buyer"), ("rfq.resume", "buyer"), ("bid.placed", "supplier1"),
        ("rfq.close", "buyer"), ("bids.opened", "buyer"), ("auction.ranked", "buyer"), ("rfq.evaluate", "buyer"),
        ("rfq.award", "buyer"),
    ]
    by_type = {e.type: e for e in events}
    for event in events:
        assert event.actor_id == demo.user(event.actor_name).pk
        assert event.rfq_id == lifecycle
        assert event.at <= timezone.now()
    assert by_type["invitation.declined"].payload["reason"] == "No capacity."
    assert by_type["invitation.revoked"].payload["reason"] == "Duplicate."
    for name, reason in [("pause", "Supplier link down."), ("resume", "Link restored."), ("close", "Deadline."),
                         ("award", "Lowest price."), ("evaluate", "")]:
        payload = by_type[f"rfq.{name}"].payload
        assert payload["reason"] == reason, name
        assert {"from", "to", "bidding_deadline"} <= set(payload)
    assert (by_type["rfq.award"].payload["from"], by_type["rfq.award"].payload["to"]) == ("evaluation", "awarded")


def test_kyc_decisions_are_events_on_the_platform_stream(api, demo):
    before = AuditEvent.objects.filter(stream=PLATFORM_STREAM).count()
    pending = demo.supplier(5)
    assert api("compliance").post(f"/api/v1/suppliers/{pending.pk}/kyc/reject/", {"reason": "Expired insurance."},
                                  format="json").status_code == 200
    event = AuditEvent.objects.filter(stream=PLATFORM_STREAM).latest("seq")
    assert event.seq == before + 1
    assert (event.type, event.actor_name, event.rfq_id) == ("kyc.rejected", "compliance", None)
    assert (event.payload["supplier_id"], event.payload["reason"]) == (pending.pk, "Expired insurance.")


def test_every_stream_is_gap_free_and_linked(lifecycle):
    streams = AuditStream.objects.all()
    assert streams.count() >= 6  # platform + one per RFQ
    for head in streams:
        events = list(AuditEvent.objects.filter(stream=head.key).order_by("seq"))
        assert [e.seq for e in events] == list(range(1, len(events) + 1)), head.key
        assert head.last_seq == len(events)
        assert head.last_hash == events[-1].hash
        previous = GENESIS_HASH
        for event in events:
            assert event.prev_hash == previous
            assert event.hash == event_hash(stream=event.stream, seq=event.seq, type=event.type,
                                            actor_id=event.actor_id, actor_name=event.actor_name, at=event.at,
                                            payload=event.payload, prev_hash=event.prev_hash)
            previous = event.hash


def test_verify_api_for_compliance(api, lifecycle):
    assert verify(api, lifecycle) == {"ok": True, "checked": len(events_of(lifecycle)), "first_bad_seq": None,
                                      "stream": None, "problem": "", "problems": [], "checkpoint": None}
    whole = verify(api)
    assert whole["ok"] is True and whole["first_bad_seq"] is None
    assert whole["checked"] == AuditEvent.objects.count()


def test_verify_of_an_rfq_that_does_not_exist_is_404(api):
    assert_error(api("compliance").get(f"{VERIFY}?rfq=987654321"), 404, "not_found")
    with pytest.raises(CommandError, match="no RFQ 987654321"):
        call_command("verify_audit", "--rfq", "987654321", stdout=StringIO())


@pytest.mark.parametrize("username", ["buyer", "buyer2", "supplier1", "supplier5"])
def test_only_compliance_reads_or_verifies_the_trail(api, lifecycle, username):
    client = api(username)
    for path in (f"{VERIFY}?rfq={lifecycle}", VERIFY, f"/api/v1/audit/events/?rfq={lifecycle}",
                 "/api/v1/audit/events/"):
        assert_error(client.get(path), 403, "permission_denied")
    assert_error(api(None).get(VERIFY), 401)


def test_events_api_lists_one_rfqs_stream(api, lifecycle):
    listed = api("compliance").get(f"/api/v1/audit/events/?rfq={lifecycle}").json()
    stored = events_of(lifecycle)
    assert [e["seq"] for e in listed] == [e.seq for e in stored]
    first = listed[0]
    assert {"seq", "type", "actor", "at", "payload", "prev_hash", "hash"} <= set(first)
    assert (first["type"], first["actor"], first["prev_hash"], first["hash"]) == \
        ("rfq.created", "buyer", GENESIS_HASH, stored[0].hash)


def test_verify_audit_command_passes_on_an_intact_trail(lifecycle):
    out = StringIO()
    call_command("verify_audit", stdout=out)
    assert f"intact: {AuditEvent.objects.count()} event(s)" in out.getvalue()
    out = StringIO()
    call_command("verify_audit", "--rfq", str(lifecycle), stdout=out)
    assert f"intact: {len(events_of(lifecycle))} event(s)" in out.getvalue()


# --- The database refuses changes ----------------------------------------------------------

def test_the_database_refuses_update_and_delete(lifecycle):
    event = events_of(lifecycle)[3]
    attempts = [
        lambda: raw_set_payload(event.pk, {"reason": "rewritten"}),
        lambda: raw_set(event.pk, actor_name="somebody-else"),
        lambda: raw_delete(event.pk),
        lambda: AuditEvent.objects.filter(pk=event.pk).update(type="rfq.cancel"),
        lambda: AuditEvent.objects.filter(stream=rfq_stream(lifecycle)).delete(),
    ]
    for attempt in attempts:
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            attempt()
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.payload, stored.actor_name, stored.type, stored.hash) == \
        (event.payload, event.actor_name, event.type, event.hash)
    assert {"audit_event_append_only"} <= trigger_names() or \
        {"audit_event_no_update", "audit_event_no_delete"} <= trigger_names()


# --- Tampering is reported, wherever one looks ---------------------------------------------------

def tampered_event(rfq_id, index=5):
    """Rewrite one event's payload behind the guard; return its seq."""
    event = events_of(rfq_id)[index]
    with guard_lifted():
        raw_set_payload(event.pk, {**event.payload, "supplier": "Somebody Else Ltd"})
    return event.seq


def test_an_altered_payload_is_reported_at_its_seq(api, lifecycle):
    triggers = trigger_names()
    seq = tampered_event(lifecycle)
    assert trigger_names() == triggers  # the guard is back
    result = verify(api, lifecycle)
    assert (result["ok"], result["first_bad_seq"], result["checked"]) == (False, seq, seq - 1)
    assert result["stream"] == rfq_stream(lifecycle)
    assert "hash" in result["problem"]
    whole = verify(api)
    assert (whole["ok"], whole["first_bad_seq"], whole["stream"]) == (False, seq, rfq_stream(lifecycle))
    with pytest.raises(CommandError, match=rf"stream rfq:{lifecycle} at seq {seq}\b"):
        call_command("verify_audit", stdout=StringIO())
    with pytest.raises(CommandError, match=rf"at seq {seq}\b"):
        call_command("verify_audit", "--rfq", str(lifecycle), stdout=StringIO())
    # Other RFQs' chains are still intact.
    other = AuditStream.objects.exclude(key__in=[rfq_stream(lifecycle), PLATFORM_STREAM]).first()
    assert verify(api, int(other.key.split(":")[1]))["ok"] is True


def test_the_sqlite_trigger_dropped_inside_the_test(api, lifecycle, django_db_blocker):
    """The brief's literal recipe on the embedded default: drop audit_event_no_update, UPDATE."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite recipe; PostgreSQL has test_postgres_trigger.py")
    event = events_of(lifecycle)[2]
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER audit_event_no_update")
        cursor.execute("UPDATE audit_auditevent SET payload = %s WHERE id = %s", ['{"forged": true}', event.pk])
    assert verify(api, lifecycle)["first_bad_seq"] == event.seq
    with pytest.raises(CommandError, match=rf"at seq {event.seq}\b"):
        call_command("verify_audit", "--rfq", str(lifecycle), stdout=StringIO())


def test_a_rehashed_forgery_breaks_the_next_link(api, lifecycle):
    """An attacker who recomputes the forged event's hash still breaks its successor's prev_hash."""
    event = events_of(lifecycle)[4]
    forged = {**event.payload, "reason": "forged"}
    forged_hash = event_hash(stream=event.stream, seq=event.seq, type=event.type, actor_id=event.actor_id,
                             actor_name=event.actor_name, at=event.at, payload=forged, prev_hash=event.prev_hash)
    with guard_lifted():
        raw_set_payload(event.pk, forged)
        raw_set(event.pk, hash=forged_hash)
    result = verify(api, lifecycle)
    assert (result["ok"], result["first_bad_seq"]) == (False, event.seq + 1)
    assert "prev_hash" in result["problem"]


def test_a_deleted_event_is_reported_as_missing(api, lifecycle):
    event = events_of(lifecycle)[6]
    with guard_lifted():
        raw_delete(event.pk)
    result = verify(api, lifecycle)
    assert (result["ok"], result["first_bad_seq"], result["checked"]) == (False, event.seq, event.seq - 1)
    assert "missing" in result["problem"]


def test_a_deleted_tail_is_reported_as_missing(api, lifecycle):
    """The chain that is left is whole, but the stream head knows it was longer."""
    events = events_of(lifecycle)
    with guard_lifted():
        for event in events[-2:]:
            raw_delete(event.pk)
    head = AuditStream.objects.get(key=rfq_stream(lifecycle))
    assert head.last_seq == len(events)
    result = verify(api, lifecycle)
    assert (result["ok"], result["first_bad_seq"], result["checked"]) == (False, len(events) - 1, len(events) - 2)
    assert "missing" in result["problem"]
    with pytest.raises(CommandError, match=rf"at seq {len(events) - 1}\b"):
        call_command("verify_audit", stdout=StringIO())


def test_a_moved_timestamp_is_reported(api, lifecycle):
    event = events_of(lifecycle)[1]
    with guard_lifted():
        raw_set(event.pk, at=event.at - timedelta(hours=1))
    assert verify(api, lifecycle)["first_bad_seq"] == event.seq
