"""python manage.py seed_demo — the demo accounts and example RFQs of api.md. Idempotent."""
from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from accounts.models import BuyerOrganization, Role
from accounts.roles import ensure_compliance_group
from procurement import services as rfq_services
from rfqs.models import RFQ
from suppliers import services as supplier_services
from suppliers.models import Category, Invitation, KycStatus, Port, SupplierCompany
from suppliers.reference_data import load_reference_data

from ..demo_auction import finished_auction

PASSWORD = "quayside-demo"

BUYERS = [("buyer", "Blue Anchor Shipping", "GR", "Eleni", "Kostas"),
          ("buyer2", "Northern Tankers", "NO", "Ingrid", "Halvorsen")]
# username, company, country, tier, score, final KYC state, ports
SUPPLIERS = [
    ("supplier1", "Poseidon Marine Supply", "GR", "GOLD", "92.50", KycStatus.VERIFIED, ["GRPIR", "MTMLA", "TRIST"]),
    ("supplier2", "Harbour Chandlers Pte", "SG", "SILVER", "85.00", KycStatus.VERIFIED, ["SGSIN", "HKHKG"]),
    ("supplier3", "Baltic Ship Stores", "DK", "SILVER", "81.25", KycStatus.VERIFIED, ["DKCPH", "DEHAM", "NLRTM"]),
    ("supplier4", "Cape Provisions", "ZA", "BRONZE", "74.00", KycStatus.VERIFIED, ["ZADUR"]),
    ("supplier5", "Oceanic Spares", "PH", "PENDING", "0", KycStatus.SUBMITTED, ["PHMNL"]),
    ("supplier6", "Redfin Trading", "PA", "PENDING", "0", KycStatus.REJECTED, ["PABLB"]),
]
REQUIRED_KINDS = ["certificate_of_incorporation", "tax_registration", "insurance"]


def demo_pdf(title: str) -> bytes:
    """A small but valid one-page PDF standing in for a scanned certificate."""
    text = f"BT /F1 14 Tf 72 720 Td ({title}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


class Command(BaseCommand):
    help = "Create the demo organisations, accounts (password quayside-demo) and example RFQs."

    def add_arguments(self, parser):
        parser.add_argument("--show-emails", action="store_true",
                            help="Send the e-mails the seed causes (invitations, KYC decisions) through the "
                                 "configured backend; by default they are kept in memory and not printed.")
        parser.add_argument("--without-finished-auction", action="store_true",
                            help="Leave out the auction that has already run (tests seed per test and "
                                 "build their own auctions).")

    def handle(self, *args, **options):
        if options["show_emails"]:
            self._seed(options)
        else:  # the console backend would print every invitation the seed sends into the terminal
            with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
                self._seed(options)
        self.stdout.write(self.style.SUCCESS(
            f"Demo ready: buyer, buyer2, compliance, supplier1…supplier6 (password {PASSWORD})."))

    def _seed(self, options) -> None:
        with transaction.atomic():
            load_reference_data(Category, Port)
            compliance = self._compliance()
            buyers = [self._buyer(*spec) for spec in BUYERS]
            suppliers = [self._supplier(compliance, *spec) for spec in SUPPLIERS]
        self._rfqs(buyers, suppliers[:4], finished=not options["without_finished_auction"])

    def _user(self, username: str, **fields):
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, **fields)
            user.set_password(PASSWORD)
            user.save()
        return user

    def _compliance(self):
        user = self._user("compliance", role=Role.COMPLIANCE, is_staff=True, first_name="Clara",
                          last_name="Moreau", email="compliance@quayside.example")
        user.groups.add(ensure_compliance_group())
        return user

    def _buyer(self, username, org_name, country, first, last):
        org, _ = BuyerOrganization.objects.get_or_create(name=org_name, defaults={"country": country})
        return self._user(username, role=Role.BUYER, buyer_organization=org, first_name=first, last_name=last,
                          email=f"{username}@{org_name.split()[0].lower()}.example")

    def _supplier(self, compliance, username, name, country, tier, score, kyc, ports):
        company, created = SupplierCompany.objects.get_or_create(
            name=name, defaults={"country": country, "tier": tier, "performance_score": score,
                                 "contact_email": f"sales@{name.split()[0].lower()}.example"})
        if created:
            company.categories.set(Category.objects.all())
            company.ports.set(Port.objects.filter(code__in=ports))
        user = self._user(username, role=Role.SUPPLIER, supplier=company, email=f"{username}@quayside.example")
        if company.kyc_status == KycStatus.NOT_STARTED:
            expiry = timezone.localdate() + timedelta(days=365)
            for kind in REQUIRED_KINDS:
                upload = ContentFile(demo_pdf(f"{name}: {kind}"), name=f"{kind}.pdf")
                supplier_services.kyc_document_upload(supplier=company, user=user, kind=kind, upload=upload,
                                                      expires_on=expiry)
            supplier_services.kyc_submit(supplier=company, user=user)
            if kyc == KycStatus.VERIFIED:
                supplier_services.kyc_approve(supplier=company, officer=compliance, reason="Documents in order.")
            elif kyc == KycStatus.REJECTED:
                supplier_services.kyc_reject(supplier=company, officer=compliance,
                                             reason="Insurance certificate does not cover marine liability.")
        return company

    def _rfqs(self, buyers, suppliers, *, finished: bool = True):
        buyer, buyer2 = buyers
        now = timezone.now()
        specs = [
            (buyer, "Fresh provisions for MV Blue Horizon", "provisions", "SGSIN", "commodity_purchase",
             [("Rice, long grain, 25 kg bag", "40", "bag", "000101"), ("Cooking oil, 20 l", "12", "can", ""),
              ("Fresh eggs, tray of 30", "60", "tray", "")], timedelta(days=1), "open"),
            (buyer, "Main engine spare parts — MV Blue Dolphin", "engine", "NLRTM", "technical_equipment",
             [("Fuel injector nozzle, MAN B&W S60MC", "6", "pcs", "")], timedelta(days=7), "draft"),
            (buyer, "Annual lubricants supply 2027", "chemicals", "GRPIR", "strategic_sourcing",
             [("Cylinder oil, 208 l drum", "120", "drum", ""), ("System oil, 208 l drum", "60", "drum", "")],
             timedelta(days=10), "open"),
            (buyer, "Liferaft annual servicing", "safety", "GRPIR", "urgent_requirement",
             [("Liferaft service, 25-person", "4", "unit", "")], timedelta(hours=6), "cancelled"),
            (buyer2, "Safety gear for MT Nordic Star", "safety", "NOBGO", "strategic_sourcing",
             [("Immersion suit", "24", "pcs", ""), ("SCBA set", "4", "set", "")], timedelta(days=5), "open"),
            (buyer, "Hull coatings for MV Blue Horizon dry-docking", "deck", "SGSIN", "commodity_purchase",
             [("Antifouling paint, 20 l", "400", "can", ""), ("Epoxy primer, 20 l", "250", "can", "")],
             None, "evaluation"),
        ]
        for owner, title, category, port, template, items, window, target in specs:
            if target == "evaluation" and not finished:
                continue
            if RFQ.objects.filter(buyer_organization=owner.buyer_organization, title=title).exists():
                continue

            def draft(at, length, owner=owner, title=title, category=category, port=port, template=template,
                      items=items):
                return self._draft(owner, suppliers, at, title, category, port, template, items, length)

            if target == "evaluation":
                finished_auction(draft, owner)
                continue
            rfq = draft(now, window)
            if target != "draft":
                self._publish(rfq, owner, cancel=target == "cancelled")

    def _draft(self, owner, suppliers, now, title, category, port, template, items, window):
        """A draft RFQ from a scenario template, with its invitations (not yet sent)."""
        from auctions.scenarios import TEMPLATES_BY_ID

        scenario = TEMPLATES_BY_ID[template]
        rfq = rfq_services.rfq_create(user=owner, data={
            "title": title, "description": f"{scenario.name}: {scenario.description}",
            "category": Category.objects.get(slug=category), "currency": "USD",
            "delivery_port": Port.objects.get(code=port), "delivery_date": (now + window + timedelta(days=14)).date(),
            "bidding_opens_at": None, "bidding_deadline": now + window,
            "auction_type": scenario.auction_type, "auction_settings": scenario.settings(), "template": template,
            "tie_breaking": {"criteria": ["earliest_submission", "higher_tier"], "final_fallback": "random"},
            "line_items": [{"description": d, "quantity": q, "unit": u, "impa_code": c} for d, q, u, c in items],
        })
        invited = suppliers if rfq.minimum_invited_suppliers > 2 else suppliers[:3]
        supplier_services.invitation_create_many(rfq=rfq, supplier_ids=[s.pk for s in invited], user=owner)
        return rfq

    def _publish(self, rfq, owner, *, cancel: bool) -> None:
        rfq_services.rfq_publish(rfq=rfq, user=owner)
        for invitation in Invitation.objects.filter(rfq=rfq).select_related("supplier")[:2]:
            member = invitation.supplier.members.first()
            supplier_services.invitation_respond(invitation=invitation, user=member, accept=True)
        if cancel:
            rfq_services.rfq_cancel(rfq=rfq, user=owner, reason="Vessel schedule changed; servicing moved to Singapore.")
