"""N client threads bidding over keep-alive HTTP connections, every request recorded."""
from __future__ import annotations

import http.client
import json
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from decimal import Decimal

from harness.client import lean_request
from harness.lean_http import Connection
from harness.metrics import CpuMeter
from harness.world import DECREMENT, STARTING_PRICE, World


@dataclass
class Sample:
    started: float  # seconds since the run started
    latency: float
    status: int  # 0: no response (connection error / timeout)
    kind: str  # "bid" or "state"
    rules: tuple[str, ...] = ()
    bid_id: int | None = None
    line: int | None = None  # the lot a bid priced (--lots); None for a total bid


@dataclass
class ClientResult:
    samples: list[Sample] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    skipped_rate_limited: int = 0  # moments when every supplier of the client was waiting out a 429


@dataclass
class LoadResult:
    samples: list[Sample]
    errors: Counter
    cpu: dict  # CpuMeter.delta over the run
    wall: float
    skipped: int  # see ClientResult.skipped_rate_limited
    capped: bool  # the hard cap on requests was reached
    rounds: list[tuple[int, float]] = field(default_factory=list)  # (accepted bids, wall) of each round


class RequestBudget:
    """The hard cap on requests, shared by every client."""

    def __init__(self, cap: int):
        self.left, self.lock = cap, threading.Lock()

    def take(self) -> bool:
        with self.lock:
            if self.left <= 0:
                return False
            self.left -= 1
            return True


def parse_amount(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        return Decimal(str(text).replace(",", ""))
    except ArithmeticError:
        return None


class Ladder:
    """The "ladder" pattern's shared price list: STARTING_PRICE, then one decrement lower each
    time a client takes a price. Bids are sent in ladder order, so a bid is refused only when
    a later (lower) one overtook it on the way to the row lock."""

    def __init__(self):
        self.taken, self.lock = 0, threading.Lock()

    def next(self) -> Decimal:
        with self.lock:
            amount = STARTING_PRICE - self.taken * DECREMENT
            self.taken += 1
            return amount


@dataclass
class Run:
    """What every client of one run shares."""

    port: int
    rfq_id: int
    start: float
    deadline: float
    budget: RequestBudget
    max_step_cents: int
    barrier: threading.Barrier
    ladders: dict[int | None, Ladder] | None = None  # the ladder pattern's: one per lot (or one, under None)
    lines: list[int] = field(default_factory=list)  # the lots clients spread their bids over; empty: total bids


class BidClient:
    """One client thread: its own connection and suppliers, bidding until the deadline."""

    def __init__(self, n: int, run: Run, tokens: list[str], out: ClientResult):
        self.run, self.tokens, self.out = run, tokens, out
        self.rng = random.Random(1000 + n)
        self.conn = Connection(run.port, timeout=30)
        self.bids_path, self.state_path = f"/api/v1/rfqs/{run.rfq_id}/bids/", f"/api/v1/rfqs/{run.rfq_id}/state/"
        self.waiting_until = [0.0] * len(tokens)
        self.best: dict[int | None, Decimal] = {}  # the best known, per lot (None: the total auction)
        self.line: int | None = None  # the lot of the next bid
        self.turn = n  # rotate the clients' starting suppliers

    def call(self, kind: str, method: str, path: str, token: str, body=None, line: int | None = None):
        """One recorded request: (status, Retry-After, parsed JSON); status 0 without an answer."""
        began = time.monotonic()
        try:
            status, retry_after, data = lean_request(self.conn, method, path, token, body)
        except (OSError, http.client.HTTPException) as exc:
            self.out.errors[type(exc).__name__] += 1
            self.out.samples.append(Sample(began - self.run.start, time.monotonic() - began, 0, kind, line=line))
            self.conn.close()
            return 0, None, None
        latency = time.monotonic() - began
        try:
            parsed = json.loads(data) if data else None
        except ValueError:
            parsed = None
        rules: tuple[str, ...] = ()
        if status in (422, 429) and isinstance(parsed, dict):
            rules = tuple(v.get("rule", "?") for v in parsed.get("error", {}).get("violations", [])
                          if v.get("severity") == "block") or ("(none)",)
        bid_id = parsed.get("id") if status == 201 and isinstance(parsed, dict) else None
        self.out.samples.append(Sample(began - self.run.start, latency, status, kind, rules, bid_id, line))
        return status, retry_after, parsed

    def __call__(self) -> None:
        try:
            self.run.barrier.wait(timeout=60)
        except threading.BrokenBarrierError:
            return
        try:
            while time.monotonic() < self.run.deadline:
                if self.run.lines and self.line is None:
                    self.line = self.rng.choice(self.run.lines)  # spread over the lots
                if not (self.read_state() if self.line not in self.best else self.bid()):
                    break
        finally:
            self.conn.close()

    def read_state(self) -> bool:
        """The best so far (of the next bid's lot: from the state's `lines` when it has them, else
        the lot's ceiling), from GET /state/; False when the request budget is spent."""
        if not self.run.budget.take():
            return False
        status, _, state = self.call("state", "GET", self.state_path, self.tokens[self.turn % len(self.tokens)])
        if status == 200:
            if self.line is not None:
                state = next((line for line in state.get("lines") or [] if line.get("line_item_id") == self.line), {})
            best = parse_amount(state.get("leading_bid")) or parse_amount(state.get("minimum_next_bid"))
            self.best[self.line] = best if best is not None else STARTING_PRICE
        else:
            time.sleep(0.05)
        return True

    def bid(self) -> bool:
        """One bid by the next supplier not waiting out a 429; False when the budget is spent."""
        now = time.monotonic()
        ready = [i for i in range(len(self.tokens)) if self.waiting_until[(self.turn + i) % len(self.tokens)] <= now]
        if not ready:
            self.out.skipped_rate_limited += 1
            time.sleep(max(0.0, min(min(self.waiting_until) - now, self.run.deadline - now, 1.0)))
            return True
        index = (self.turn + ready[0]) % len(self.tokens)
        self.turn = index + 1
        if not self.run.budget.take():
            return False
        line, ladders = self.line, self.run.ladders
        step = Decimal(self.rng.randint(1, self.run.max_step_cents)) / 100
        amount = ladders[line].next() if ladders else self.best[line] - step
        body = {"amount": f"{amount:.2f}", **({"line_item_id": line} if line is not None else {})}
        status, retry_after, answer = self.call("bid", "POST", self.bids_path, self.tokens[index], body, line)
        self.learn(index, amount, status, retry_after, answer)
        if self.run.lines:
            self.line = None  # the next bid picks its lot afresh
        return True

    def learn(self, index: int, amount: Decimal, status: int, retry_after: str | None, body) -> None:
        """The best (of the bid's lot) and the supplier's rate-limit wait, from a bid's answer."""
        line = self.line
        if status == 201:
            # A lot's answer has no auction-wide leading bid; an accepted bid leads its lot.
            leading = parse_amount(body.get("leading_bid")) if line is None else None
            self.best[line] = min(amount, leading or amount)
        elif status in (422, 429) and isinstance(body, dict):
            for v in body.get("error", {}).get("violations", []):
                if v.get("rule") == "minimum_decrement":
                    self.best[line] = parse_amount(v.get("metadata", {}).get("best")) or self.best[line]
            if status == 429:
                wait = float(retry_after) if retry_after else 1.0
                self.waiting_until[index] = time.monotonic() + wait
        else:
            self.best.pop(line, None)  # something unexpected: re-read the state before the next bid
            if status == 0:
                time.sleep(0.05)


@dataclass
class Shared:
    """What the rounds of one run share: the request cap and the ladder's prices."""

    budget: RequestBudget
    ladders: dict[int | None, Ladder] | None

    @classmethod
    def of(cls, args, world: World) -> Shared:
        return cls(RequestBudget(args.max_requests),
                   {line: Ladder() for line in world.line_ids or [None]} if args.pattern == "ladder" else None)


def run_load(args, port: int, world: World, server_pids: list[int], *, seconds: float | None = None,
             shared: Shared | None = None) -> LoadResult:
    """args.clients clients for `seconds` (args.seconds), supplier j belonging to client j mod
    clients; `shared` carries the cap and the ladder over from an earlier round."""
    seconds = seconds or args.seconds
    shared = shared or Shared.of(args, world)
    n_sup = len(world.tokens)
    per_client = [[world.tokens[j] for j in range(n_sup) if j % args.clients == i] for i in range(args.clients)]
    results = [ClientResult() for _ in range(args.clients)]
    start_at = time.monotonic() + 0.5
    run = Run(port=port, rfq_id=world.rfq_id, start=start_at, deadline=start_at + seconds,
              budget=shared.budget, max_step_cents=args.max_step_cents,
              barrier=threading.Barrier(args.clients + 1), lines=world.line_ids, ladders=shared.ladders)
    meter = CpuMeter(server_pids)
    threads = [threading.Thread(target=BidClient(i, run, per_client[i], results[i]), name=f"client-{i}", daemon=True)
               for i in range(args.clients)]
    for t in threads:
        t.start()
    run.barrier.wait(timeout=60)
    before = meter.sample()
    for t in threads:
        # Bounded: each request has a 30 s socket timeout and no new request starts after the deadline.
        t.join(timeout=seconds + 60)
    stuck = sum(t.is_alive() for t in threads)
    cpu = CpuMeter.delta(before, meter.sample())
    errors = sum((r.errors for r in results), Counter())
    if stuck:
        errors["client thread still running after the deadline"] += stuck
    samples = [s for r in results for s in r.samples]
    accepted = sum(1 for s in samples if s.kind == "bid" and s.status == 201)
    return LoadResult(samples=samples, errors=errors, cpu=cpu, wall=cpu["wall"],
                      skipped=sum(r.skipped_rate_limited for r in results), capped=run.budget.left <= 0,
                      rounds=[(accepted, cpu["wall"])])


def merge_rounds(rounds: list[LoadResult]) -> LoadResult:
    """Several rounds as one run: their samples on one clock (each round after the last), their
    CPU, time and errors added up, each round's accepted bids and time kept."""
    samples, offset = [], 0.0
    for result in rounds:
        samples += [replace(s, started=s.started + offset) for s in result.samples]
        offset += result.wall
    return LoadResult(samples=samples, errors=sum((r.errors for r in rounds), Counter()),
                      cpu={key: sum(r.cpu[key] for r in rounds) for key in rounds[0].cpu},
                      wall=offset, skipped=sum(r.skipped for r in rounds), capped=any(r.capped for r in rounds),
                      rounds=[figures for r in rounds for figures in r.rounds])
