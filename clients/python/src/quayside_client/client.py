"""The REST side of the contract (api.md), asynchronous: sign-in, invitations, state, bids,
signing keys. `follow()` (live events) is in follow.py and uses this client's connection.

Bids are sent with an `Idempotency-Key` (a uuid4 per logical bid): after a network error or
a 5xx the same bid goes again with the same key, so the server creates it at most once.
"""
from __future__ import annotations

import asyncio
import functools
import json
import ssl
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx

from .backoff import Backoff
from .clock import ServerClock
from .errors import ApiError, Conflict, ConnectionFailed, ServiceUnavailable, error_from_response
from .money import Amount, money_string
from .sequencer import Event
from .signing import RequestSigner

API = "/api/v1"
USER_AGENT = "quayside-client/0.1"


@dataclass(frozen=True)
class RetryPolicy:
    """How a request that failed without an answer (or with a 5xx) is sent again."""

    attempts: int = 4
    base: float = 0.25
    cap: float = 4.0


def json_body(payload: Any) -> bytes:
    """The exact bytes sent (and signed): compact JSON, UTF-8."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


@functools.cache
def default_ssl_context() -> ssl.SSLContext:
    """httpx's default context, made once per process: loading the CA bundle costs ~30 ms of
    CPU, which every client paid again (15 s for bench/live_auction.py's 500 suppliers)."""
    return httpx.create_ssl_context()


class AsyncQuaysideClient:
    """A supplier's (or anyone's) client of one Quayside server, authenticated by token."""

    def __init__(self, base_url: str, *, token: str | None = None, signer: RequestSigner | None = None,
                 timeout: float = 15.0, retry: RetryPolicy | None = None,
                 transport: httpx.AsyncBaseTransport | None = None, live_url: str | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        # Where the live streams (/ws/, events/stream/) are served, when a deployment routes
        # them to their own host or port (README: the ASGI tier beside Gunicorn's).
        self.live_url = (live_url or base_url).rstrip("/")
        self.token = token
        self.signer = signer
        self.retry = retry or RetryPolicy()
        self.clock = ServerClock()
        self.http = httpx.AsyncClient(base_url=self.base_url, timeout=timeout, transport=transport,
                                      verify=default_ssl_context(),
                                      headers={"User-Agent": USER_AGENT, "Accept": "application/json"})

    async def __aenter__(self) -> AsyncQuaysideClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.http.aclose()

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Token {self.token}"} if self.token else {}

    # --- transport ------------------------------------------------------------------------------

    async def request(self, method: str, path: str, *, payload: Any = None, params: dict[str, Any] | None = None,
                      idempotency_key: str | None = None, sign: bool = False, retry: bool = True) -> Any:
        """One API call: JSON in, JSON out, errors raised as the contract's typed exceptions.

        `retry`: send again after a network error or a 5xx (reads, and bids under their key).
        """
        body = None if payload is None else json_body(payload)
        backoff = Backoff(base=self.retry.base, cap=self.retry.cap)
        attempts = self.retry.attempts if retry else 1
        for attempt in range(1, attempts + 1):
            request = self._build(method, path, body=body, params=params, idempotency_key=idempotency_key, sign=sign)
            try:
                response = await self.http.send(request)
            except httpx.TransportError as exc:
                if attempt == attempts or (not retry and not isinstance(exc, httpx.ConnectError)):
                    raise ConnectionFailed(f"{method} {path}: {exc!r}") from exc
                await asyncio.sleep(backoff.next_delay())
                continue
            if response.status_code < 400:
                return response.json() if response.content else None
            error = error_from_response(response)
            if attempt < attempts and _worth_retrying(error):
                await asyncio.sleep(max(backoff.next_delay(), min(error.retry_after or 0.0, self.retry.cap)))
                continue
            raise error
        raise AssertionError("unreachable")

    def _build(self, method: str, path: str, *, body: bytes | None, params: dict[str, Any] | None,
               idempotency_key: str | None, sign: bool) -> httpx.Request:
        headers = self.auth_headers()
        if body is not None:
            headers["Content-Type"] = "application/json"
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        request = self.http.build_request(method, path, content=body, params=params, headers=headers)
        if sign and self.signer is not None:
            # `created` by the server's clock when known: the server allows 60 s either way.
            self.signer.sign(request, body or b"", created=self.clock.now() if self.clock.observed else None)
        return request

    # --- sign-in ---------------------------------------------------------------------------------

    async def login(self, username: str, password: str) -> dict[str, Any]:
        """`POST /auth/token/`: keeps the token for later calls; returns `{token, user}`."""
        answer = await self.request("POST", f"{API}/auth/token/", payload={"username": username, "password": password},
                                    retry=False)
        self.token = answer["token"]
        return dict(answer)

    # --- invitations and RFQs --------------------------------------------------------------------

    async def invitations(self, *, status: str | None = None) -> list[dict[str, Any]]:
        params = {"status": status} if status else None
        return list(await self.request("GET", f"{API}/invitations/", params=params))

    async def accept_invitation(self, invitation_id: int) -> dict[str, Any]:
        return dict(await self.request("POST", f"{API}/invitations/{invitation_id}/accept/", payload={}))

    async def decline_invitation(self, invitation_id: int, reason: str = "") -> dict[str, Any]:
        return dict(await self.request("POST", f"{API}/invitations/{invitation_id}/decline/",
                                       payload={"reason": reason} if reason else {}))

    async def rfq(self, rfq_id: int) -> dict[str, Any]:
        return dict(await self.request("GET", f"{API}/rfqs/{rfq_id}/"))

    async def state(self, rfq_id: int) -> dict[str, Any]:
        """`/state/`: status, deadline, seq, leading_bid?, your_rank?, minimum_next_bid?, server_time."""
        state = dict(await self.request("GET", f"{API}/rfqs/{rfq_id}/state/"))
        self.clock.observe(state.get("server_time"))
        return state

    async def events(self, rfq_id: int, *, since: int = 0) -> list[dict[str, Any]]:
        """`/events/?since=`: the live events after `since` (the server pages them; see follow)."""
        return list(await self.request("GET", f"{API}/rfqs/{rfq_id}/events/", params={"since": since}))

    async def bids(self, rfq_id: int) -> list[dict[str, Any]]:
        return list(await self.request("GET", f"{API}/rfqs/{rfq_id}/bids/"))

    # --- bids ------------------------------------------------------------------------------------

    async def place_bid(self, rfq_id: int, amount: Amount, *, line_item_id: int | None = None,
                        idempotency_key: str | None = None) -> dict[str, Any]:
        """A reverse-auction bid (`{"amount": "9500.00"}`; per line with `line_item_id`).

        Raises BidRejected (422, with violations) or RateLimited (429, `retry_after`)."""
        payload: dict[str, Any] = {"amount": money_string(amount)}
        if line_item_id is not None:
            payload["line_item_id"] = line_item_id
        return await self.submit_bid(rfq_id, payload, idempotency_key=idempotency_key)

    async def submit_quote(self, rfq_id: int, line_items: list[dict[str, Any]], *, valid_until: str | None = None,
                           terms: str | None = None, criteria: dict[str, Any] | None = None,
                           idempotency_key: str | None = None) -> dict[str, Any]:
        """A sealed or multi-attribute quote: `line_items` = [{"line_item_id", "unit_price", ...}]
        (prices as Decimal or decimal strings)."""
        lines = [{**line, "unit_price": money_string(line["unit_price"])} for line in line_items]
        payload: dict[str, Any] = {"line_items": lines}
        for name, value in (("valid_until", valid_until), ("terms", terms), ("criteria", criteria)):
            if value is not None:
                payload[name] = value
        return await self.submit_bid(rfq_id, payload, idempotency_key=idempotency_key)

    async def submit_bid(self, rfq_id: int, payload: dict[str, Any], *,
                         idempotency_key: str | None = None) -> dict[str, Any]:
        """Any bid body, under one Idempotency-Key for all its attempts; signed when a key is set."""
        key = idempotency_key or str(uuid.uuid4())
        return dict(await self.request("POST", f"{API}/rfqs/{rfq_id}/bids/", payload=payload, idempotency_key=key,
                                       sign=True))

    async def withdraw_bid(self, rfq_id: int, bid_id: int, *, idempotency_key: str | None = None) -> dict[str, Any]:
        """Withdraw the own latest bid. Sent again only when it surely did not arrive (a
        withdrawal that did would be refused the second time)."""
        key = idempotency_key or str(uuid.uuid4())
        return dict(await self.request("POST", f"{API}/rfqs/{rfq_id}/bids/{bid_id}/withdraw/", payload={},
                                       idempotency_key=key, sign=True, retry=False))

    # --- signing keys ----------------------------------------------------------------------------

    async def register_key(self, public_key: str, label: str = "") -> dict[str, Any]:
        """`POST /suppliers/me/keys/` → `{id, key_id, fingerprint, created_at}`."""
        return dict(await self.request("POST", f"{API}/suppliers/me/keys/",
                                       payload={"public_key": public_key, "label": label}, retry=False))

    async def keys(self) -> list[dict[str, Any]]:
        return list(await self.request("GET", f"{API}/suppliers/me/keys/"))

    async def revoke_key(self, key_pk: int) -> None:
        await self.request("DELETE", f"{API}/suppliers/me/keys/{key_pk}/", retry=False)

    # --- live events -----------------------------------------------------------------------------

    def follow(self, rfq_id: int, *, since: int | None = None, options: Any = None,
               stop_at_close: bool = False) -> AsyncIterator[Event]:
        """Live events of one RFQ: see follow.Follower (WebSocket, then SSE, then polling)."""
        from .follow import Follower, FollowOptions

        return Follower(self, rfq_id, since=since, options=options or FollowOptions(),
                        stop_at_close=stop_at_close).events()


def _worth_retrying(error: ApiError) -> bool:
    """5xx: nothing was stored. 409 idempotency_key_in_progress: the first attempt is still
    being answered; the same key gets its answer shortly."""
    return isinstance(error, ServiceUnavailable) or (
        isinstance(error, Conflict) and error.code == "idempotency_key_in_progress")
