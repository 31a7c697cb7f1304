"""The bench suppliers and the open auctions they bid in (reverse auctions; a sealed-bid RFQ of
many lines), built through the services."""
from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from .setup import SetupError, prepare

DECREMENT = Decimal("0.01")
STARTING_PRICE = Decimal("1000000.00")
BENCH_CATEGORY = "provisions"


@dataclass
class World:
    rfq_id: int
    twin_rfq_id: int  # pgbench's auction: same shape, its own row and audit stream
    tokens: list[str]  # one API token per bench supplier, in supplier order
    supplier_ids: list[int]
    user_ids: list[int]
    usernames: list[str]
    supplier_names: list[str]
    conn_max_age: int | None
    audit_events_before: int = 0
    line_ids: list[int] = field(default_factory=list)  # the auction's lots (--lots N); empty: one total bid


def lots_of(rfq_id: int) -> list[int]:
    """A per-line auction's line ids in order; empty for a total auction."""
    from rfqs.models import LineItem

    return list(LineItem.objects.filter(rfq_id=rfq_id, starting_price__isnull=False).order_by("position")
                .values_list("pk", flat=True))


@contextmanager
def in_process_world(args, prefix: str, n_suppliers: int) -> Iterator[World]:
    """For the benchmarks that bid in their own process (cpu_per_bid, profile_bid): the scratch
    database prepared from `args`, the world created, a refused bid's django.request warning
    kept off the report; the temporary directory removed afterwards."""
    tmpdir = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        prepare(args, tmpdir)
        logging.getLogger("django.request").setLevel(logging.ERROR)
        yield create_world(n_suppliers)
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


def create_world(n_suppliers: int, lots: int = 0) -> World:
    """Bench suppliers and the auction, through the services where they exist; with `lots`, the
    auction is bid per line on that many lines (the pgbench twin stays a total auction)."""
    from django.db import connection

    companies, users, tokens = create_suppliers(n_suppliers)
    rfq_id = create_auction("Bid-throughput benchmark", companies, users, lots=lots)
    twin_id = create_auction("Bid-throughput benchmark (pgbench twin)", companies[:2], users)
    return World(rfq_id=rfq_id, twin_rfq_id=twin_id, tokens=[t.key for t in tokens],
                 supplier_ids=[c.pk for c in companies], user_ids=[u.pk for u in users],
                 usernames=[u.username for u in users], supplier_names=[c.name for c in companies],
                 conn_max_age=connection.settings_dict.get("CONN_MAX_AGE"), line_ids=lots_of(rfq_id))


def create_suppliers(n: int) -> tuple[list, list, list]:
    """n KYC-verified supplier companies qualified for BENCH_CATEGORY, one user and API token each.

    Created verified: KYC review is not what this measures, and the services would also write
    three PDFs per supplier. Everything the bid path reads is real."""
    from django.db import transaction
    from rest_framework.authtoken.models import Token

    from accounts.models import Role, User
    from suppliers.models import Category, KycStatus, SupplierCompany

    category = Category.objects.get(slug=BENCH_CATEGORY)
    with transaction.atomic():
        companies = SupplierCompany.objects.bulk_create(
            SupplierCompany(name=f"Bench Supplier {i:04d}", country="SG", tier="SILVER", performance_score="80.00",
                            kyc_status=KycStatus.VERIFIED, contact_email=f"bench{i:04d}@bench.example")
            for i in range(n))
        SupplierCompany.categories.through.objects.bulk_create(
            SupplierCompany.categories.through(suppliercompany_id=c.pk, category_id=category.pk) for c in companies)
        users = []
        for i, company in enumerate(companies):
            user = User(username=f"bench{i:04d}", role=Role.SUPPLIER, supplier=company,
                        email=f"bench{i:04d}@bench.example")
            user.set_unusable_password()
            users.append(user)
        users = User.objects.bulk_create(users)
        tokens = Token.objects.bulk_create(Token(key=Token.generate_key(), user=user) for user in users)
    return companies, users, tokens


def auction_settings(lots: int = 0, **overrides) -> dict:
    """AMOUNT decrement 0.01 from 1 000 000.00, 60 bids a minute per supplier (the maximum).
    With lots: bid per line, each line's ceiling 1 000 000.00 (set on the line, not here).
    `overrides` replace any of them (e.g. anti-sniping tiers)."""
    from auctions.mechanisms import get_mechanism

    basis = {"bidding_basis": "PER_LINE"} if lots else {"starting_price": str(STARTING_PRICE)}
    return get_mechanism("REVERSE_AUCTION").validate_settings({
        **basis, "minimum_decrement": str(DECREMENT), "decrement_type": "AMOUNT",
        "rate_limit_bids_per_minute": 60, "duration_minutes": 24 * 60, **overrides,
    })


def line_items(lots: int) -> list[dict]:
    """One line (a total auction), or `lots` lines each with the starting price as its ceiling."""
    if not lots:
        return [{"description": "Rice, long grain, 25 kg bag", "quantity": "40", "unit": "bag", "impa_code": "000101"}]
    return [{"description": f"Bench lot {n + 1}", "quantity": "10", "unit": "pcs", "impa_code": "",
             "starting_price": STARTING_PRICE} for n in range(lots)]


def create_auction(title: str, invited: list, users: list, lots: int = 0, *, deadline=None,
                   description: str = "Bid-throughput benchmark auction.", **settings) -> int:
    """An open reverse auction with `invited` companies invited, every invitation accepted;
    bid per line on `lots` lines when lots > 0; `settings` over auction_settings'."""
    from datetime import timedelta

    from django.utils import timezone

    # By default a day away: the anti-sniping window (last minutes) is never reached.
    return open_rfq(title, invited, users, auction_type="REVERSE_AUCTION", settings=auction_settings(lots, **settings),
                    items=line_items(lots), deadline=deadline or timezone.now() + timedelta(days=1),
                    description=description)


def sealed_settings(**overrides) -> dict:
    """A sealed-bid RFQ's settings: revisions allowed (each a new version), pay as bid, one
    winner for the whole quote; `overrides` replace any of them."""
    from auctions.mechanisms import get_mechanism

    return get_mechanism("SEALED_BID").validate_settings({
        "allow_multiple_submissions": True, "pricing": "FIRST_PRICE", "award_mode": "WHOLE", "minimum_bidders": 2,
        **overrides})


def sealed_line_items(n: int) -> list[dict]:
    """n line items of a provisions order, quantities 5, 10, … 50 (repeating)."""
    return [{"description": f"Bench provisions line {i + 1}", "quantity": str(5 * (i % 10 + 1)), "unit": "pcs",
             "impa_code": ""} for i in range(n)]


def create_sealed_rfq(title: str, invited: list, users: list, *, lines: int, deadline, **settings) -> int:
    """An open sealed-bid RFQ of `lines` line items closing at `deadline`, `invited` companies
    invited and every invitation accepted (sealed_settings, with `settings` over them)."""
    return open_rfq(title, invited, users, auction_type="SEALED_BID", settings=sealed_settings(**settings),
                    items=sealed_line_items(lines), deadline=deadline,
                    description="Sealed-burst benchmark: many sealed quotes in the last minute.")


def open_rfq(title: str, invited: list, users: list, *, auction_type: str, settings: dict, items: list[dict],
             deadline, description: str) -> int:
    """Through the services: create (as the demo buyer), invite, publish (opens at once), and
    every invited company's user accepts. Publishing sends the close job for `deadline`."""
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import User
    from procurement import services as rfq_services
    from suppliers import services as supplier_services
    from suppliers.models import Category, Invitation, Port

    buyer = User.objects.get(username="buyer")
    now = timezone.now()
    rfq = rfq_services.rfq_create(user=buyer, data={
        "title": title, "description": description,
        "category": Category.objects.get(slug=BENCH_CATEGORY),
        "currency": "USD", "delivery_port": Port.objects.get(code="SGSIN"),
        "delivery_date": (now + timedelta(days=14)).date(), "bidding_opens_at": None,
        "bidding_deadline": deadline, "auction_type": auction_type,
        "auction_settings": settings, "template": "",
        "tie_breaking": {"criteria": ["earliest_submission", "higher_tier"], "final_fallback": "random"},
        "line_items": items,
    })
    supplier_services.invitation_create_many(rfq=rfq, supplier_ids=[c.pk for c in invited], user=buyer)
    rfq = rfq_services.rfq_publish(rfq=rfq, user=buyer)
    if rfq.status != "open":
        raise SetupError(f"The bench RFQ did not open (status {rfq.status}).")
    by_supplier = {u.supplier_id: u for u in users}
    for invitation in Invitation.objects.filter(rfq=rfq):
        supplier_services.invitation_respond(invitation=invitation, user=by_supplier[invitation.supplier_id],
                                             accept=True)
    return rfq.pk
