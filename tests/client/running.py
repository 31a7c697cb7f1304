"""Auto-bidders of several suppliers on one event loop in a thread of their own, as separate
programs would run them against the live site (the auto-bidder tests, whole and per line)."""
from __future__ import annotations

import asyncio
import threading

from quayside_client import AsyncQuaysideClient, AutoRunner, FollowOptions

OPTIONS = FollowOptions(backoff_base=0.05, backoff_cap=0.5, ping_interval=5, ping_timeout=5)


class RunningBidders:
    """`bidders`: supplier number → its AutoBidder or PerLineBidder; `tokens` the same keys.
    Each runner's report lands in `reports`, an exception in `error`, every line in `log`."""

    def __init__(self, site: str, rfq: int, tokens: dict[int, str], bidders: dict[int, object], log: list[str]):
        self.site, self.rfq, self.tokens, self.bidders, self.log = site, rfq, tokens, bidders, log
        self.reports: dict[int, object] = {}
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            asyncio.run(self._all())
        except BaseException as exc:  # reported by the test
            self.error = exc

    async def _all(self) -> None:
        async def one(supplier: int) -> None:
            async with AsyncQuaysideClient(self.site, token=self.tokens[supplier]) as client:
                runner = AutoRunner(client, self.rfq, self.bidders[supplier], options=OPTIONS,
                                    say=lambda line: self.log.append(f"supplier{supplier}: {line}"))
                self.reports[supplier] = await runner.run(seconds=60)

        await asyncio.gather(*(one(supplier) for supplier in self.bidders))
