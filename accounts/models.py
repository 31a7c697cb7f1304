from functools import cache
from zoneinfo import available_timezones

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django_countries.fields import CountryField

from common.local_format import DEFAULT_NUMBER_FORMAT, NUMBER_FORMAT_CHOICES
from common.models import TimeStampedModel


@cache
def time_zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def validate_time_zone(value: str) -> None:
    if value not in time_zone_names():
        raise ValidationError(f"“{value}” is not an IANA time zone name (e.g. Europe/Oslo, Asia/Singapore).")


class BuyerOrganization(TimeStampedModel):
    """A ship operator: the tenant that owns RFQs."""

    name = models.CharField(max_length=200, unique=True)
    country = CountryField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    BUYER = "buyer", "Buyer"  # member of a buyer organisation
    SUPPLIER = "supplier", "Supplier"  # member of a supplier company
    COMPLIANCE = "compliance", "Compliance officer"  # platform staff, works in the admin


class QuaysideUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        # Platform superusers are staff: the compliance role is the one without a tenant.
        extra_fields.setdefault("role", Role.COMPLIANCE)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """Every person signs in as exactly one role, tied to at most one organisation."""

    role = models.CharField(max_length=20, choices=Role.choices)
    buyer_organization = models.ForeignKey(
        BuyerOrganization, null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    supplier = models.ForeignKey(
        "suppliers.SupplierCompany", null=True, blank=True, on_delete=models.PROTECT,
        related_name="members",
    )
    # How the pages and e-mails show times and read typed amounts (common/local_format.py);
    # the API stays UTC and plain decimal strings.
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    number_format = models.CharField(max_length=2, choices=NUMBER_FORMAT_CHOICES, default=DEFAULT_NUMBER_FORMAT)

    objects = QuaysideUserManager()

    class Meta:
        constraints = [
            # Tenancy is enforced by the schema too: a buyer always has an organisation,
            # a supplier always a company, and nobody belongs to both.
            models.CheckConstraint(
                name="user_role_matches_organisation",
                condition=(
                    models.Q(role="buyer", buyer_organization__isnull=False, supplier__isnull=True)
                    | models.Q(role="supplier", supplier__isnull=False, buyer_organization__isnull=True)
                    | models.Q(role="compliance", supplier__isnull=True, buyer_organization__isnull=True)
                ),
            ),
        ]

    @property
    def is_buyer(self) -> bool:
        return self.role == Role.BUYER

    @property
    def is_supplier(self) -> bool:
        return self.role == Role.SUPPLIER

    @property
    def is_compliance(self) -> bool:
        return self.role == Role.COMPLIANCE

    @property
    def organization(self):
        return self.buyer_organization if self.is_buyer else self.supplier if self.is_supplier else None
