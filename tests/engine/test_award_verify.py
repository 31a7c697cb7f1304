"""product.md §6: the audit verifier compares the stored award — each awarded line and what each
winner is paid — with the award's event, for split, VCG and whole awards alike; a changed
payment or line is reported at the award's seq."""
from decimal import Decimal

from django.db.models import F

from auctions.models import AwardLine, AwardPayment
from audit.models import AuditEvent
from oversight.selectors import audit_verify

from .helpers import transition
from .split_helpers import close_and_evaluate, split_auction, split_quotes
from .test_outcome import second_price_awarded


def award_seq(rfq: int) -> int:
    return AuditEvent.objects.get(rfq_id=rfq, type="rfq.award").seq


def broken_at_award(rfq: int, words: str) -> None:
    result = audit_verify(rfq_id=rfq)
    assert not result.ok and result.first_bad_seq == award_seq(rfq), result
    assert any(words in problem.detail for problem in result.problems), result.problems


def test_a_vcg_split_award_verifies_and_a_changed_payment_or_line_does_not(api, demo):
    rfq = split_auction(demo)
    split_quotes(api, rfq)
    close_and_evaluate(api, rfq)
    transition(api, "buyer", rfq, "evaluate")
    assert api("buyer").post(f"/api/v1/rfqs/{rfq}/award/", {"allocation": "recommended"},
                             format="json").status_code == 200
    assert audit_verify(rfq_id=rfq).ok, audit_verify(rfq_id=rfq).problem

    payment = AwardPayment.objects.filter(rfq_id=rfq).order_by("pk").first()
    AwardPayment.objects.filter(pk=payment.pk).update(payment=F("payment") - Decimal("10"))
    broken_at_award(rfq, f"payment {payment.payment - 10:.2f}")
    AwardPayment.objects.filter(pk=payment.pk).update(payment=payment.payment)
    assert audit_verify(rfq_id=rfq).ok

    line = AwardLine.objects.filter(rfq_id=rfq).order_by("pk").first()
    AwardLine.objects.filter(pk=line.pk).update(quantity=F("quantity") + 1)
    broken_at_award(rfq, "that the award event (seq")
    AwardLine.objects.filter(pk=line.pk).delete()
    broken_at_award(rfq, "that the award tables do not hold")


def test_a_whole_award_verifies_and_a_changed_payment_does_not(api, demo, django_capture_on_commit_callbacks):
    rfq = second_price_awarded(api, demo, django_capture_on_commit_callbacks)
    assert AuditEvent.objects.get(rfq_id=rfq, type="rfq.award").payload["payment"] == "600.00"
    assert audit_verify(rfq_id=rfq).ok, audit_verify(rfq_id=rfq).problem
    AwardPayment.objects.filter(rfq_id=rfq).update(payment=Decimal("650.00"))
    broken_at_award(rfq, "payment 650.00")
    AwardPayment.objects.filter(rfq_id=rfq).update(payment=Decimal("600.00"), pay_as_bid=Decimal("450.00"))
    broken_at_award(rfq, "pay as bid 450.00")
