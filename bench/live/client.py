"""One supplier of the live auction: the SDK's follower on its own WebSocket, and bids through
the SDK (`place_bid`, an Idempotency-Key per bid) as its Role says. Records what it received
(seq, when its application got it, delivery latency), what it recovered by `resume`, and
every bid's answer."""
from __future__ import annotations

import asyncio
import random
import time
from datetime import datetime
from decimal import Decimal

from quayside_client import AsyncQuaysideClient, BidRejected, FollowOptions, RateLimited, RetryPolicy
from quayside_client.errors import ApiError, QuaysideError
from quayside_client.follow import Follower

from .plan import OWN_GAP, Role, next_amount, snipe_moment, think_time

# The WebSocket only: the bench measures the live tier, a silent fallback to polling would hide
# its failures. Pings as the SDK sends them; a resume after 30 s of quiet (its default).
OPTIONS = FollowOptions(transports=("websocket",), open_timeout=60.0)


# One process's 250 clients get the same `at` and figures: each is parsed once, not 250 times.
_EPOCHS: dict[str, float] = {}
_AMOUNTS: dict[str, Decimal] = {}
_MEMORY = 4096


def epoch(text: str | None) -> float | None:
    if not text:
        return None
    value = _EPOCHS.get(text)
    if value is None:
        if len(_EPOCHS) >= _MEMORY:
            _EPOCHS.clear()
        value = _EPOCHS[text] = datetime.fromisoformat(text).timestamp()  # "Z" is read since Python 3.11
    return value


def amount(text: str) -> Decimal:
    value = _AMOUNTS.get(text)
    if value is None:
        if len(_AMOUNTS) >= _MEMORY:
            _AMOUNTS.clear()
        value = _AMOUNTS[text] = Decimal(text)
    return value


class CountingFollower(Follower):
    """The SDK's follower, noting which public events first arrived in the answer to a resume
    (between the resume and the state that ends its replay: one state when the socket had
    already sent its own, two on a fresh socket, whose connect state comes first), and why it
    resumed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.replayed: set[int] = set()
        self.socket_states = 0
        self.replay_until = 0
        self.private = 0
        self.reasons: dict[str, int] = {}  # resumes by why (see _send_resume)
        self.bound: int | None = None

    async def _open_socket(self):
        self.socket_states, self.replay_until = 0, 0
        return await super()._open_socket()

    async def _send_resume(self, socket):
        """Why: a gap in the chain, a fresh socket, the server's resync, or a quiet spell (the SDK
        resumes after `resync_interval` without news). After a gap only events older than the
        newest one seen can be the missing ones: a newer one arriving meanwhile came live."""
        sequencer = self.sequencer
        kind = "gap" if sequencer.has_gap else "reconnect" if not self.socket_states else \
            "resync" if sequencer.resync_requested else "quiet"
        self.reasons[kind] = self.reasons.get(kind, 0) + 1
        self.bound = max(sequencer.pending) if kind == "gap" else None
        await super()._send_resume(socket)
        self.replay_until = self.socket_states + (1 if self.socket_states else 2)

    def _take(self, message):
        if isinstance(message, dict):
            if message.get("type") == "state":
                self.socket_states += 1
                if self.replay_until and self.socket_states >= self.replay_until:
                    self.replay_until = 0
            elif message.get("private"):
                self.private += 1
            elif self.replay_until:
                self._note_replayed(message.get("seq"))
        return super()._take(message)

    def _note_replayed(self, seq) -> None:
        """A public event inside a resume's answer, counted if it arrives for the first time:
        the sequencer holds every live event received since the start, yielded (up to
        `last_seq`: the chain has no holes below it) or waiting behind a gap (`pending`)."""
        sequencer = self.sequencer
        last = sequencer.last_seq
        if (isinstance(seq, int) and (last is None or seq > last) and seq not in sequencer.pending
                and (self.bound is None or seq < self.bound)):
            self.replayed.add(seq)


class LiveClient:
    def __init__(self, role: Role, *, http: str, ws: str, rfq_id: int, burst: float):
        self.role, self.http, self.ws, self.rfq_id, self.burst = role, http, ws, rfq_id, burst
        self.bidder = role.bidder
        self.rng = random.Random(role.seed)
        self.start_seq: int | None = None
        self.seqs: list[int] = []
        self.latencies: list[float] = []
        self.bids: list[list] = []  # [sent (epoch), latency, status, bid_id, rules]
        self.ranks: list[int] = []  # the seqs of the bids whose rank_changed this client got (the bare replay's)
        self.error: str | None = None
        self.closed = False
        self.ready = asyncio.Event()
        self.leading: Decimal | None = None
        self.mine: Decimal | None = None
        self.deadline: float | None = None
        self.last_bid = 0.0
        self.task: asyncio.Task | None = None
        self.sending = False  # a bid is on its way: its task is never cancelled (the answer must be recorded)
        self.sniped: set[float] = set()
        self.follower: CountingFollower | None = None

    async def run(self, until: float) -> None:
        retry = RetryPolicy(attempts=3)
        async with AsyncQuaysideClient(self.http, token=self.role.token, live_url=self.ws, retry=retry,
                                       timeout=60.0) as client:
            self.client = client
            self.follower = CountingFollower(client, self.rfq_id, since=None, options=OPTIONS, stop_at_close=True)
            try:
                async with asyncio.timeout(max(1.0, until - time.time())):
                    on_event = self.on_event
                    async for event in self.follower.events():
                        data = event.data
                        on_event(event.type, data, bool(data.get("private")))
                self.closed = True
            except TimeoutError:
                self.error = "no auction_closed before the time limit"
            except (QuaysideError, OSError) as exc:
                self.error = f"{type(exc).__name__}: {exc}"
            finally:
                self.ready.set()
                await self.settle()

    async def settle(self) -> None:
        """A waiting bid is dropped; one on its way is answered first (the server may have stored it)."""
        if self.task is None or self.task.done():
            return
        if not self.sending:
            self.task.cancel()
            return
        try:
            await asyncio.wait_for(asyncio.shield(self.task), timeout=90)
        except TimeoutError:
            self.error = "a bid had no answer within 90 s"

    def on_event(self, kind: str, data: dict, private: bool) -> None:
        now = time.time()
        if kind == "state":
            if self.start_seq is None:
                self.start_seq = data.get("seq")
                self.ready.set()
            self.learn(data)
            if self.mine is None and data.get("your_best") is not None:
                self.mine = amount(data["your_best"])
            self.plan_bids(now)
            return
        seq = data.get("seq")
        if not private and isinstance(seq, int):
            self.seqs.append(seq)
            at = epoch(data.get("at"))
            self.latencies.append(now - at if at is not None else float("nan"))
        elif kind == "rank_changed" and isinstance(seq, int):
            self.ranks.append(seq)
        if not self.bidder:
            return  # a watcher only records what came: the leading bid and the deadline are a bidder's
        self.learn(data)
        if kind == "bid_placed" and self.outbid() and self.rng.random() < self.role.react:
            self.schedule(now + think_time(self.rng), snipe=False)
        elif kind == "deadline_extended":
            self.plan_bids(now)

    def learn(self, data: dict) -> None:
        leading, deadline = data.get("leading_bid"), data.get("bidding_deadline")
        if leading is not None:
            self.leading = amount(leading)
        if deadline:
            self.deadline = epoch(deadline)

    def outbid(self) -> bool:
        return self.mine is not None and self.leading is not None and self.leading < self.mine

    def plan_bids(self, now: float) -> None:
        """The opening bid, and one snipe per deadline (a new one after each extension)."""
        role = self.role
        if not role.bidder:
            return
        if role.opening_at is not None and not self.bids and self.task is None:
            self.schedule(role.opening_at, snipe=False)
        if role.sniper and self.deadline is not None and self.deadline not in self.sniped:
            self.sniped.add(self.deadline)
            at = snipe_moment(self.deadline, self.burst, self.rng)
            if at > now:
                self.schedule(at, snipe=True)

    def schedule(self, at: float, *, snipe: bool) -> None:
        """One bid in flight or waiting per supplier; a snipe replaces a waiting reaction."""
        if self.task is not None and not self.task.done():
            if not snipe or self.sending:
                return
            self.task.cancel()
        self.task = asyncio.ensure_future(self.bid_at(at))

    async def bid_at(self, at: float) -> None:
        await asyncio.sleep(max(0.0, at - time.time(), self.last_bid + OWN_GAP - time.time()))
        if self.mine is not None and not self.outbid():
            return  # leading: nothing to beat
        if self.deadline is not None and time.time() >= self.deadline - 0.2:
            return  # too late to arrive before the deadline
        await self.place(next_amount(self.leading, self.rng))

    async def place(self, amount: Decimal) -> None:
        sent = time.time()
        self.last_bid, self.sending = sent, True
        status, bid_id, rules = 201, None, []
        try:
            answer = await self.client.place_bid(self.rfq_id, amount)
            bid_id = answer.get("id")
            self.mine = amount if self.mine is None else min(self.mine, amount)
            self.leading = amount if self.leading is None else min(self.leading, amount)
        except RateLimited as exc:
            status, rules = 429, [v.rule for v in exc.violations]
        except BidRejected as exc:
            status, rules = 422, [v.rule for v in exc.blocking]
        except ApiError as exc:
            status, rules = exc.status, [exc.code]
        except QuaysideError as exc:  # no answer at all after the SDK's retries
            status, rules = 0, [type(exc).__name__]
        finally:
            self.sending = False
        self.bids.append([sent, time.time() - sent, status, bid_id, rules])

    def record(self) -> dict:
        follower = self.follower
        yielded = set(self.seqs)
        return {"i": self.role.i, "start": self.start_seq, "seqs": self.seqs,
                "lat": [round(x, 6) for x in self.latencies], "bids": self.bids, "ranks": self.ranks, "error": self.error,
                "closed": self.closed,
                "recovered": len(follower.replayed & yielded) if follower else 0,
                "resumes": follower.resumes if follower else 0,
                "resume_reasons": follower.reasons if follower else {},
                "connections": follower.connections if follower else 0,
                "failures": follower.failures if follower else 0,
                "duplicates": follower.sequencer.duplicates if follower else 0,
                "private": follower.private if follower else 0}
