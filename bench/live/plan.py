"""Who does what in the live auction: most clients watch, some bid, the bidders react when
outbid and snipe in the last seconds before the deadline (as it stands after extensions).
Pure: seeded, no I/O, so a run can be repeated and the plan tested."""
from __future__ import annotations

import random
from dataclasses import asdict, dataclass
from decimal import Decimal

from harness.world import DECREMENT, STARTING_PRICE

OWN_GAP = 10.5  # seconds between one supplier's bids: the final phase allows one per 10 s (product.md §4.2), counted by the server from its own clock


@dataclass(frozen=True)
class Role:
    i: int  # the client's index (and its supplier's)
    token: str
    bidder: bool
    react: float  # chance of answering an undercut of its own best
    sniper: bool  # bids once in the last `burst` seconds of each deadline
    opening_at: float | None  # epoch seconds of its first bid (None: waits to be outbid or to snipe)
    seed: int

    def as_dict(self) -> dict:
        return asdict(self)


def make_roles(tokens: list[str], *, bidders: float, react: float, snipers: float, window_start: float,
               seconds: float, burst: float, seed: int) -> list[Role]:
    """`bidders` of the clients bid (an opening bid in the first half of the time before the
    burst); each answers an undercut with chance `react`; `snipers` of the bidders also bid
    once in the last `burst` seconds of every deadline."""
    rng = random.Random(seed)
    n = len(tokens)
    chosen = set(rng.sample(range(n), max(1, round(n * bidders)))) if bidders > 0 else set()
    roles = []
    for i, token in enumerate(tokens):
        bidder = i in chosen
        opening = window_start + rng.uniform(0, max(1.0, (seconds - burst) / 2)) if bidder else None
        roles.append(Role(i=i, token=token, bidder=bidder, react=react if bidder else 0.0,
                          sniper=bidder and rng.random() < snipers, opening_at=opening, seed=seed * 100003 + i))
    return roles


def next_amount(leading: Decimal | None, rng: random.Random) -> Decimal:
    """One to five decrements below the leading bid (or the starting price)."""
    return (leading if leading is not None else STARTING_PRICE) - DECREMENT * rng.randint(1, 5)


def snipe_moment(deadline: float, burst: float, rng: random.Random) -> float:
    """A moment in the last `burst` seconds before `deadline`, not in the very last second
    (a bid must reach the server before the deadline)."""
    return deadline - rng.uniform(1.0, max(1.0, burst))


def think_time(rng: random.Random) -> float:
    """How long a supplier takes to answer an undercut."""
    return rng.uniform(0.5, 3.0)
