"""Sealed means sealed (product.md §4.1, §4.3): before close nobody but the submitting supplier
reads a quote's prices — not the buyer, not compliance, not another supplier, through no API,
page or admin screen, and not in the database in clear. The opening at close is audited,
tampering makes it fail, keys rotate. Revisions are versions, all kept."""
from decimal import Decimal

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import call_command
from django.db import connection

from auctions.models import Bid, BidLine
from auctions.sealing import SealError
from audit.models import AuditEvent
from common.errors import Conflict
from procurement.services import rfq_close
from rfqs.models import RFQ
from tests.factories import move_deadline_into_past

from .helpers import (
    GOOD_CRITERIA,
    bid,
    created,
    items,
    multi_attribute_auction,
    quote,
    refused,
    sealed_auction,
    transition,
    withdraw,
)

# supplier1: 40 × 123.45 + 20 × 67.89 = 4938.00 + 1357.80 = 6295.80
# supplier2: 40 × 118.07 + 20 × 71.33 = 4722.80 + 1426.60 = 6149.40
QUOTES = {"supplier1": ("123.45", "67.89"), "supplier2": ("118.07", "71.33")}
TOTALS = {"supplier1": "6295.80", "supplier2": "6149.40"}
TERMS = {"supplier1": "Net 30 ZQXW terms", "supplier2": "Net 45 JKVB terms"}
# Criterion answers that no timestamp can contain ("SS.ffffff" has seconds below 60).
DELIVERY = {"supplier1": 77.25, "supplier2": 83.75}


def secrets_of(user: str) -> list[str]:
    """Every way a supplier's quote could show up in text: unit prices, line totals, totals
    (with and without trailing zeros, grouped), terms, a distinctive criterion answer."""
    rice, flour = QUOTES[user]
    total = TOTALS[user]
    lines = {"supplier1": ["4938.00", "1357.8"], "supplier2": ["4722.8", "1426.6"]}[user]
    grouped = f"{float(total):,.2f}"
    return [rice, flour, total, total.rstrip("0"), grouped, grouped.replace(",", "\u202f"), total.replace(".", ","),
            *lines, TERMS[user], str(DELIVERY[user])]


def leaked(text: str, *users: str) -> list[str]:
    return [secret for user in users for secret in secrets_of(user) if secret in text]


@pytest.fixture(params=["SEALED_BID", "MULTI_ATTRIBUTE"])
def tender(request, api, demo):
    """A sealed tender (or multi-attribute auction) with quotes from supplier1 (sent with an
    Idempotency-Key) and supplier2; supplier3 accepted but has not quoted."""
    if request.param == "SEALED_BID":
        rfq = sealed_auction(demo)
    else:
        rfq = multi_attribute_auction(demo)
    rice, flour = items(rfq)
    for user, (rice_price, flour_price) in QUOTES.items():
        criteria = {**GOOD_CRITERIA, "delivery_days": DELIVERY[user]} if request.param == "MULTI_ATTRIBUTE" else None
        body = {"line_items": [{"line_item_id": rice, "unit_price": rice_price},
                               {"line_item_id": flour, "unit_price": flour_price}], "terms": TERMS[user]}
        if criteria:
            body["criteria"] = criteria
        response = api(user).post(f"/api/v1/rfqs/{rfq}/bids/", body, format="json",
                                  HTTP_IDEMPOTENCY_KEY=f"quote-{user}")
        assert created(response)["amount"] == TOTALS[user]
    return rfq


def api_views(api, rfq) -> dict:
    """Every API read of the tender and its trail, per caller."""
    paths = [f"/api/v1/rfqs/{rfq}/", f"/api/v1/rfqs/{rfq}/bids/", f"/api/v1/rfqs/{rfq}/state/",
             f"/api/v1/rfqs/{rfq}/evaluation/", "/api/v1/rfqs/", f"/api/v1/audit/events/?rfq={rfq}",
             "/api/v1/audit/events/", f"/api/v1/audit/verify/?rfq={rfq}"]
    views = {}
    for user in ("buyer", "buyer2", "compliance", "supplier1", "supplier2", "supplier3", "supplier4"):
        client = api(user)
        for path in paths:
            response = client.get(path)
            assert response.status_code < 500, (user, path, response.status_code)
            views[user, path] = response
    return views


def page_views(login, rfq) -> dict:
    bids = list(Bid.objects.filter(rfq_id=rfq).values_list("pk", flat=True))
    events = list(AuditEvent.objects.filter(rfq_id=rfq).values_list("pk", flat=True))
    pages = {}
    for user in ("buyer", "buyer2", "compliance", "supplier1", "supplier2", "supplier3"):
        client = login(user)
        paths = [f"/rfqs/{rfq}/", f"/supplier/rfqs/{rfq}/", "/rfqs/", "/supplier/invitations/"]
        if user == "compliance":
            paths += ["/admin/auctions/bid/", "/admin/auctions/ruleviolation/", "/admin/audit/auditevent/",
                      f"/admin/procurement/rfq/{rfq}/change/"]
            paths += [f"/admin/auctions/bid/{pk}/change/" for pk in bids]
            paths += [f"/admin/audit/auditevent/{pk}/change/" for pk in events]
        for path in paths:
            response = client.get(path)
            assert response.status_code < 500, (user, path, response.status_code)
            pages[user, path] = response
    return pages


def test_nobody_but_the_submitter_reads_a_quote_before_close(api, login, tender):
    views = {**api_views(api, tender), **page_views(login, tender)}
    # The sweep reads real pages: every one of these was rendered for its reader.
    for user, path in [("buyer", f"/rfqs/{tender}/"), ("compliance", f"/rfqs/{tender}/"),
                       ("supplier2", f"/supplier/rfqs/{tender}/"), ("supplier3", f"/supplier/rfqs/{tender}/"),
                       ("compliance", "/admin/auctions/bid/"), ("compliance", "/admin/auctions/ruleviolation/"),
                       ("compliance", "/admin/audit/auditevent/"), ("compliance", f"/admin/procurement/rfq/{tender}/change/"),
                       ("compliance", f"/api/v1/audit/events/?rfq={tender}"), ("buyer", f"/api/v1/rfqs/{tender}/state/")]:
        assert views[user, path].status_code == 200, (user, path, views[user, path].status_code)
    assert sum(1 for (user, path) in views if "/admin/auctions/bid/" in path and "change" in path) == 2
    for (user, path), response in views.items():
        text = response.content.decode()
        others = [u for u in QUOTES if u != user]
        assert not leaked(text, *others), (user, path, leaked(text, *others))
    # The buyer learns how many suppliers quoted, and nothing else.
    assert views["buyer", f"/api/v1/rfqs/{tender}/bids/"].json() == {"sealed": True, "count_submitted": 2}
    assert views["compliance", f"/api/v1/rfqs/{tender}/bids/"].json() == {"sealed": True, "count_submitted": 2}
    assert views["buyer", f"/api/v1/rfqs/{tender}/evaluation/"].status_code == 409
    # The submitter reads its own quote; the page shows it too.
    own = views["supplier1", f"/api/v1/rfqs/{tender}/bids/"].json()
    assert [(b["amount"], b["version"], b["status"]) for b in own] == [("6295.80", 1, "accepted")]
    assert "6,295.80" in views["supplier1", f"/supplier/rfqs/{tender}/"].content.decode()
    assert views["supplier3", f"/api/v1/rfqs/{tender}/bids/"].json() == []


def test_the_database_holds_no_price_in_clear_before_close(tender):
    with connection.cursor() as cursor:
        cursor.execute("SELECT sealed_payload, sealed_commitment, amount FROM auctions_bid WHERE rfq_id = %s",
                       [tender])
        rows = cursor.fetchall()
    assert len(rows) == 2
    for payload, commitment, amount in rows:
        assert amount is None
        assert payload.startswith("gAAAAA") and len(commitment) == 64  # a Fernet token; a SHA-256
        assert not leaked(payload, *QUOTES)
    assert not BidLine.objects.filter(bid__rfq_id=tender).exists()
    assert RFQ.objects.get(pk=tender).best_amount is None
    # Nowhere else either: every row of every table, as text.
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                hits = leaked(" ".join(map(str, row)), *QUOTES)
                if hits:
                    found.append((table, hits))
    assert found == []


def test_the_opening_at_close_is_audited_and_shows_the_buyer_every_quote(api, tender):
    placed = AuditEvent.objects.filter(rfq_id=tender, type="bid.placed").order_by("seq")
    commitments = {e.payload["supplier_id"]: e.payload["commitment"] for e in placed}
    move_deadline_into_past(tender)
    assert transition(api, "buyer", tender, "close").status_code == 200
    opened = AuditEvent.objects.get(rfq_id=tender, type="bids.opened")
    assert opened.actor_name == "buyer"
    assert sorted(q["total"] for q in opened.payload["quotes"]) == ["6149.40", "6295.80"]
    assert {q["supplier_id"]: q["commitment"] for q in opened.payload["quotes"]} == commitments
    bids = api("buyer").get(f"/api/v1/rfqs/{tender}/bids/").json()
    assert sorted((b["supplier"]["name"], b["amount"]) for b in bids) == [
        ("Harbour Chandlers Pte", "6149.40"), ("Poseidon Marine Supply", "6295.80")]
    lines = sorted(BidLine.objects.filter(bid__rfq_id=tender).values_list("unit_price", "line_total"))
    assert [(str(p.normalize()), str(t.normalize())) for p, t in lines] == [
        ("67.89", "1357.8"), ("71.33", "1426.6"), ("118.07", "4722.8"), ("123.45", "4938")]
    assert Bid.objects.get(rfq_id=tender, supplier__name="Poseidon Marine Supply").terms == TERMS["supplier1"]
    assert RFQ.objects.get(pk=tender).best_amount == Decimal("6149.40")


def quotes_from_everyone(api, rfq: int, revisions: int) -> list[dict]:
    """supplier1 quotes `revisions` + 1 versions, supplier2 and supplier3 one each: the 201s."""
    rice, flour = items(rfq)
    answers = [created(quote(api, "supplier1", rfq, {rice: f"{30 - n}.25", flour: "10.00"}, terms=f"v{n + 1}",
                             valid_until="2099-01-31"))
               for n in range(revisions + 1)]
    answers += [created(quote(api, user, rfq, {rice: price, flour: "11.50"}))
                for user, price in (("supplier2", "28.75"), ("supplier3", "31.10"))]
    return answers


def test_the_opening_writes_every_quote_whatever_batches_it_takes(api, demo, monkeypatch):
    """The opening writes its rows in batches (closing.OPENING_BATCH quotes per round trip);
    with batches of two, five quotes still open each exactly once, as submitted."""
    from auctions.services import closing

    monkeypatch.setattr(closing, "OPENING_BATCH", 2)
    rfq = sealed_auction(demo)
    answers = quotes_from_everyone(api, rfq, revisions=2)
    move_deadline_into_past(rfq)
    assert transition(api, "buyer", rfq, "close").status_code == 200
    opened = AuditEvent.objects.get(rfq_id=rfq, type="bids.opened").payload["quotes"]
    assert [q["bid_id"] for q in opened] == [a["id"] for a in answers]  # submission order, each once
    assert [q["total"] for q in opened] == [a["amount"] for a in answers]
    bids = {b.pk: b for b in Bid.objects.filter(rfq_id=rfq)}
    assert all(b.opened_at is not None for b in bids.values())
    assert [str(bids[a["id"]].amount.normalize()) for a in answers] == [
        str(Decimal(a["amount"]).normalize()) for a in answers]
    assert [bids[a["id"]].terms for a in answers[:3]] == ["v1", "v2", "v3"]
    assert {str(bids[a["id"]].valid_until) for a in answers[:3]} == {"2099-01-31"}
    lines = BidLine.objects.filter(bid__rfq_id=rfq)
    assert sorted(lines.values_list("bid_id", flat=True)) == sorted([a["id"] for a in answers] * 2)
    assert all(line.line_total == line.unit_price * line.line_item.quantity for line in lines)
    assert [(q["version"], q["status"]) for q in opened[:3]] == [(1, "superseded"), (2, "superseded"),
                                                                  (3, "accepted")]


@pytest.mark.postgres
def test_the_opening_takes_as_many_statements_for_many_quotes_as_for_few(api, demo):
    """No round trip per quote (it was two: the lines, the bid): the close of an auction with
    seven quotes sends as many statements as one with three (bench/sealed_burst.py measures
    1,000 × 20 lines)."""
    from django.test.utils import CaptureQueriesContext

    counts = []
    for revisions in (0, 4):
        rfq = sealed_auction(demo)
        quotes_from_everyone(api, rfq, revisions=revisions)
        move_deadline_into_past(rfq)
        with CaptureQueriesContext(connection) as statements:
            rfq_close(rfq=RFQ.objects.get(pk=rfq), user=demo.user("buyer"))
        assert Bid.objects.filter(rfq_id=rfq, opened_at__isnull=False).count() == revisions + 3
        counts.append(len(statements.captured_queries))
    assert counts[0] == counts[1], counts


def test_supplier_bid_response_is_only_its_own(api, tender):
    response = api("supplier1").get(f"/api/v1/rfqs/{tender}/bids/")
    assert all(b["supplier"]["name"] == "Poseidon Marine Supply" for b in response.json())


# --- tampering and keys --------------------------------------------------------------------

def close_as_buyer(demo, rfq_id):
    move_deadline_into_past(rfq_id)
    return rfq_close(rfq=RFQ.objects.get(pk=rfq_id), user=demo.user("buyer"))


def assert_nothing_opened(rfq_id):
    assert RFQ.objects.get(pk=rfq_id).status == "open"
    assert not BidLine.objects.filter(bid__rfq_id=rfq_id).exists()
    assert not Bid.objects.filter(rfq_id=rfq_id, opened_at__isnull=False).exists()
    assert not AuditEvent.objects.filter(rfq_id=rfq_id, type="bids.opened").exists()


@pytest.mark.parametrize("tender", ["SEALED_BID"], indirect=True)
@pytest.mark.parametrize("tamper", ["ciphertext", "commitment", "swapped", "swapped_with_commitments"])
def test_a_tampered_quote_makes_the_opening_fail_instead_of_opening_something_else(demo, tender, tamper):
    first, second = Bid.objects.filter(rfq_id=tender).order_by("pk")
    if tamper == "ciphertext":
        token = first.sealed_payload
        Bid.objects.filter(pk=first.pk).update(sealed_payload=token[:40] + ("A" if token[40] != "A" else "B") + token[41:])
    elif tamper == "commitment":
        Bid.objects.filter(pk=first.pk).update(sealed_commitment="0" * 64)
    elif tamper == "swapped":  # each row gets the other's (valid) ciphertext
        Bid.objects.filter(pk=first.pk).update(sealed_payload=second.sealed_payload)
        Bid.objects.filter(pk=second.pk).update(sealed_payload=first.sealed_payload)
    else:  # ciphertext and commitment swapped together: consistent rows, caught by the audit trail
        Bid.objects.filter(pk=first.pk).update(sealed_payload=second.sealed_payload,
                                               sealed_commitment=second.sealed_commitment)
        Bid.objects.filter(pk=second.pk).update(sealed_payload=first.sealed_payload,
                                                sealed_commitment=first.sealed_commitment)
    with pytest.raises(Conflict, match="integrity check") as refused:
        close_as_buyer(demo, tender)
    assert isinstance(refused.value.__cause__, SealError)
    assert refused.value.code == "sealed_quote_integrity"  # a 409 with a message, not a 500
    assert_nothing_opened(tender)


def test_key_rotation_reencrypts_and_the_quote_still_opens(api, demo, settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.QUAYSIDE_SEALING_KEYS = [old]
    rfq = sealed_auction(demo)
    rice, flour = items(rfq)
    body = {"line_items": [{"line_item_id": rice, "unit_price": "123.45"},
                           {"line_item_id": flour, "unit_price": "67.89"}]}
    post = lambda: api("supplier1").post(f"/api/v1/rfqs/{rfq}/bids/", body, format="json",  # noqa: E731
                                         HTTP_IDEMPOTENCY_KEY="rotate-me")
    placed = created(post())
    before = Bid.objects.get(pk=placed["id"])
    Fernet(old.encode()).decrypt(before.sealed_payload.encode())

    settings.QUAYSIDE_SEALING_KEYS = [new, old]
    call_command("rotate_sealing_keys", verbosity=0)
    after = Bid.objects.get(pk=placed["id"])
    assert after.sealed_payload != before.sealed_payload
    assert after.sealed_commitment == before.sealed_commitment
    with pytest.raises(InvalidToken):
        Fernet(old.encode()).decrypt(after.sealed_payload.encode())
    assert not leaked(after.sealed_payload, "supplier1")

    settings.QUAYSIDE_SEALING_KEYS = [new]  # the old key is retired
    assert api("supplier1").get(f"/api/v1/rfqs/{rfq}/bids/").json()[0]["amount"] == "6295.80"
    replay = post()  # the stored (encrypted) first response was rotated too
    assert replay.status_code == 201 and replay.json() == placed and replay["Idempotent-Replayed"] == "true"
    move_deadline_into_past(rfq)
    assert transition(api, "buyer", rfq, "close").status_code == 200
    opened = AuditEvent.objects.get(rfq_id=rfq, type="bids.opened").payload["quotes"]
    assert [(q["total"], q["commitment"]) for q in opened] == [("6295.80", before.sealed_commitment)]


def test_without_the_key_a_quote_cannot_be_opened(api, demo, settings):
    settings.QUAYSIDE_SEALING_KEYS = [Fernet.generate_key().decode()]
    rfq = sealed_auction(demo)
    created(quote(api, "supplier1", rfq, dict.fromkeys(items(rfq), "10.00")))
    settings.QUAYSIDE_SEALING_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(Conflict, match="cannot be decrypted"):
        close_as_buyer(demo, rfq)
    assert_nothing_opened(rfq)


# --- revisions, partial quotes, withdrawal --------------------------------------------------

def test_each_revision_is_a_new_version_and_all_are_kept(api, demo):
    rfq = sealed_auction(demo)
    rice, flour = items(rfq)
    versions = [created(quote(api, "supplier1", rfq, {rice: price, flour: "10.00"}))
                for price in ("30.00", "29.50", "29.00")]
    assert [v["version"] for v in versions] == [1, 2, 3]
    assert [v["amount"] for v in versions] == ["1400.00", "1380.00", "1360.00"]
    own = api("supplier1").get(f"/api/v1/rfqs/{rfq}/bids/").json()
    assert [(b["version"], b["status"], b["amount"]) for b in own] == [
        (1, "superseded", "1400.00"), (2, "superseded", "1380.00"), (3, "accepted", "1360.00")]
    # Versions count once per supplier for the buyer.
    assert api("buyer").get(f"/api/v1/rfqs/{rfq}/bids/").json() == {"sealed": True, "count_submitted": 1}
    created(quote(api, "supplier2", rfq, {rice: "31.00", flour: "10.00"}))
    assert api("buyer").get(f"/api/v1/rfqs/{rfq}/state/").json()["bid_count"] == 2
    # Each supplier's /state/ has its own standing quote's total, nobody else's.
    assert api("supplier1").get(f"/api/v1/rfqs/{rfq}/state/").json()["your_best"] == "1360.00"
    assert api("supplier2").get(f"/api/v1/rfqs/{rfq}/state/").json()["your_best"] == "1440.00"
    assert "your_best" not in api("buyer").get(f"/api/v1/rfqs/{rfq}/state/").json()
    placed = AuditEvent.objects.filter(rfq_id=rfq, type="bid.placed").order_by("seq")
    assert [e.payload["version"] for e in placed] == [1, 2, 3, 1]
    assert len({e.payload["commitment"] for e in placed}) == 4
    # Each revision's event names the version it replaced (whose own event has its commitment):
    # the trail's before and after (product.md §6), without a price.
    assert [e.payload.get("supersedes") for e in placed] == [
        None, [versions[0]["id"]], [versions[1]["id"]], None]
    # After close every version is opened and readable by the buyer, superseded ones marked.
    move_deadline_into_past(rfq)
    assert transition(api, "buyer", rfq, "close").status_code == 200
    seen = api("buyer").get(f"/api/v1/rfqs/{rfq}/bids/").json()
    assert sorted((b["supplier"]["name"], b["version"], b["status"], b["amount"]) for b in seen) == [
        ("Harbour Chandlers Pte", 1, "accepted", "1440.00"),
        ("Poseidon Marine Supply", 1, "superseded", "1400.00"),
        ("Poseidon Marine Supply", 2, "superseded", "1380.00"),
        ("Poseidon Marine Supply", 3, "accepted", "1360.00")]


def test_a_single_submission_auction_refuses_a_revision(api, demo):
    rfq = sealed_auction(demo, allow_multiple_submissions=False)
    prices = dict.fromkeys(items(rfq), "10.00")
    created(quote(api, "supplier1", rfq, prices))
    refused(quote(api, "supplier1", rfq, prices), "revision_allowed")
    assert Bid.objects.filter(rfq_id=rfq).count() == 1


def test_a_partial_quote_opens_with_its_priced_items_only(api, demo):
    rfq = sealed_auction(demo, allow_partial_bids=True)
    rice, flour = items(rfq)
    assert created(quote(api, "supplier1", rfq, {rice: "25.00"}))["amount"] == "1000.00"
    refused(quote(api, "supplier2", rfq, {rice: "25.00", flour: "1.00", 999999: "1.00"}), "line_items_complete")
    move_deadline_into_past(rfq)
    assert transition(api, "buyer", rfq, "close").status_code == 200
    opened = Bid.objects.get(rfq_id=rfq)
    assert opened.amount == 1000 and opened.items_quoted == 1
    assert list(opened.lines.values_list("line_item_id", flat=True)) == [rice]


def test_a_sealed_quote_can_be_withdrawn_and_the_count_follows(api, demo):
    rfq = sealed_auction(demo)
    prices = dict.fromkeys(items(rfq), "10.00")
    created(quote(api, "supplier1", rfq, prices))
    latest = created(quote(api, "supplier2", rfq, prices))
    response = withdraw(api, "supplier2", rfq, latest["id"])
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    assert response.json()["amount"] is None  # still sealed, even to the response
    assert api("buyer").get(f"/api/v1/rfqs/{rfq}/bids/").json() == {"sealed": True, "count_submitted": 1}


def test_a_reverse_bid_body_on_a_sealed_tender_is_a_400(api, demo):
    rfq = sealed_auction(demo)
    assert bid(api, "supplier1", rfq, "100.00").status_code == 400
