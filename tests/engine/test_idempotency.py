"""Idempotency-Key on bid creation (api.md "Conventions"): the same key from the same user
returns the first response and creates nothing new; refusals are replayed too."""
import pytest

from auctions.models import Bid, IdempotencyRecord, RuleViolation
from audit.models import AuditEvent
from tests.api.helpers import mentions_amount

from .helpers import created, items, refused, reverse_auction, sealed_auction, transition


@pytest.fixture
def rfq(demo):
    return reverse_auction(demo, rate_limit_bids_per_minute=1)


def keyed(api, user, rfq_id, body, key):
    return api(user).post(f"/api/v1/rfqs/{rfq_id}/bids/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def traces(rfq_id):
    return (Bid.objects.filter(rfq_id=rfq_id).count(), AuditEvent.objects.filter(rfq_id=rfq_id).count(),
            RuleViolation.objects.filter(rfq_id=rfq_id).count())


def test_the_same_key_from_the_same_user_replays_the_first_response(api, rfq):
    first = keyed(api, "supplier1", rfq, {"amount": "9500.00"}, "k-1")
    placed = created(first)
    assert not first.has_header("Idempotent-Replayed")
    after_first = traces(rfq)
    # A retry, even with another body, gets the first answer and places nothing.
    for body in ({"amount": "9500.00"}, {"amount": "9000.00"}):
        again = keyed(api, "supplier1", rfq, body, "k-1")
        assert again.status_code == 201 and again.json() == first.json()
        assert again["Idempotent-Replayed"] == "true"
    assert traces(rfq) == after_first
    assert list(Bid.objects.filter(rfq_id=rfq).values_list("pk", flat=True)) == [placed["id"]]


def test_the_same_key_from_another_user_is_independent(api, rfq):
    mine = created(keyed(api, "supplier1", rfq, {"amount": "9500.00"}, "shared-key"))
    theirs = created(keyed(api, "supplier2", rfq, {"amount": "9400.00"}, "shared-key"))
    assert theirs["id"] != mine["id"] and theirs["amount"] == "9400.00"
    assert Bid.objects.filter(rfq_id=rfq).count() == 2


def test_a_refusal_is_replayed_even_when_the_bid_would_now_pass(api, rfq):
    assert transition(api, "buyer", rfq, "pause").status_code == 200
    first = keyed(api, "supplier1", rfq, {"amount": "9500.00"}, "k-paused")
    refused(first, "within_bidding_window")
    after_first = traces(rfq)
    assert transition(api, "buyer", rfq, "resume").status_code == 200
    after_resume = traces(rfq)
    again = keyed(api, "supplier1", rfq, {"amount": "9500.00"}, "k-paused")
    assert again.status_code == 422 and again.json() == first.json()
    assert traces(rfq) == after_resume and after_resume[0] == after_first[0] == 0
    created(keyed(api, "supplier1", rfq, {"amount": "9500.00"}, "k-fresh"))


def test_a_429_is_replayed_with_its_retry_after(api, rfq):
    created(keyed(api, "supplier1", rfq, {"amount": "9500.00"}, "k-a"))
    first = keyed(api, "supplier1", rfq, {"amount": "9400.00"}, "k-b")
    refused(first, "rate_limit", status=429)
    again = keyed(api, "supplier1", rfq, {"amount": "9400.00"}, "k-b")
    assert again.status_code == 429 and again.json() == first.json()
    assert again["Retry-After"] == first["Retry-After"]


def test_a_400_is_replayed_too(api, rfq):
    first = keyed(api, "supplier1", rfq, {"amount": 9500}, "k-number")
    assert first.status_code == 400
    again = keyed(api, "supplier1", rfq, {"amount": 9500}, "k-number")
    assert again.status_code == 400 and again.json() == first.json()
    assert not Bid.objects.filter(rfq_id=rfq).exists()


def test_the_same_key_with_another_body_replays_and_says_so(api, rfq):
    first = created(keyed(api, "supplier1", rfq, {"amount": "9500.00"}, "k-body"))
    same = keyed(api, "supplier1", rfq, {"amount": "9500.00"}, "k-body")
    assert not same.has_header("Idempotent-Request-Mismatch")
    other = keyed(api, "supplier1", rfq, {"amount": "9400.00"}, "k-body")
    assert other.status_code == 201 and other.json()["id"] == first["id"]
    assert other["Idempotent-Request-Mismatch"] == "true"
    assert Bid.objects.filter(rfq_id=rfq).count() == 1


def test_an_abandoned_claim_is_released(api, rfq):
    from datetime import timedelta

    from django.utils import timezone

    from auctions.models import IdempotencyRecord

    created(keyed(api, "supplier1", rfq, {"amount": "9500.00"}, "k-crashed"))
    # As if the worker had died before answering, long ago.
    IdempotencyRecord.objects.filter(key="k-crashed").update(status_code=0, body={},
                                                               created_at=timezone.now() - timedelta(minutes=5))
    retried = keyed(api, "supplier2", rfq, {"amount": "9400.00"}, "k-crashed")  # another user: unaffected
    assert retried.status_code == 201
    again = keyed(api, "supplier1", rfq, {"amount": "9500.00"}, "k-crashed")
    assert again.status_code in (201, 422)  # processed anew, not stuck on the dead claim
    assert again.json().get("error", {}).get("code") != "idempotency_key_in_progress"


def test_a_key_used_on_another_rfq_is_a_409(api, demo, rfq):
    created(keyed(api, "supplier1", rfq, {"amount": "9500.00"}, "k-reused"))
    other = reverse_auction(demo)
    response = keyed(api, "supplier1", other, {"amount": "9500.00"}, "k-reused")
    assert response.status_code == 409 and response.json()["error"]["code"] == "idempotency_key_reused"
    assert not Bid.objects.filter(rfq_id=other).exists()


@pytest.mark.parametrize("key", ["", "x" * 256, "line\nbreak"])
def test_a_malformed_key_is_a_400(api, rfq, key):
    response = api("supplier1").post(f"/api/v1/rfqs/{rfq}/bids/", {"amount": "9500.00"}, format="json",
                                     HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 400 and "Idempotency-Key" in response.json()["error"]["fields"]
    assert not Bid.objects.filter(rfq_id=rfq).exists()


def test_a_sealed_quote_replays_its_total_but_stores_it_encrypted(api, demo):
    rfq = sealed_auction(demo)
    body = {"line_items": [{"line_item_id": item, "unit_price": "123.45"} for item in items(rfq)]}
    first = keyed(api, "supplier1", rfq, body, "k-sealed")
    assert created(first)["amount"] == "7407.00"  # 60 × 123.45
    again = keyed(api, "supplier1", rfq, body, "k-sealed")
    assert again.status_code == 201 and again.json() == first.json()
    stored = IdempotencyRecord.objects.get(key="k-sealed")
    assert not mentions_amount(str(stored.body), "7407") and not mentions_amount(str(stored.body), "123.45")
    assert Bid.objects.filter(rfq_id=rfq).count() == 1


def test_a_bid_whose_answer_cannot_be_built_is_not_placed(api, rfq, monkeypatch):
    """With a key, a bid's answer is built before its commit, to be committed with it: should
    building it fail (a bug), nothing is placed and the key is freed, so a retry bids once."""
    from auctions import api as bids_api

    def broken(placed, user):
        raise RuntimeError("the answer could not be built")

    before = traces(rfq)
    monkeypatch.setattr(bids_api, "placed_body", broken)
    with pytest.raises(RuntimeError):
        keyed(api, "supplier1", rfq, {"amount": "9500.00"}, "k-lost")
    assert traces(rfq) == before and not IdempotencyRecord.objects.filter(key="k-lost").exists()
    monkeypatch.undo()
    created(keyed(api, "supplier1", rfq, {"amount": "9500.00"}, "k-lost"))
    assert Bid.objects.filter(rfq_id=rfq).count() == 1


def test_a_quote_whose_answer_fails_is_not_placed_again_by_a_retry(api, demo, monkeypatch):
    """A sealed quote's answer is built and sealed after its commit (no cryptography under the
    auction's lock): should that fail, the quote stands and the key is not freed, or the
    supplier's retry would quote twice."""
    from auctions import api as bids_api

    def broken(placed, user):
        raise RuntimeError("the answer could not be built")

    rfq = sealed_auction(demo)
    body = {"line_items": [{"line_item_id": item, "unit_price": "123.45"} for item in items(rfq)]}
    monkeypatch.setattr(bids_api, "placed_body", broken)
    first = keyed(api, "supplier1", rfq, body, "k-lost")
    [bid] = Bid.objects.filter(rfq_id=rfq)
    assert first.status_code == 409 and first.json()["error"]["code"] == "idempotency_answer_lost"
    assert f"bid {bid.pk}" in first.json()["error"]["message"]
    monkeypatch.undo()
    again = keyed(api, "supplier1", rfq, body, "k-lost")
    assert again.status_code == 409 and again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert list(Bid.objects.filter(rfq_id=rfq)) == [bid]


def test_a_failure_before_anything_is_stored_frees_the_key(api, rfq, monkeypatch):
    from auctions import api as bids_api

    def broken(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(bids_api, "bid_place", broken)
    with pytest.raises(RuntimeError):
        keyed(api, "supplier1", rfq, {"amount": "9500.00"}, "k-free")
    assert not IdempotencyRecord.objects.filter(key="k-free").exists()
    monkeypatch.undo()
    created(keyed(api, "supplier1", rfq, {"amount": "9500.00"}, "k-free"))
    assert Bid.objects.filter(rfq_id=rfq).count() == 1


def test_a_key_costs_a_bid_one_statement_its_claim(api, demo):
    # Supplier systems send a key with every bid: the claim is one INSERT … ON CONFLICT, its own
    # round trip (a read only when the key is taken); the answer rides in the bid's own batch
    # of writes, committed with the bid.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rfq = reverse_auction(demo)
    api("supplier1")  # the token is made before the counting starts
    with CaptureQueriesContext(connection) as plain:
        created(api("supplier1").post(f"/api/v1/rfqs/{rfq}/bids/", {"amount": "9500.00"}, format="json"))
    with CaptureQueriesContext(connection) as with_key:
        placed = created(keyed(api, "supplier2", rfq, {"amount": "9400.00"}, "k-count"))
    table = IdempotencyRecord._meta.db_table
    touching = [query["sql"] for query in with_key.captured_queries if table in query["sql"]]
    assert len(touching) == 2 and "ON CONFLICT" in touching[0]
    assert f'UPDATE {table} SET "status_code"' in touching[1]  # the answer, with the bid's writes
    batched = connection.vendor == "postgresql"  # there the bid's writes are one logged batch
    assert len(with_key.captured_queries) == len(plain.captured_queries) + (1 if batched else 2)
    record = IdempotencyRecord.objects.get(key="k-count")
    assert (record.status_code, record.body) == (201, placed)


class Died(BaseException):
    """The worker killed mid-request (a timeout, out of memory): nothing of it runs on."""


def dies_after_the_commit(monkeypatch):
    """The worker dies as soon as the bid's transaction has committed."""
    from auctions import api as bids_api

    placed_for_real = bids_api.bid_place

    def placed_then_died(**kwargs):
        placed_for_real(**kwargs)
        raise Died

    monkeypatch.setattr(bids_api, "bid_place", placed_then_died)


def test_a_bid_whose_worker_died_after_the_commit_is_answered_to_its_retry(api, rfq, monkeypatch):
    """The answer is committed with the bid: when the worker dies right after the commit, the
    supplier's retry gets that answer, and nothing is placed twice."""
    dies_after_the_commit(monkeypatch)
    with pytest.raises(Died):
        keyed(api, "supplier1", rfq, {"amount": "9500.00"}, "k-died")
    monkeypatch.undo()
    [bid] = Bid.objects.filter(rfq_id=rfq)
    record = IdempotencyRecord.objects.get(key="k-died")
    assert record.status_code == 201 and record.body["id"] == bid.pk and record.body["amount"] == "9500.00"
    retried = keyed(api, "supplier1", rfq, {"amount": "9500.00"}, "k-died")
    assert retried.status_code == 201 and retried["Idempotent-Replayed"] == "true"
    assert retried.json() == record.body
    assert list(Bid.objects.filter(rfq_id=rfq)) == [bid]


def test_a_quote_whose_worker_died_after_the_commit_is_never_placed_again(api, demo, monkeypatch):
    """A sealed quote's answer is sealed after the commit, so only a mark is committed with the
    quote: when the worker dies between the two, the abandoned claim is answered 409, not
    released."""
    from datetime import timedelta

    from django.utils import timezone

    rfq = sealed_auction(demo)
    body = {"line_items": [{"line_item_id": item, "unit_price": "123.45"} for item in items(rfq)]}
    dies_after_the_commit(monkeypatch)
    with pytest.raises(Died):
        keyed(api, "supplier1", rfq, body, "k-died")
    monkeypatch.undo()
    [bid] = Bid.objects.filter(rfq_id=rfq)
    record = IdempotencyRecord.objects.get(key="k-died")
    assert record.status_code == 0 and record.body == {"effect_committed": True}  # committed with the quote
    IdempotencyRecord.objects.filter(pk=record.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    retried = keyed(api, "supplier1", rfq, body, "k-died")
    assert retried.status_code == 409 and retried.json()["error"]["code"] == "idempotency_answer_lost"
    again = keyed(api, "supplier1", rfq, body, "k-died")
    assert again.json() == retried.json() and again["Idempotent-Replayed"] == "true"
    assert list(Bid.objects.filter(rfq_id=rfq)) == [bid]


def test_a_refused_bid_leaves_no_mark_so_its_abandoned_claim_is_released(api, rfq, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    from auctions.services import bids as bid_service

    created(keyed(api, "supplier2", rfq, {"amount": "9000.00"}, "k-best"))
    real_raise = bid_service.BidRejected

    def dies(violations):
        raise Died

    monkeypatch.setattr(bid_service, "BidRejected", dies)  # the worker dies as the refusal is raised
    with pytest.raises(Died):
        keyed(api, "supplier1", rfq, {"amount": "9500.00"}, "k-refused")  # not below the best
    monkeypatch.setattr(bid_service, "BidRejected", real_raise)
    assert IdempotencyRecord.objects.get(key="k-refused").body == {}
    IdempotencyRecord.objects.filter(key="k-refused").update(created_at=timezone.now() - timedelta(minutes=5))
    created(keyed(api, "supplier1", rfq, {"amount": "8900.00"}, "k-refused"))  # released: placed now


def test_an_answer_that_cannot_be_stored_still_answers_the_quote(api, demo, monkeypatch):
    """After a sealed quote's commit, storing its sealed answer fails (the database gone): the
    supplier still gets its 201, and the claim stays pending and marked, so a retry never
    quotes again."""
    from django.db import DatabaseError

    from auctions import idempotency

    real = idempotency.run_batch

    def answer_fails(statements, **kwargs):
        if statements[0][0].startswith("UPDATE"):
            raise DatabaseError("server closed the connection unexpectedly")
        return real(statements, **kwargs)

    rfq = sealed_auction(demo)
    body = {"line_items": [{"line_item_id": item, "unit_price": "123.45"} for item in items(rfq)]}
    monkeypatch.setattr(idempotency, "run_batch", answer_fails)
    placed = created(keyed(api, "supplier1", rfq, body, "k-unstored"))
    monkeypatch.undo()
    record = IdempotencyRecord.objects.get(key="k-unstored")
    assert record.status_code == 0 and record.body == {"effect_committed": True}
    assert list(Bid.objects.filter(rfq_id=rfq).values_list("pk", flat=True)) == [placed["id"]]


def test_a_sealed_answer_that_cannot_be_encrypted_still_answers_the_quote(api, demo, monkeypatch):
    """Sealing the stored answer runs after the quote's commit too: its failure is logged, the
    supplier gets its 201, and the marked claim keeps a retry from quoting again."""
    from auctions import idempotency

    def keys_gone(data):
        raise RuntimeError("no sealing key")

    rfq = sealed_auction(demo)
    body = {"line_items": [{"line_item_id": item, "unit_price": "123.45"} for item in items(rfq)]}
    monkeypatch.setattr(idempotency, "encrypt_json", keys_gone)
    assert created(keyed(api, "supplier1", rfq, body, "k-sealed-unstored"))["amount"] == "7407.00"
    monkeypatch.undo()
    record = IdempotencyRecord.objects.get(key="k-sealed-unstored")
    assert record.status_code == 0 and record.body == {"effect_committed": True}
    assert Bid.objects.filter(rfq_id=rfq).count() == 1
