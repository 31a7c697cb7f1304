"""Test data: factory-boy factories for the core models (rows in the state a test needs,
without the demo world), and builders of valid RFQ payloads and of RFQs through the API."""
from __future__ import annotations

from datetime import timedelta

import factory
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import BuyerOrganization, Role, User
from auctions.mechanisms import get_mechanism
from rfqs.models import RFQ, AuctionType, LineItem, RFQStatus
from suppliers.models import Category, Invitation, InvitationStatus, KycStatus, Port, SupplierCompany


def rfq_payload(**overrides) -> dict:
    """A valid POST /api/v1/rfqs/ body (api.md's example), with overrides."""
    deadline = timezone.now() + timedelta(days=3)
    payload = {
        "title": "Provisions for MV Test Vessel", "description": "Monthly stores.",
        "category": "provisions", "currency": "USD", "delivery_port": "SGSIN",
        "delivery_date": (deadline + timedelta(days=10)).date().isoformat(),
        "bidding_opens_at": None, "bidding_deadline": deadline.isoformat().replace("+00:00", "Z"),
        "line_items": [
            {"description": "Rice 25kg", "quantity": "40", "unit": "bag", "impa_code": "000101"},
            {"description": "Flour 10kg", "quantity": "20", "unit": "bag"},
        ],
        "auction": {"type": "SEALED_BID", "settings": {}},
        "reserve_price": {"enabled": True, "amount": "9000.00", "visibility": "hidden",
                          "auto_accept_if_met": False, "notify_buyer_if_not_met": True},
        "tie_breaking": {"criteria": ["earliest_submission", "higher_tier"], "final_fallback": "random"},
    }
    payload.update(overrides)
    return payload


def published_rfq(demo, *, owner: str = "buyer", suppliers=(1, 2), accept=(), **overrides):
    """Create through the API as `owner`, invite demo suppliers, publish; return the RFQ id."""
    client = demo.client(owner)
    response = client.post("/api/v1/rfqs/", rfq_payload(**overrides), format="json")
    assert response.status_code == 201, response.content
    rfq_id = response.json()["id"]
    ids = [demo.supplier(n).pk for n in suppliers]
    assert client.post(f"/api/v1/rfqs/{rfq_id}/invitations/", {"supplier_ids": ids}, format="json").status_code == 201
    assert client.post(f"/api/v1/rfqs/{rfq_id}/publish/", {}, format="json").status_code == 200
    for n in accept:
        invitation = demo.supplier(n).invitations.get(rfq_id=rfq_id)
        assert demo.client(f"supplier{n}").post(f"/api/v1/invitations/{invitation.pk}/accept/").status_code == 200
    return rfq_id


def move_deadline_into_past(rfq_id: int) -> None:
    """Make the deadline pass without waiting (tests of close/evaluate)."""
    RFQ.objects.filter(pk=rfq_id).update(bidding_deadline=timezone.now() - timedelta(seconds=1))


# --- Model factories (factory-boy) ------------------------------------------------------------
# Rows in the state a test needs, without the demo world: an RFQ is created already open, with
# its invitations already accepted. What the services would also have written on the way (the
# audit events of publish and open, the e-mails, the scheduled jobs) is not there; a test of
# those runs the service itself.

PASSWORD = "quayside-test"
# The reverse-auction settings the engine tests start from: ceiling 10 000, decrement 100, 60 bids/min.
REVERSE_SETTINGS = {"starting_price": "10000.00", "minimum_decrement": "100.00", "decrement_type": "AMOUNT",
                    "rate_limit_bids_per_minute": 60}
# rfq_payload's lines: 40 bags of rice, 20 of flour.
LINES = [("Rice 25kg", "40", "bag", "000101"), ("Flour 10kg", "20", "bag", "")]


class CategoryFactory(DjangoModelFactory):
    """A category of the reference data (loaded by a migration): provisions unless told."""

    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    slug = "provisions"
    name = factory.LazyAttribute(lambda o: o.slug.capitalize())


class PortFactory(DjangoModelFactory):
    """A port of the reference data: Singapore unless told."""

    class Meta:
        model = Port
        django_get_or_create = ("code",)

    code = "SGSIN"
    name = "Singapore"
    country = "SG"
    latitude = "1.26440"
    longitude = "103.82220"


class BuyerOrganizationFactory(DjangoModelFactory):
    class Meta:
        model = BuyerOrganization

    name = factory.Sequence(lambda n: f"Test Shipping {n}")
    country = "GR"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@quayside.example")
    password = factory.LazyFunction(lambda: make_password(PASSWORD))


class BuyerFactory(UserFactory):
    """A buyer with an organisation of its own (pass buyer_organization= to share one)."""

    role = Role.BUYER
    buyer_organization = factory.SubFactory(BuyerOrganizationFactory)


class ComplianceOfficerFactory(UserFactory):
    role = Role.COMPLIANCE
    is_staff = True


class SupplierCompanyFactory(DjangoModelFactory):
    """A supplier company whose KYC compliance approved, qualified for provisions, serving Singapore."""

    class Meta:
        model = SupplierCompany
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Test Chandlers {n}")
    country = "SG"
    tier = "SILVER"
    performance_score = "80.00"
    contact_email = factory.LazyAttribute(lambda o: f"sales@{o.name.split()[-1]}.example")
    kyc_status = KycStatus.VERIFIED
    kyc_submitted_at = factory.LazyFunction(timezone.now)
    kyc_reviewed_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        if create:
            self.categories.set(extracted if extracted is not None else [CategoryFactory()])

    @factory.post_generation
    def ports(self, create, extracted, **kwargs):
        if create:
            self.ports.set(extracted if extracted is not None else [PortFactory()])


class SupplierFactory(UserFactory):
    """A supplier's user with a company of its own (KYC approved); the company is `user.supplier`."""

    role = Role.SUPPLIER
    supplier = factory.SubFactory(SupplierCompanyFactory)


class LineItemFactory(DjangoModelFactory):
    class Meta:
        model = LineItem

    rfq = factory.SubFactory("tests.factories.RFQFactory")
    position = factory.Sequence(lambda n: n + 1)
    description = "Rice 25kg"
    quantity = "40"
    unit = "bag"


class InvitationFactory(DjangoModelFactory):
    class Meta:
        model = Invitation

    rfq = factory.SubFactory("tests.factories.RFQFactory")
    supplier = factory.SubFactory(SupplierCompanyFactory)
    invited_by = factory.LazyAttribute(lambda o: o.rfq.created_by)
    status = InvitationStatus.SENT
    sent_at = factory.LazyAttribute(lambda o: None if o.status == InvitationStatus.PENDING else timezone.now())
    responded_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.status in (InvitationStatus.ACCEPTED, InvitationStatus.DECLINED) else None)


class RFQFactory(DjangoModelFactory):
    """A draft sealed-bid RFQ of a new buyer, with rfq_payload's two lines (40 bags of rice, 20 of
    flour), deadline in three days, no reserve.

    Traits: `reverse` (a reverse auction with REVERSE_SETTINGS), `published`, `open`,
    `open_reverse`, `open_sealed`. `settings={...}` overrides the trait's auction settings; they
    are completed and validated by the mechanism as the API does. `invited=[companies]` adds sent
    invitations (pending on a draft), `accepted=[companies]` accepted ones; `lines=[(description,
    quantity, unit, impa_code), ...]` replaces the lines.
    """

    class Meta:
        model = RFQ
        skip_postgeneration_save = True

    class Params:
        base_settings: dict = {}  # what a trait starts from (read, never changed)
        settings = factory.Dict({})  # the test's own, over the trait's
        reverse = factory.Trait(auction_type=AuctionType.REVERSE_AUCTION,
                                base_settings=REVERSE_SETTINGS)
        published = factory.Trait(status=RFQStatus.PUBLISHED, published_at=factory.LazyFunction(timezone.now))
        open = factory.Trait(status=RFQStatus.OPEN, published_at=factory.LazyFunction(timezone.now),
                             opened_at=factory.LazyFunction(timezone.now))
        open_reverse = factory.Trait(reverse=True, open=True)
        open_sealed = factory.Trait(auction_type=AuctionType.SEALED_BID, open=True)

    created_by = factory.SubFactory(BuyerFactory)
    buyer_organization = factory.SelfAttribute("created_by.buyer_organization")
    title = factory.Sequence(lambda n: f"Provisions for MV Test Vessel {n}")
    description = "Monthly stores."
    category = factory.SubFactory(CategoryFactory)
    currency = "USD"
    delivery_port = factory.SubFactory(PortFactory)
    bidding_deadline = factory.LazyFunction(lambda: timezone.now() + timedelta(days=3))
    original_deadline = factory.SelfAttribute("bidding_deadline")
    delivery_date = factory.LazyAttribute(lambda o: (o.bidding_deadline + timedelta(days=10)).date())
    status = RFQStatus.DRAFT
    auction_type = AuctionType.SEALED_BID
    auction_settings = factory.LazyAttribute(
        lambda o: get_mechanism(o.auction_type).validate_settings({**o.base_settings, **o.settings}))
    tie_breaking = factory.Dict({"criteria": ["earliest_submission", "higher_tier"], "final_fallback": "random"})

    @factory.post_generation
    def lines(self, create, extracted, **kwargs):
        if create:
            LineItem.objects.bulk_create(
                LineItem(rfq=self, position=position, description=description, quantity=quantity, unit=unit,
                         impa_code=impa_code)
                for position, (description, quantity, unit, impa_code) in enumerate(extracted or LINES, start=1))

    @factory.post_generation
    def invited(self, create, extracted, **kwargs):
        status = InvitationStatus.PENDING if self.status == RFQStatus.DRAFT else InvitationStatus.SENT
        for supplier in extracted or ():
            InvitationFactory(rfq=self, supplier=supplier, status=status)

    @factory.post_generation
    def accepted(self, create, extracted, **kwargs):
        for supplier in extracted or ():
            InvitationFactory(rfq=self, supplier=supplier, status=InvitationStatus.ACCEPTED)
