"""Users: one role each, tied to the matching organisation (enforced by the database too)."""
import pytest
from django.contrib.auth.models import Permission
from django.db import IntegrityError, transaction

from accounts.models import BuyerOrganization, Role, User
from accounts.roles import ensure_compliance_group
from suppliers.models import SupplierCompany

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return BuyerOrganization.objects.create(name="Aegean Lines")


@pytest.fixture
def company():
    return SupplierCompany.objects.create(name="Piraeus Chandlers", country="GR")


@pytest.mark.parametrize("fields", [
    {"role": Role.BUYER},
    {"role": Role.SUPPLIER},
    {"role": Role.BUYER, "org": True, "company": True},
    {"role": Role.SUPPLIER, "org": True},
    {"role": Role.COMPLIANCE, "org": True},
    {"role": Role.COMPLIANCE, "company": True},
    {"role": "admin"},
])
def test_a_role_must_match_its_organisation(org, company, fields):
    kwargs = {"role": fields["role"], "buyer_organization": org if fields.get("org") else None,
              "supplier": company if fields.get("company") else None}
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user("mismatch", password="x", **kwargs)


def test_each_role_with_its_organisation(org, company):
    buyer = User.objects.create_user("b", password="x", role=Role.BUYER, buyer_organization=org)
    supplier = User.objects.create_user("s", password="x", role=Role.SUPPLIER, supplier=company)
    officer = User.objects.create_superuser("c", password="x")
    assert (buyer.is_buyer, buyer.organization) == (True, org)
    assert (supplier.is_supplier, supplier.organization) == (True, company)
    assert (officer.is_compliance, officer.organization, officer.is_staff) == (True, None, True)


def test_the_compliance_group_reads_everything_and_changes_only_kyc_sample_reviews_and_certifications():
    group = ensure_compliance_group()
    codenames = set(group.permissions.values_list("content_type__app_label", "codename"))
    assert ("audit", "view_auditevent") in codenames
    assert ("procurement", "view_rfq") in codenames
    assert ("suppliers", "change_suppliercompany") in codenames
    audit_writes = {c for c in codenames if c[0] == "audit" and not c[1].startswith("view_")}
    assert audit_writes == {("audit", "change_compliancereviewitem"), ("audit", "add_certification")}
    # Certifying adds a Certification row, lifting a sign-in lockout deletes failed attempts
    # (both audited); nothing else is ever added or deleted by compliance.
    assert {c for c in codenames if c[1].startswith(("delete_", "add_"))} == {
        ("audit", "add_certification"), ("axes", "delete_accessattempt")}
    assert ("axes", "view_accessattempt") in codenames
    # Idempotent.
    assert ensure_compliance_group().permissions.count() == group.permissions.count()
    assert Permission.objects.filter(group=group).count() == len(codenames)
