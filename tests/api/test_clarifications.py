"""Clarifications (issue 14 part 2, api.md "Around the event"): a supplier asks privately;
the buyer answers the asker or publishes to every invited supplier without naming the asker."""
from __future__ import annotations

import json

import pytest
from django.core import mail

from audit.models import AuditEvent
from common import realtime
from tests.api.helpers import assert_error
from tests.factories import published_rfq

QUESTION = "Is halal-certified rice acceptable for line 1?"
ANSWER = "Yes, halal-certified rice is acceptable."


@pytest.fixture
def rfq_id(demo):
    return published_rfq(demo, suppliers=(1, 2), accept=(1,))


def ask(api, rfq_id, who="supplier1", question=QUESTION):
    return api(who).post(f"/api/v1/rfqs/{rfq_id}/clarifications/", {"question": question}, format="json")


def answer(api, rfq_id, cid, publish, who="buyer", capture=None):
    if capture is not None:  # the e-mails go after commit
        with capture(execute=True):
            return answer(api, rfq_id, cid, publish, who)
    return api(who).post(f"/api/v1/rfqs/{rfq_id}/clarifications/{cid}/answer/",
                         {"answer": ANSWER, "publish": publish}, format="json")


def names_asker(text: str, demo) -> bool:
    asker = demo.supplier(1)
    return asker.name in text or '"asked_by"' in text or "supplier_id" in text


def test_published_answer_reaches_every_invited_supplier_without_the_asker(
        api, demo, rfq_id, django_capture_on_commit_callbacks):
    created = ask(api, rfq_id)
    assert created.status_code == 201, created.content
    cid = created.json()["id"]
    assert created.json()["mine"] is True and "asked_by" not in created.json()
    # Before the answer another supplier sees nothing of the question.
    assert api("supplier2").get(f"/api/v1/rfqs/{rfq_id}/clarifications/").json() == []
    mail.outbox.clear()
    with_mail = answer(api, rfq_id, cid, True, capture=django_capture_on_commit_callbacks)
    assert with_mail.status_code == 200, with_mail.content
    assert with_mail.json()["asked_by"]["id"] == demo.supplier(1).pk  # the buyer sees the asker

    other = api("supplier2").get(f"/api/v1/rfqs/{rfq_id}/clarifications/")
    assert other.status_code == 200
    [item] = other.json()
    assert item["question"] == QUESTION and item["answer"] == ANSWER and item["published"] is True
    assert item["mine"] is False and "asked_by" not in item
    assert not names_asker(other.content.decode(), demo)

    recipients = {address for message in mail.outbox for address in message.to}
    for n in (1, 2):
        assert set(demo.supplier(n).members.values_list("email", flat=True)) <= recipients
    for message in mail.outbox:
        assert QUESTION in message.body and ANSWER in message.body
        assert demo.supplier(1).name not in message.body + message.subject

    events = api("supplier2").get(f"/api/v1/rfqs/{rfq_id}/events/")
    assert events.status_code == 200
    assert "clarification" not in events.content.decode() and not names_asker(events.content.decode(), demo)
    types = set(AuditEvent.objects.filter(type__startswith="clarification.").values_list("type", flat=True))
    assert types == {"clarification.asked", "clarification.answered"}
    rfq = demo.supplier(1).invitations.get(rfq_id=rfq_id).rfq
    assert not any(realtime.is_live(t, rfq) for t in types)


def test_unpublished_answer_reaches_only_the_asker(api, demo, rfq_id, django_capture_on_commit_callbacks):
    cid = ask(api, rfq_id).json()["id"]
    mail.outbox.clear()
    assert answer(api, rfq_id, cid, False, capture=django_capture_on_commit_callbacks).status_code == 200
    asker_emails = set(demo.supplier(1).members.values_list("email", flat=True))
    assert mail.outbox and all(set(m.to) <= asker_emails | {demo.supplier(1).contact_email} for m in mail.outbox)
    assert all("sent to you only" in m.body for m in mail.outbox)
    assert api("supplier2").get(f"/api/v1/rfqs/{rfq_id}/clarifications/").json() == []
    [mine] = api("supplier1").get(f"/api/v1/rfqs/{rfq_id}/clarifications/").json()
    assert mine["answer"] == ANSWER and mine["published"] is False
    assert api("compliance").get(f"/api/v1/rfqs/{rfq_id}/clarifications/").json()[0]["asked_by"]


def test_answering_twice_is_a_conflict(api, rfq_id):
    cid = ask(api, rfq_id).json()["id"]
    assert answer(api, rfq_id, cid, False).status_code == 200
    assert_error(answer(api, rfq_id, cid, True), 409)


def test_tenancy(api, demo, rfq_id):
    cid = ask(api, rfq_id).json()["id"]
    for who in ("buyer2", "supplier3"):
        assert_error(api(who).get(f"/api/v1/rfqs/{rfq_id}/clarifications/"), 404)
        assert_error(answer(api, rfq_id, cid, True, who=who), 404)
    assert_error(ask(api, rfq_id, who="supplier3"), 404)
    assert_error(answer(api, rfq_id, cid, True, who="supplier2"), 403)
    assert_error(ask(api, rfq_id, who="buyer"), 403)
    assert_error(answer(api, rfq_id, 10**9, True), 404)


def test_a_supplier_that_declined_cannot_ask(api, demo, rfq_id):
    invitation = demo.supplier(2).invitations.get(rfq_id=rfq_id)
    assert api("supplier2").post(f"/api/v1/invitations/{invitation.pk}/decline/",
                                 {"reason": "busy"}, format="json").status_code == 200
    assert_error(ask(api, rfq_id, who="supplier2"), 403)


@pytest.mark.parametrize("body", [{}, {"question": ""}, {"question": "   "}, {"question": 7},
                                  {"question": "x" * 2001}, [1]])
def test_bad_questions_are_400(api, rfq_id, body):
    response = api("supplier1").post(f"/api/v1/rfqs/{rfq_id}/clarifications/", body, format="json")
    assert_error(response, 400)


@pytest.mark.parametrize("body", [{}, {"answer": ""}, {"answer": "ok", "publish": "yes"}, {"answer": None}])
def test_bad_answers_are_400(api, rfq_id, body):
    cid = ask(api, rfq_id).json()["id"]
    response = api("buyer").post(f"/api/v1/rfqs/{rfq_id}/clarifications/{cid}/answer/", body, format="json")
    assert_error(response, 400)
    assert json.loads(response.content)["error"]["code"]
