"""The REST client against a stand-in server (httpx.MockTransport): the error format becomes
typed exceptions, a bid keeps its Idempotency-Key across retries, money stays decimal."""
import json
from decimal import Decimal

import httpx
import pytest
from http_message_signatures import HTTPMessageVerifier, MappingKeyResolver, algorithms
from loop_thread import run

from quayside_client import (
    AsyncQuaysideClient,
    BidRejected,
    ConnectionFailed,
    NotFound,
    QuaysideClient,
    RateLimited,
    RequestSigner,
    RetryPolicy,
    ServiceUnavailable,
    generate_key,
)

FAST = RetryPolicy(attempts=4, base=0.001, cap=0.01)
REJECTION = {"error": {"code": "bid_rejected", "message": "Too high.", "fields": {}, "violations": [
    {"rule": "minimum_decrement", "category": "fairness", "severity": "block", "message": "Bid at most 9400.00.",
     "reason": None, "metadata": {"limit": "9400.00"}}]}}


def client(handler, **kwargs):
    return AsyncQuaysideClient("http://quayside.test", token="t0k", retry=FAST,
                               transport=httpx.MockTransport(handler), **kwargs)




def test_a_bid_is_sent_as_a_decimal_string_with_token_and_idempotency_key():
    seen = []

    def handler(request):
        seen.append(request)
        return httpx.Response(201, json={"id": 7, "status": "accepted", "amount": "9500.00", "rank": 1})

    async def scenario():
        async with client(handler) as api:
            return await api.place_bid(42, Decimal("9500.00"))

    assert run(scenario())["rank"] == 1
    [request] = seen
    assert request.url.path == "/api/v1/rfqs/42/bids/" and request.method == "POST"
    assert json.loads(request.content) == {"amount": "9500.00"}
    assert request.headers["Authorization"] == "Token t0k"
    assert len(request.headers["Idempotency-Key"]) == 36  # a uuid4


def test_after_network_errors_and_a_503_the_same_bid_goes_again_under_the_same_key():
    keys, answers = [], [httpx.ConnectError("refused"), httpx.ReadError("reset"),
                         httpx.Response(503, json={"error": {"code": "service_unavailable", "message": "x",
                                                             "fields": {}, "violations": []}},
                                        headers={"Retry-After": "0"}),
                         httpx.Response(201, json={"id": 8})]

    def handler(request):
        keys.append(request.headers["Idempotency-Key"])
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    async def scenario():
        async with client(handler) as api:
            return await api.place_bid(42, "9400.00")

    assert run(scenario()) == {"id": 8}
    assert len(keys) == 4 and len(set(keys)) == 1


def test_two_bids_have_two_keys():
    keys = []

    def handler(request):
        keys.append(request.headers["Idempotency-Key"])
        return httpx.Response(201, json={})

    async def scenario():
        async with client(handler) as api:
            await api.place_bid(42, "9400")
            await api.place_bid(42, "9300")

    run(scenario())
    assert len(set(keys)) == 2


def test_refusals_become_typed_errors_with_the_contract_body():
    def handler(request):
        if request.url.path.endswith("/state/"):
            return httpx.Response(404, json={"error": {"code": "not_found", "message": "Not found.", "fields": {},
                                                       "violations": []}})
        if request.headers.get("Idempotency-Key") and json.loads(request.content)["amount"] == "9999":
            return httpx.Response(429, json={"error": {**REJECTION["error"], "code": "rate_limited"}},
                                  headers={"Retry-After": "7"})
        return httpx.Response(422, json=REJECTION)

    async def scenario():
        async with client(handler) as api:
            with pytest.raises(BidRejected) as rejected:
                await api.place_bid(42, "9450.00")
            with pytest.raises(RateLimited) as limited:
                await api.place_bid(42, "9999")
            with pytest.raises(NotFound):
                await api.state(42)
        return rejected.value, limited.value

    rejected, limited = run(scenario())
    assert rejected.status == 422 and rejected.code == "bid_rejected" and rejected.message == "Too high."
    assert [(v.rule, v.severity, v.metadata) for v in rejected.violations] == [
        ("minimum_decrement", "block", {"limit": "9400.00"})]
    assert limited.retry_after == 7 and limited.code == "rate_limited"


def test_a_server_that_stays_down_ends_in_an_error_not_a_hang():
    def down(request):
        raise httpx.ConnectError("refused")

    def failing(request):
        return httpx.Response(502, text="bad gateway")

    async def scenario():
        async with client(down) as api:
            with pytest.raises(ConnectionFailed):
                await api.state(1)
        async with client(failing) as api:
            with pytest.raises(ServiceUnavailable) as error:
                await api.state(1)
        return error.value

    assert run(scenario()).code == "http_502"


def test_floats_are_refused_for_money():
    async def scenario():
        async with client(lambda request: httpx.Response(201, json={})) as api:
            with pytest.raises(TypeError):
                await api.place_bid(42, 9500.5)

    run(scenario())


def test_with_a_key_every_bid_attempt_is_signed_over_the_bytes_sent():
    key, seen = generate_key(), []

    def handler(request):
        seen.append(request)
        return httpx.Response(503) if len(seen) == 1 else httpx.Response(201, json={"id": 1})

    async def scenario():
        async with client(handler, signer=RequestSigner(key, "qk_9")) as api:
            await api.place_bid(42, "9400.00")

    run(scenario())
    verifier = HTTPMessageVerifier(signature_algorithm=algorithms.ED25519, key_resolver=MappingKeyResolver(
        public_keys={"qk_9": key.public_key()}, private_keys={}))
    nonces = [verifier.verify(request, body=request.content)[0].nonce for request in seen]
    assert len(nonces) == 2 and nonces[0] != nonces[1]  # the retry is signed anew


def test_the_blocking_client_does_the_same():
    def handler(request):
        if request.url.path == "/api/v1/auth/token/":
            return httpx.Response(200, json={"token": "abc", "user": {"username": "supplier1"}})
        assert request.headers["Authorization"] == "Token abc"
        return httpx.Response(200, json={"status": "open", "seq": 3, "server_time": "2026-12-01T10:00:00Z"})

    blocking = QuaysideClient("http://quayside.test")
    blocking.client.http._transport = httpx.MockTransport(handler)
    with blocking:
        blocking._run(blocking.client.login("supplier1", "pw"))
        assert blocking.state(1)["seq"] == 3 and blocking.token == "abc"


def test_clients_share_one_tls_context_loaded_once(monkeypatch):
    import quayside_client.client as module

    made = []
    monkeypatch.setattr(module.httpx, "create_ssl_context", lambda: made.append(1) or module.ssl.SSLContext(module.ssl.PROTOCOL_TLS_CLIENT))
    module.default_ssl_context.cache_clear()
    try:
        for _ in range(3):
            run(AsyncQuaysideClient("https://quayside.example", token="t").aclose())
        assert made == [1]
    finally:
        module.default_ssl_context.cache_clear()
