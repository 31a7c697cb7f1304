"""A blocking client for scripts: the asynchronous one, run on an event loop of its own in a
background thread. Same methods, same errors; `follow()` is an ordinary iterator."""
from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Coroutine, Iterator
from typing import Any, TypeVar

from .client import AsyncQuaysideClient
from .follow import FollowOptions
from .money import Amount
from .sequencer import Event
from .signing import RequestSigner

T = TypeVar("T")


class QuaysideClient:
    def __init__(self, base_url: str, *, token: str | None = None, signer: RequestSigner | None = None,
                 timeout: float = 15.0) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="quayside-client", daemon=True)
        self._thread.start()
        self.client = AsyncQuaysideClient(base_url, token=token, signer=signer, timeout=timeout)

    @classmethod
    def login(cls, base_url: str, username: str, password: str, **kwargs: Any) -> QuaysideClient:
        client = cls(base_url, **kwargs)
        try:
            client._run(client.client.login(username, password))
        except BaseException:
            client.close()
            raise
        return client

    def _run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()

    def __enter__(self) -> QuaysideClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._loop.is_running():
            self._run(self.client.aclose())
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=5)

    @property
    def token(self) -> str | None:
        return self.client.token

    def invitations(self, *, status: str | None = None) -> list[dict[str, Any]]:
        return self._run(self.client.invitations(status=status))

    def accept_invitation(self, invitation_id: int) -> dict[str, Any]:
        return self._run(self.client.accept_invitation(invitation_id))

    def rfq(self, rfq_id: int) -> dict[str, Any]:
        return self._run(self.client.rfq(rfq_id))

    def state(self, rfq_id: int) -> dict[str, Any]:
        return self._run(self.client.state(rfq_id))

    def events(self, rfq_id: int, *, since: int = 0) -> list[dict[str, Any]]:
        return self._run(self.client.events(rfq_id, since=since))

    def place_bid(self, rfq_id: int, amount: Amount, **kwargs: Any) -> dict[str, Any]:
        return self._run(self.client.place_bid(rfq_id, amount, **kwargs))

    def submit_quote(self, rfq_id: int, line_items: list[dict[str, Any]], **kwargs: Any) -> dict[str, Any]:
        return self._run(self.client.submit_quote(rfq_id, line_items, **kwargs))

    def withdraw_bid(self, rfq_id: int, bid_id: int) -> dict[str, Any]:
        return self._run(self.client.withdraw_bid(rfq_id, bid_id))

    def register_key(self, public_key: str, label: str = "") -> dict[str, Any]:
        return self._run(self.client.register_key(public_key, label))

    def keys(self) -> list[dict[str, Any]]:
        return self._run(self.client.keys())

    def revoke_key(self, key_pk: int) -> None:
        self._run(self.client.revoke_key(key_pk))

    def follow(self, rfq_id: int, *, since: int | None = None, options: FollowOptions | None = None,
               stop_at_close: bool = False) -> Iterator[Event]:
        events: AsyncIterator[Event] = self.client.follow(rfq_id, since=since, options=options,
                                                          stop_at_close=stop_at_close)
        try:
            while True:
                try:
                    yield self._run(_next(events))
                except StopAsyncIteration:
                    return
        finally:
            self._run(_close(events))


async def _next(events: AsyncIterator[Event]) -> Event:
    return await anext(events)


async def _close(events: AsyncIterator[Event]) -> None:
    close = getattr(events, "aclose", None)
    if close is not None:
        await close()
