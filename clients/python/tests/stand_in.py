"""A stand-in for the client calls AutoRunner makes, answered from a script (no server)."""
from __future__ import annotations

from typing import Any


class StandIn:
    """`rfq` is the RFQ representation, `events` what follow() yields, `state` what `/state/`
    answers; each bid is recorded in `placed` as (line_item_id, amount) and accepted as
    leading (rank 1), its line's figures under `lines` as the server answers a per-line bid."""

    def __init__(self, rfq: dict[str, Any], events: list[Any], state: dict[str, Any]) -> None:
        self.rfq_body, self.events, self.current = rfq, events, state
        self.placed: list[tuple[int | None, str]] = []

    async def rfq(self, rfq_id: int) -> dict[str, Any]:
        return self.rfq_body

    async def follow(self, rfq_id: int, options: Any = None, stop_at_close: bool = False) -> Any:
        for event in self.events:
            yield event

    async def state(self, rfq_id: int) -> dict[str, Any]:
        return self.current

    async def place_bid(self, rfq_id: int, amount: Any, *, line_item_id: int | None = None) -> dict[str, Any]:
        self.placed.append((line_item_id, str(amount)))
        body = {"id": len(self.placed), "amount": str(amount), "status": "accepted", "rank": 1, "bid_count": 9}
        if line_item_id is None:
            return {**body, "leading_bid": str(amount)}
        return {**body, "line_item_id": line_item_id,
                "lines": [{"line_item_id": line_item_id, "leading_bid": str(amount)}]}


class OutbidOnce(StandIn):
    """Its first bid is refused as outbid (someone bid first); the runner then reads /state/."""

    async def place_bid(self, rfq_id: int, amount: Any, *, line_item_id: int | None = None) -> dict[str, Any]:
        from quayside_client import BidRejected, Violation

        if not self.placed:
            self.placed.append((line_item_id, str(amount)))
            raise BidRejected(422, "bid_rejected", "refused", violations=[
                Violation("minimum_decrement", "fairness", "block", "someone bid first")])
        return await super().place_bid(rfq_id, amount, line_item_id=line_item_id)
