"""Bidders a worker remembers between bids (auctions/bidders.py).

A token's second bid on an RFQ decides what comes before the lock from the rows its first bid
read, reads them again in the lock's round trip and goes on only if they stand. Here: that it
saves the round trip (and reads nothing from memory that bids change), and that every change
between two bids — to the token, the user, the company, the invitation, the qualification,
the RFQ — gets the answer a bid without memory gets, with nothing recorded twice.
"""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token

from auctions.bidders import BIDDERS, LIVE, SETTLED, Remembered, RememberedBidders, still_holds
from auctions.models import Bid, RuleViolation
from audit.models import AuditEvent
from rfqs.models import RFQ
from suppliers.models import Invitation, InvitationStatus, KycStatus, SupplierCompany
from tests.signing import new_key, signature_headers

from .helpers import items, reverse_auction, sealed_auction, set_deadline

PATH = "/api/v1/rfqs/{}/bids/"


def post(api, user, rfq_id, body, **extra):
    return api(user).post(PATH.format(rfq_id), body, format="json", **extra)


def round_trips(client, rfq_id, body):
    """The answer and the database round trips of one bid: on PostgreSQL a batch is one entry
    of the query log (common.db.run_batch); on SQLite every statement is its own. The test's
    own savepoints (its transaction around the bid's) are left out."""
    with CaptureQueriesContext(connection) as queries:
        response = client.post(PATH.format(rfq_id), body, format="json")
    return response, sum(1 for query in queries.captured_queries if "SAVEPOINT" not in query["sql"])


def trail(rfq_id: int) -> list[str]:
    return list(AuditEvent.objects.filter(rfq_id=rfq_id).order_by("seq").values_list("type", flat=True))


def test_live_and_settled_columns_cover_the_rfq():
    names = {f.name for f in RFQ._meta.concrete_fields}
    assert set(LIVE) <= names and set(SETTLED) == names - set(LIVE)


@pytest.mark.parametrize("kind", ["reverse", "sealed"])
def test_a_second_bid_saves_the_first_round_trip_and_reads_nothing_bids_change(api, demo, kind):
    """The second bid against the third, the same kind of bid (a revision) placed with the memory
    cleared: one round trip fewer on PostgreSQL; on SQLite one statement fewer (the first two
    read again as one), so no column of the remembered RFQ was loaded on its own (LIVE deferred)."""
    if kind == "reverse":
        rfq_id = reverse_auction(demo)
        bodies = [{"amount": amount} for amount in ("9500.00", "9000.00", "8500.00")]
    else:
        rfq_id = sealed_auction(demo)
        lines = items(rfq_id)
        valid_until = (timezone.now() + timedelta(days=60)).date().isoformat()  # checked against the deadline
        bodies = [{"line_items": [{"line_item_id": lines[0], "unit_price": price},
                                  {"line_item_id": lines[1], "unit_price": "30.00"}], "valid_until": valid_until}
                  for price in ("12.50", "12.00", "11.50")]
    client = api("supplier1")
    assert client.post(PATH.format(rfq_id), bodies[0], format="json").status_code == 201
    assert len(BIDDERS) == 1
    remembered, remembered_trips = round_trips(client, rfq_id, bodies[1])
    BIDDERS.clear()
    fresh, fresh_trips = round_trips(client, rfq_id, bodies[2])
    assert (remembered.status_code, fresh.status_code) == (201, 201), (remembered.content, fresh.content)
    assert remembered_trips == fresh_trips - 1
    assert Bid.objects.filter(rfq_id=rfq_id).count() == 3


def test_an_extension_changes_only_live_columns_and_the_next_bid_still_remembers(api, demo):
    rfq_id = reverse_auction(demo, anti_sniping_preset="tight")
    client = api("supplier1")
    assert client.post(PATH.format(rfq_id), {"amount": "9500.00"}, format="json").status_code == 201
    set_deadline(rfq_id, 100)
    assert post(api, "supplier2", rfq_id, {"amount": "9000.00"}).status_code == 201
    assert RFQ.objects.get(pk=rfq_id).extensions == 1
    response, trips = round_trips(client, rfq_id, {"amount": "8500.00"})
    assert response.status_code == 201, response.content
    if connection.vendor == "postgresql":
        assert trips == 2  # the lock's round trip (the first one's rows read again), the writes


def _revoke_token(demo):
    Token.objects.filter(user=demo.user("supplier1")).delete()


def _deactivate(demo):
    type(demo.user("supplier1")).objects.filter(pk=demo.user("supplier1").pk).update(is_active=False)


def _lapse_kyc(demo):
    SupplierCompany.objects.filter(pk=demo.user("supplier1").supplier_id).update(kyc_status=KycStatus.EXPIRED)


def _unqualify(demo, rfq_id):
    rfq = RFQ.objects.get(pk=rfq_id)
    SupplierCompany.objects.get(pk=demo.user("supplier1").supplier_id).categories.remove(rfq.category_id)


def _revoke_invitation(demo, rfq_id):
    Invitation.objects.filter(rfq_id=rfq_id, supplier_id=demo.user("supplier1").supplier_id).update(
        status=InvitationStatus.REVOKED)


def _tighten_decrement(demo, rfq_id):
    rfq = RFQ.objects.get(pk=rfq_id)
    RFQ.objects.filter(pk=rfq_id).update(auction_settings={**rfq.auction_settings, "minimum_decrement": "1000.00"})


@pytest.mark.parametrize(("change", "status", "code"), [
    (lambda demo, rfq_id: _revoke_token(demo), 401, None),
    (lambda demo, rfq_id: _deactivate(demo), 401, None),
    (lambda demo, rfq_id: _lapse_kyc(demo), 422, "supplier_kyc_valid"),
    (_unqualify, 422, "category_qualified"),
    (_revoke_invitation, 404, None),
    (_tighten_decrement, 422, "minimum_decrement"),
], ids=["token deleted", "user deactivated", "KYC lapsed", "qualification removed", "invitation revoked",
        "settings changed"])
def test_a_change_between_two_bids_gets_the_answer_of_a_bid_without_memory(api, demo, change, status, code):
    rfq_id = reverse_auction(demo)
    client = api("supplier1")  # one token throughout (api() would make a new one once it is deleted)
    assert client.post(PATH.format(rfq_id), {"amount": "9500.00"}, format="json").status_code == 201
    assert len(BIDDERS) == 1
    change(demo, rfq_id)
    response = client.post(PATH.format(rfq_id), {"amount": "9000.00"}, format="json")  # beats 9 500 by 500
    assert response.status_code == status, response.content
    if code is not None:
        assert code in {v["rule"] for v in response.json()["error"]["violations"]}
        # Refused once, on the rows read now: one event and one set of violations, not two.
        assert trail(rfq_id).count("bid.place_rejected") == 1
        assert RuleViolation.objects.filter(rfq_id=rfq_id, rule=code).count() == 1
    assert Bid.objects.filter(rfq_id=rfq_id).count() == 1


def test_a_refusal_before_the_lock_is_decided_on_rows_read_now_and_recorded_once(api, demo):
    rfq_id = reverse_auction(demo)
    assert post(api, "supplier1", rfq_id, {"amount": "9500.00"}).status_code == 201
    response = post(api, "supplier1", rfq_id, {"amount": "9000.001"})  # amount_format: a rule before the lock
    assert response.status_code == 422, response.content
    assert trail(rfq_id).count("bid.place_rejected") == 1
    assert post(api, "supplier1", rfq_id, {"amount": "9000.00"}).status_code == 201


def test_a_refusal_the_remembered_rows_would_give_is_not_given_once_they_changed(api, demo):
    """A bid refused before the lock (KYC expired) still remembers its rows; the company verified
    since, the next bid is placed, not refused on what was remembered."""
    rfq_id = reverse_auction(demo)
    _lapse_kyc(demo)
    client = api("supplier1")
    refused = client.post(PATH.format(rfq_id), {"amount": "9500.00"}, format="json")
    assert refused.status_code == 422 and len(BIDDERS) == 1
    SupplierCompany.objects.filter(pk=demo.user("supplier1").supplier_id).update(kyc_status=KycStatus.VERIFIED)
    placed = client.post(PATH.format(rfq_id), {"amount": "9500.00"}, format="json")
    assert placed.status_code == 201, placed.content
    assert trail(rfq_id).count("bid.place_rejected") == 1


def test_a_replayed_key_is_not_answered_for_a_token_deleted_since(api, demo):
    rfq_id = reverse_auction(demo)
    client = api("supplier1")
    first = client.post(PATH.format(rfq_id), {"amount": "9500.00"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201
    again = client.post(PATH.format(rfq_id), {"amount": "9500.00"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    _revoke_token(demo)
    gone = client.post(PATH.format(rfq_id), {"amount": "9500.00"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert gone.status_code == 401 and "9500" not in gone.content.decode()
    assert len(BIDDERS) == 0


def test_a_signed_bid_placed_again_keeps_its_one_verdict(api, demo):
    """Remembered rows that no longer stand (the company renamed) place the bid again in the same
    request: its signature's nonce, claimed once, is not then refused as replayed."""
    rfq_id = reverse_auction(demo)
    client = api("supplier1")
    key, public = new_key()
    registered = client.post("/api/v1/suppliers/me/keys/", {"public_key": public, "label": "ERP"}, format="json")
    assert registered.status_code == 201, registered.content
    assert post(api, "supplier1", rfq_id, {"amount": "9500.00"}).status_code == 201
    SupplierCompany.objects.filter(pk=demo.user("supplier1").supplier_id).update(name="Renamed Ship Supplies")
    path, body = PATH.format(rfq_id), json.dumps({"amount": "9000.00"}).encode()
    headers = signature_headers(key, registered.json()["key_id"], path, body)
    response = client.post(path, body, content_type="application/json",
                           **{f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()})
    assert response.status_code == 201, response.content
    placed = AuditEvent.objects.filter(rfq_id=rfq_id, type="bid.placed").order_by("seq").last()
    assert placed.payload["signature"]["key_id"] == registered.json()["key_id"]


def test_the_memory_is_bounded_oldest_out_first():
    bidders = RememberedBidders(size=2)
    for pk in (1, 2, 3):
        bidders.remember("key", pk, Remembered((pk,), (pk,), "user digest", "rfq digest"))
    assert len(bidders) == 2 and bidders.recall("key", 1) is None and bidders.recall("key", 3) is not None
    bidders.forget("key", 3)
    assert bidders.recall("key", 3) is None and len(bidders) == 1


def test_each_bid_gets_its_own_copies_with_the_live_columns_deferred(api, demo):
    rfq_id = reverse_auction(demo)
    client = api("supplier1")
    assert client.post(PATH.format(rfq_id), {"amount": "9500.00"}, format="json").status_code == 201
    key = client._credentials["HTTP_AUTHORIZATION"].split()[1]
    remembered = BIDDERS.recall(key, rfq_id)
    (user, rfq), (again, rfq_again) = remembered.user_and_rfq(rfq_id), remembered.user_and_rfq(rfq_id)
    assert user is not again and user.supplier is not again.supplier and rfq is not rfq_again
    user.supplier.name = "changed in one bid"
    rfq.bidder_invitation_status = "changed in one bid"
    assert again.supplier.name != "changed in one bid" and rfq_again.bidder_invitation_status == "ACCEPTED"
    live = {RFQ._meta.get_field(name).attname for name in LIVE}
    assert live <= rfq_again.get_deferred_fields()
    assert rfq_again.bid_count == 1  # read fresh when asked for


def test_an_answer_before_the_lock_stands_only_while_every_remembered_row_does(api, demo):
    """still_holds (an answer given before the lock: a 400, a replayed key) reads the rows again:
    any change to the RFQ's settled columns, the user's or the company's undoes it; the RFQ's
    LIVE columns, which every bid changes, do not."""
    rfq_id = reverse_auction(demo)
    client = api("supplier1")
    assert client.post(PATH.format(rfq_id), {"amount": "9500.00"}, format="json").status_code == 201
    key = client._credentials["HTTP_AUTHORIZATION"].split()[1]
    remembered = BIDDERS.recall(key, rfq_id)
    assert still_holds(remembered.recheck(key, rfq_id))
    RFQ.objects.filter(pk=rfq_id).update(bid_count=7, best_amount="9400.00", updated_at=timezone.now())
    assert still_holds(remembered.recheck(key, rfq_id))
    description = RFQ.objects.get(pk=rfq_id).description
    RFQ.objects.filter(pk=rfq_id).update(description="Amended: delivery to Piraeus instead.")
    assert not still_holds(remembered.recheck(key, rfq_id))
    RFQ.objects.filter(pk=rfq_id).update(description=description)
    assert still_holds(remembered.recheck(key, rfq_id))
    SupplierCompany.objects.filter(pk=demo.user("supplier1").supplier_id).update(name="Renamed Chandlers")
    assert not still_holds(remembered.recheck(key, rfq_id))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_change_committed_while_the_bid_waits_for_the_lock_is_what_it_is_decided_on(live_server, demo):
    """The rows read again before the lock hold, and the RFQ changes while the bid waits for the
    lock: the locked RFQ is the changed one (its digest, read under the lock, differs), so the
    tighter decrement refuses the bid, once, as a bid without memory would be refused."""
    import threading

    import psycopg
    import requests

    from tests.engine.test_race import token
    from tests.factories import published_rfq
    from tests.waiting import wait_until

    rfq_id = published_rfq(demo, suppliers=(1, 2), accept=(1, 2), reserve_price={"enabled": False},
                           auction={"type": "REVERSE_AUCTION", "settings": {
                               "starting_price": "10000.00", "minimum_decrement": "100.00",
                               "decrement_type": "AMOUNT", "rate_limit_bids_per_minute": 60}})
    url, headers = f"{live_server.url}{PATH.format(rfq_id)}", token(demo.user("supplier1"))
    assert requests.post(url, json={"amount": "9500.00"}, headers=headers, timeout=30).status_code == 201
    assert BIDDERS.recall(headers["Authorization"].split()[1], rfq_id) is not None
    answers: list[requests.Response] = []
    table = RFQ._meta.db_table
    with psycopg.connect(dbname=connection.settings_dict["NAME"], host=connection.settings_dict["HOST"],
                         port=connection.settings_dict["PORT"], user=connection.settings_dict["USER"]) as buyer:
        buyer.execute(f"SELECT id FROM {table} WHERE id = %s FOR NO KEY UPDATE", [rfq_id])
        buyer.execute(f"""UPDATE {table} SET auction_settings = auction_settings || '{{"minimum_decrement": "1000.00"}}'
                          WHERE id = %s""", [rfq_id])
        bid = threading.Thread(target=lambda: answers.append(
            requests.post(url, json={"amount": "9000.00"}, headers=headers, timeout=30)))
        bid.start()
        wait_until(lambda: buyer.execute("SELECT count(*) FROM pg_locks WHERE NOT granted").fetchone()[0], 15,
                   "the bid never waited for the auction row")
        buyer.commit()
    bid.join(30)
    assert [answer.status_code for answer in answers] == [422], [answer.content for answer in answers]
    assert "minimum_decrement" in answers[0].text or "decrement" in answers[0].text
    assert Bid.objects.filter(rfq_id=rfq_id).count() == 1
    assert trail(rfq_id).count("bid.place_rejected") == 1
    refused = RuleViolation.objects.filter(rfq_id=rfq_id, blocked=True)
    assert refused.exists() and refused.values("attempt").distinct().count() == 1
