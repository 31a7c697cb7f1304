"""common.models.ConcurrentTransitions: django-fsm's optimistic lock, state fields found once."""
import pytest
from django.db import transaction
from django_fsm import ConcurrentTransition, FSMFieldMixin

from rfqs.models import RFQ
from suppliers.models import Invitation, KycStatus, SupplierCompany
from tests.factories import SupplierCompanyFactory


@pytest.mark.parametrize("model", [RFQ, SupplierCompany, Invitation])
def test_the_state_fields_are_the_librarys(model):
    fields = model().state_fields
    assert fields == tuple(f for f in model._meta.fields if isinstance(f, FSMFieldMixin)) and fields
    assert model().state_fields is fields  # found once for the class


def test_a_transition_saved_over_a_stale_state_is_refused(db):
    company = SupplierCompanyFactory(kyc_status=KycStatus.SUBMITTED)
    first, second = SupplierCompany.objects.get(pk=company.pk), SupplierCompany.objects.get(pk=company.pk)
    first.kyc_approve()
    first.save()
    second.kyc_reject()
    with pytest.raises(ConcurrentTransition), transaction.atomic():
        second.save()
    assert SupplierCompany.objects.get(pk=company.pk).kyc_status == KycStatus.VERIFIED
