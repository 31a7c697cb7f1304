"""Clarifications in the admin: compliance (and a superuser) read them with the asker; nobody
adds, changes or deletes a question or an answer there (they are an audit record)."""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from rfqs.models import Clarification
from tests.factories import published_rfq

QUESTION = "Is a substitute brand acceptable for the flour?"


def test_compliance_and_a_superuser_read_clarifications_but_cannot_change_them(demo, login):
    rfq_id = published_rfq(demo, suppliers=(1, 2), accept=(1,))
    login("supplier1").post(reverse("supplier-rfq-clarification-ask", args=[rfq_id]), {"question": QUESTION})
    item = Clarification.objects.get(rfq_id=rfq_id)
    superuser = Client()
    superuser.force_login(get_user_model().objects.create_superuser("root", password="x"))
    changelist = "/admin/procurement/clarification/"
    change = f"/admin/procurement/clarification/{item.pk}/change/"
    for client in (login("compliance"), superuser):
        listing = client.get(changelist)
        assert listing.status_code == 200 and item.rfq.reference in listing.content.decode()
        assert client.get(changelist, {"q": "substitute brand"}).content.decode().count(change) == 1
        assert change not in client.get(changelist, {"q": "no such words"}).content.decode()
        detail = client.get(change)
        assert detail.status_code == 200 and QUESTION in detail.content.decode()
        assert demo.supplier(1).name in detail.content.decode()
        assert 'name="_save"' not in detail.content.decode()  # view-only
        assert client.post(change, {"question": "Rewritten", "answer": "x"}).status_code == 403
        assert client.get("/admin/procurement/clarification/add/").status_code == 403
        assert client.post(f"/admin/procurement/clarification/{item.pk}/delete/", {"post": "yes"}).status_code == 403
    item.refresh_from_db()
    assert item.question == QUESTION and item.answer == ""
    for user in ("buyer", "supplier1"):
        assert login(user).get(changelist).status_code == 302, user
