"""Idempotency-Key for bid creation (api.md): the same key from the same user returns the
first response and creates nothing new — also when the repeats arrive at the same time.

The first request claims the key by inserting its record (unique per user and key) before
doing anything; a concurrent repeat finds the claim and waits for the first response.
"""
from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import connection
from django.utils import timezone
from rest_framework.exceptions import APIException
from rest_framework.response import Response

from common.db import Statement, insert_statement, run_batch, update_statement
from common.errors import ApplicationError, Conflict, ValidationFailed, api_exception_handler

from .models import IdempotencyRecord
from .sealing import SealError, decrypt_json, encrypt_json

logger = logging.getLogger(__name__)

PENDING = 0
ENCRYPTED = "encrypted"  # the one key of a stored body that is a sealed token
EFFECT = "effect_committed"  # the body of a pending claim whose request's effect is committed
WAIT_SECONDS = 10.0
# A claim still pending after this long belongs to a request whose worker died.
ABANDONED_AFTER_SECONDS = 60


def _key(request) -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    # A header value is ASCII (RFC 9110 §5.5); "printable" alone let "ключ" through, which a
    # proxy may re-encode, so the same key would no longer be the same.
    if not (1 <= len(key) <= 255) or not all(" " <= char <= "~" for char in key):
        raise ValidationFailed("Idempotency-Key must be 1–255 printable ASCII characters.",
                               fields={"Idempotency-Key": ["1–255 printable ASCII characters."]})
    return key


def _replay(record: IdempotencyRecord, rfq_id: int) -> Response:
    if record.rfq_id != rfq_id:
        raise Conflict("This Idempotency-Key was already used for another RFQ.", code="idempotency_key_reused")
    body = record.body
    if isinstance(body, dict) and set(body) == {ENCRYPTED}:
        try:
            body = decrypt_json(body[ENCRYPTED])
        except SealError:
            raise Conflict("The first response to this Idempotency-Key can no longer be read; send the request "
                           "again with a new key.", code="idempotency_key_reused") from None
    response = Response(body, status=record.status_code)
    for name, value in record.headers.items():
        response[name] = value
    response["Idempotent-Replayed"] = "true"
    return response


def _wait_for(user, key: str, rfq_id: int) -> Response:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        record = IdempotencyRecord.objects.filter(user=user, key=key).first()
        if record is None:  # the first request failed without an answer; it can be retried
            break
        if record.status_code != PENDING:
            return _replay(record, rfq_id)
        time.sleep(0.05)
    raise Conflict("A request with this Idempotency-Key is still being processed; retry shortly.",
                   code="idempotency_key_in_progress")


def _request_hash(request) -> str:
    return hashlib.sha256(json.dumps(request.data, sort_keys=True, default=str).encode()).hexdigest()


class Claim:
    """Between `idempotent` and the request it runs. `handle(claim)` passes `answer_with(build)`
    to the service as what to commit with its effect, and sets `stored` (a short description,
    "bid 42") once the effect is committed: after that a failure must not free the key.

    Committed with the effect is the key's answer itself, built by `build` from the effect
    before the commit: a retry after any later failure (the worker gone, the database gone)
    gets that answer back, and no round trip stores it afterwards. A confidential answer is
    sealed after the commit instead, outside the auction's row lock, so only a mark is
    committed with the effect: should this process die before the sealed answer is stored,
    the claim is never taken for abandoned and the effect never made twice."""

    stored: str | None = None
    record: IdempotencyRecord | None = None
    confidential: bool = False
    answer: Response | None = None  # committed with the effect

    def answer_with(self, build: Callable[[Any], Response], *, sealed: Callable[[Any], bool] = lambda effect: False
                    ) -> Callable[[Any], tuple[Statement, ...]] | None:
        """What the service calls on its effect before committing it (None without a key).
        `sealed(effect)`: the effect turned out confidential (a bid sealed because the auction
        switched to sealed bidding after the request read it), so its answer is too."""
        record = self.record
        if record is None:
            return None

        def committed_answer(effect) -> tuple[Statement, ...]:
            if self.confidential or sealed(effect):
                self.confidential = True
                return (update_statement(IdempotencyRecord(pk=record.pk, body={EFFECT: True}), ["body"]),)
            self.answer = build(effect)
            return (_answer_statement(record, self.answer, confidential=False),)
        return committed_answer


def idempotent(request, rfq_id: int, handle, *, confidential: bool = False) -> Response:
    """Run `handle(claim)` once per (user, Idempotency-Key); store and replay its response.

    `confidential`: the response may repeat a sealed quote's prices, so it is stored
    encrypted like the quote itself (sealed amounts are never at rest in clear).
    """
    key = _key(request)
    claim = Claim()
    if key is None:
        return handle(claim)
    request_hash = _request_hash(request)
    record = _claim(request.user, key, rfq_id, request_hash)
    if record is None:
        existing = IdempotencyRecord.objects.filter(user=request.user, key=key).first()
        if existing is not None and existing.status_code == PENDING and \
                existing.created_at < timezone.now() - timedelta(seconds=ABANDONED_AFTER_SECONDS):
            # The first request's worker died without answering: the claim is released, unless
            # its effect was committed, which no retry may repeat.
            existing = _abandoned(existing)
        if existing is None:  # released, or freed by a first request that failed: claim it now
            record = _claim(request.user, key, rfq_id, request_hash)
        if record is None:
            return _answer_of_first(request, key, rfq_id, existing, request_hash)
    claim.record, claim.confidential = record, confidential
    try:
        response = handle(claim)
    except Exception as exc:
        response = _error_response(exc)
        if response is None and claim.stored is None:  # nothing done: free the key, a retry may
            IdempotencyRecord.objects.filter(pk=record.pk).delete()
            raise
        if response is None:
            # Done, but the answer failed (a bug, or the database gone right after the commit):
            # this request and every retry under the key learn that, and nothing runs twice.
            logger.exception("the answer to %s (Idempotency-Key of user %s) failed", claim.stored, request.user.pk)
            response = _answer_lost(f"This request was carried out ({claim.stored}), but its answer could not "
                                    "be produced")
    if response is not claim.answer:  # else it was committed with the effect
        _store_answer(record, response, confidential=claim.confidential)
    return response


def _answer_lost(what: str) -> Response:
    return api_exception_handler(Conflict(f"{what}; read the result instead of sending the request again.",
                                          code="idempotency_answer_lost"), {})


def _store_answer(record: IdempotencyRecord, response: Response, *, confidential: bool) -> None:
    """Keep `response` as the key's answer when the effect's commit did not: a refusal, or a
    sealed answer (Claim). It runs after a bid's commit, so no failure of it (the sealing keys,
    the database gone) may turn the bid's answer into a 500: the claim then stays pending and
    marked, and retries wait, then get 409 idempotency_answer_lost (_abandoned)."""
    try:
        run_batch([_answer_statement(record, response, confidential=confidential)])
    except Exception:
        logger.exception("the answer to Idempotency-Key record %s could not be stored", record.pk)


def _answer_statement(record: IdempotencyRecord, response: Response, *, confidential: bool) -> Statement:
    """record.save(update_fields=…) with `response` as the key's answer, as one statement."""
    record.status_code = response.status_code
    record.body = {ENCRYPTED: encrypt_json(response.data)} if confidential else response.data
    record.headers = {name: response[name] for name in ("Retry-After",) if response.has_header(name)}
    return update_statement(record, ["status_code", "body", "headers"])


def _abandoned(record: IdempotencyRecord) -> IdempotencyRecord | None:
    """A claim whose request died before answering: released (None) if it did nothing, else
    answered for good with 409 `idempotency_answer_lost` (a retry must not place it again)."""
    if not record.body.get(EFFECT):
        IdempotencyRecord.objects.filter(pk=record.pk, status_code=PENDING).delete()
        return None
    lost = _answer_lost("This request was carried out, but the server answering it stopped before its answer "
                        "was stored")
    IdempotencyRecord.objects.filter(pk=record.pk, status_code=PENDING).update(status_code=lost.status_code,
                                                                                body=lost.data)
    return IdempotencyRecord.objects.filter(pk=record.pk).first()


def _claim(user, key: str, rfq_id: int, request_hash: str) -> IdempotencyRecord | None:
    """Claim the key for this request: its record, inserted pending and committed at once, so a
    concurrent repeat finds it; None when the key is taken. One statement, one round trip
    (the hot path: a supplier's system sends a key with every bid)."""
    record = IdempotencyRecord(user=user, key=key, rfq_id=rfq_id, request_hash=request_hash, status_code=PENDING,
                               body={})
    sql, params = insert_statement(record)
    quote = connection.ops.quote_name
    user_column, key_column = (quote(IdempotencyRecord._meta.get_field(name).column) for name in ("user", "key"))
    [rows] = run_batch([(f"{sql} ON CONFLICT ({user_column}, {key_column}) DO NOTHING RETURNING "
                         f"{quote(IdempotencyRecord._meta.pk.column)}", params)])
    if not rows:
        return None
    record.pk = rows[0][0]
    record._state.adding = False
    return record


def _answer_of_first(request, key: str, rfq_id: int, existing: IdempotencyRecord | None,
                     request_hash: str) -> Response:
    """The answer a repeat gets: the first request's, once it has one."""
    if existing is None:  # claimed by a third request in between
        return _wait_for(request.user, key, rfq_id)
    response = (_wait_for(request.user, key, rfq_id) if existing.status_code == PENDING
                else _replay(existing, rfq_id))
    if existing.request_hash and existing.request_hash != request_hash:
        # api.md: the key alone decides, so the first answer stands; the client is told
        # its retry differed, which usually means a bug on its side.
        response["Idempotent-Request-Mismatch"] = "true"
    return response


def _error_response(exc: Exception) -> Response | None:
    """The answer an expected refusal gets, so a repeat is refused the same way."""
    if isinstance(exc, (ApplicationError, APIException)):
        return api_exception_handler(exc, {})
    return None
