"""RFQ services: a transition and its audit events commit together, or not at all."""
import pytest

from audit.models import AuditEvent
from common.errors import InvalidTransition
from procurement import services
from tests.factories import RFQFactory, SupplierCompanyFactory


@pytest.fixture
def suppliers(db):
    return SupplierCompanyFactory.create_batch(2)


@pytest.fixture
def draft(suppliers):
    """A draft sealed-bid RFQ with two suppliers chosen (their invitations pending)."""
    return RFQFactory(invited=suppliers)


def test_publish_audits_every_step_with_actor_and_reason(draft, suppliers):
    buyer = draft.created_by
    services.rfq_publish(rfq=draft, user=buyer, reason="Ready to go.")
    draft.refresh_from_db()
    assert draft.status == "open"
    events = list(AuditEvent.objects.filter(rfq=draft).order_by("seq"))
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    publish = next(e for e in events if e.type == "rfq.publish")
    assert (publish.actor_id, publish.payload["reason"], publish.payload["from"], publish.payload["to"]) == \
        (buyer.pk, "Ready to go.", "draft", "published")
    assert sorted(publish.payload["invited"]) == sorted(supplier.pk for supplier in suppliers)


def test_a_failure_inside_publish_leaves_the_draft_and_its_trail_untouched(draft, monkeypatch):
    events = AuditEvent.objects.filter(rfq=draft).count()

    def broken_send(**kwargs):
        raise RuntimeError("mail queue down")

    monkeypatch.setattr(services, "invitations_send_pending", broken_send)
    with pytest.raises(RuntimeError):
        services.rfq_publish(rfq=draft, user=draft.created_by)
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert draft.published_at is None
    assert AuditEvent.objects.filter(rfq=draft).count() == events
    assert set(draft.invitations.values_list("status", flat=True)) == {"PENDING"}


def test_a_refused_transition_writes_nothing(draft):
    events = AuditEvent.objects.filter(rfq=draft).count()
    with pytest.raises(InvalidTransition) as refused:
        services.rfq_close(rfq=draft, user=draft.created_by)
    assert "draft" in refused.value.message
    with pytest.raises(InvalidTransition):
        services.rfq_resume(rfq=draft, user=draft.created_by)
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert AuditEvent.objects.filter(rfq=draft).count() == events


def test_the_status_field_cannot_be_set_directly(draft):
    with pytest.raises(AttributeError):
        draft.status = "open"
