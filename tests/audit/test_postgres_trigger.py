"""PostgreSQL's trigger makes audit events append-only; with it disabled, every verifier
(API, management command, admin) names the altered event."""
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client

from audit.models import AuditEvent, AuditStream, rfq_stream
from tests.factories import published_rfq

from .tamper import TABLE, guard_lifted, raw_set_payload, trigger_names

pytestmark = pytest.mark.postgres

ADMIN_LIST = "/admin/audit/auditevent/"


@pytest.fixture
def rfq_id(demo):
    return published_rfq(demo, suppliers=(1, 2, 3), accept=(1, 2))


def events_of(rfq_id):
    return list(AuditEvent.objects.filter(stream=rfq_stream(rfq_id)).order_by("seq"))


def execute(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_the_triggers_are_installed(db):
    assert {"audit_event_append_only", "audit_event_no_truncate"} <= trigger_names()


@pytest.mark.parametrize("sql", [
    f"UPDATE {TABLE} SET payload = '{{}}'::jsonb WHERE id = %s",
    f"UPDATE {TABLE} SET actor_name = 'nobody' WHERE id = %s",
    f"UPDATE {TABLE} SET hash = hash WHERE id = %s",
    f"DELETE FROM {TABLE} WHERE id = %s",
    f"DELETE FROM {TABLE} WHERE id >= %s",
])
def test_raw_update_and_delete_raise(rfq_id, sql):
    event = events_of(rfq_id)[2]
    with pytest.raises(DatabaseError, match="append-only") as refused, transaction.atomic():
        execute(sql, [event.pk])
    assert re.search(r"(UPDATE|DELETE) refused", str(refused.value))
    assert AuditEvent.objects.get(pk=event.pk).hash == event.hash
    assert AuditEvent.objects.filter(stream=rfq_stream(rfq_id)).count() == len(events_of(rfq_id))


def test_truncate_raises(rfq_id):
    count = AuditEvent.objects.count()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        execute(f"TRUNCATE {TABLE}")
    assert AuditEvent.objects.count() == count


def test_orm_writes_raise_too(rfq_id):
    event = events_of(rfq_id)[0]
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(type="rfq.cancel")
    with pytest.raises(DatabaseError), transaction.atomic():
        event.payload = {"rewritten": True}
        event.save()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).type == "rfq.created"


@pytest.fixture
def compliance_browser(demo):
    client = Client()
    client.force_login(demo.user("compliance"))
    return client


def run_admin_verify(client, event_ids):
    response = client.post(ADMIN_LIST, {"action": "verify_chain", "_selected_action": event_ids, "index": "0"},
                           follow=True)
    assert response.status_code == 200
    return [str(message) for message in response.context["messages"]]


def test_with_the_trigger_disabled_every_verifier_names_the_altered_event(api, rfq_id, compliance_browser):
    events = events_of(rfq_id)
    target = events[4]
    stream = rfq_stream(rfq_id)

    # Before: intact everywhere.
    assert api("compliance").get(f"/api/v1/audit/verify/?rfq={rfq_id}").json()["ok"] is True
    page = compliance_browser.get(ADMIN_LIST)
    assert page.status_code == 200 and "chain intact" in page.content.decode()
    messages = run_admin_verify(compliance_browser, [events[0].pk])
    assert messages == [f"{stream}: intact, {len(events)} event(s) checked."]

    with guard_lifted():
        assert "audit_event_append_only" not in trigger_names()
        execute(f"UPDATE {TABLE} SET payload = payload || '{{\"supplier\": \"Forged Ltd\"}}'::jsonb WHERE id = %s",
                [target.pk])
    assert "audit_event_append_only" in trigger_names()  # re-enabled
    with pytest.raises(DatabaseError), transaction.atomic():  # and working again
        raw_set_payload(target.pk, {})

    # The API...
    result = api("compliance").get(f"/api/v1/audit/verify/?rfq={rfq_id}").json()
    assert (result["ok"], result["first_bad_seq"], result["checked"], result["stream"]) == \
        (False, target.seq, target.seq - 1, stream)
    # ...the management command...
    with pytest.raises(CommandError, match=rf"stream {stream} at seq {target.seq}\b"):
        call_command("verify_audit", stdout=StringIO())
    with pytest.raises(CommandError, match=rf"at seq {target.seq}\b"):
        call_command("verify_audit", "--rfq", str(rfq_id), stdout=StringIO())
    # ...and the admin: the changelist's headline and the verify action.
    page = compliance_browser.get(ADMIN_LIST).content.decode()
    assert f"BROKEN in {stream} at seq {target.seq}:" in page
    messages = run_admin_verify(compliance_browser, [events[0].pk])
    assert len(messages) == 1
    assert messages[0].startswith(f"{stream}: BROKEN at seq {target.seq} ")
    # Other streams selected alongside are reported intact.
    other = AuditEvent.objects.exclude(stream=stream).filter(rfq__isnull=False).first()
    messages = run_admin_verify(compliance_browser, [events[0].pk, other.pk])
    other_count = AuditStream.objects.get(key=other.stream).last_seq
    assert f"{other.stream}: intact, {other_count} event(s) checked." in messages
    assert any(m.startswith(f"{stream}: BROKEN at seq {target.seq} ") for m in messages)


def test_a_deleted_tail_is_reported_by_every_verifier(api, rfq_id, compliance_browser):
    events = events_of(rfq_id)
    stream = rfq_stream(rfq_id)
    with guard_lifted():
        execute(f"DELETE FROM {TABLE} WHERE id = %s", [events[-1].pk])
    assert AuditStream.objects.get(key=stream).last_seq == events[-1].seq  # the head cache is ahead
    result = api("compliance").get(f"/api/v1/audit/verify/?rfq={rfq_id}").json()
    assert (result["ok"], result["first_bad_seq"]) == (False, events[-1].seq)
    with pytest.raises(CommandError, match=rf"at seq {events[-1].seq}\b"):
        call_command("verify_audit", "--rfq", str(rfq_id), stdout=StringIO())
    messages = run_admin_verify(compliance_browser, [events[0].pk])
    assert messages[0].startswith(f"{stream}: BROKEN at seq {events[-1].seq} ")


def test_the_admin_offers_no_way_to_change_events(rfq_id, compliance_browser):
    event = events_of(rfq_id)[0]
    assert compliance_browser.get(f"{ADMIN_LIST}add/").status_code == 403
    assert compliance_browser.post(f"{ADMIN_LIST}{event.pk}/delete/", {"post": "yes"}).status_code == 403
    compliance_browser.post(f"{ADMIN_LIST}{event.pk}/change/", {"type": "rfq.cancel"})
    assert AuditEvent.objects.get(pk=event.pk).type == "rfq.created"
