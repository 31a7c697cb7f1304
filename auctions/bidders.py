"""Bidders a worker remembers between bids: the bid hot path's first round trip, saved.

A supplier's system bids on an auction again and again with one token. Each bid opened with a
round trip that read the token's user and company, and the RFQ with the supplier's invitation
and qualification (accounts.auth, auctions.access), before the one that locks the auction row.
A worker now keeps those rows from a bid that read them (`BIDDERS`). The next bid of the same
token on the same RFQ decides what comes before the lock from them (visibility, the rules of
the pre phase, the rows made ahead), reads them again in the lock's own round trip — before
the locking statement, where the first round trip read them before the lock too — and goes on
only if they are unchanged (`Recheck.confirm`). If they changed, or the bid was answered
without reaching the lock (a refusal, a replayed Idempotency-Key), nothing decided on the
remembered rows stands: the transaction rolls back, or the answer is checked against rows read
now, and the bid is placed the usual way.

The RFQ's columns that bids themselves change (`LIVE`: the best, the count, the deadline's) are
neither compared — every bid changes them — nor read from memory: the remembered RFQ has them
deferred, so code before the lock that read one would load it fresh (a query the tests forbid).
"""
from __future__ import annotations

import copy
import threading
from dataclasses import dataclass, field

from accounts.auth import token_user_statement, user_from_row
from accounts.models import User
from common.db import Statement, run_batch
from rfqs.models import RFQ

from .access import bidding_statement_for_token, rfq_for_bidding

# Written by the bid path itself (auctions/mechanisms): current only under the lock.
LIVE = ("best_amount", "best_bid", "bid_count", "bidding_deadline", "extensions", "deadline_version",
        "last_extension_at", "updated_at")
SETTLED = tuple(f.name for f in RFQ._meta.concrete_fields if f.name not in LIVE)
_SETTLED_AT = tuple(index for index, f in enumerate(RFQ._meta.concrete_fields) if f.name not in LIVE)
_RFQ_COLUMNS = len(RFQ._meta.concrete_fields)


class Unconfirmed(Exception):
    """What was decided on remembered rows does not stand: place the bid the usual way."""


def _settled(bidding_row: tuple) -> tuple:
    """A bidding statement's row without the RFQ's LIVE columns (its last two: invitation, qualified)."""
    return (*(bidding_row[index] for index in _SETTLED_AT), *bidding_row[_RFQ_COLUMNS:])


@dataclass
class Recheck:
    """The remembered rows of one bid, the statements that read them again, and whether they did."""

    user_row: tuple
    bidding_row: tuple
    statements: list[Statement]
    confirmed: bool = field(default=False)

    def confirm(self, results: list[list[tuple]]) -> None:
        """`results`: the rows of `statements`, read in the bid's transaction. Raises Unconfirmed
        unless they are the remembered ones (the RFQ's LIVE columns aside)."""
        if not self.holds(results):
            raise Unconfirmed
        self.confirmed = True

    def holds(self, results: list[list[tuple]]) -> bool:
        (rows,) = results
        if len(rows) != 1:
            return False
        split = len(self.user_row)
        return rows[0][:split] == self.user_row and _settled(rows[0][split:]) == _settled(self.bidding_row)


@dataclass
class Remembered:
    """One token's rows for one RFQ, and the instances built from them once: each bid gets copies
    (a copy has its own related-object cache and deferred loads; the built ones are never handed out)."""

    user_row: tuple
    bidding_row: tuple
    _built: tuple[User, RFQ] | None = field(default=None, repr=False)

    def _instances(self, pk: int) -> tuple[User, RFQ]:
        if self._built is None:
            user = user_from_row(self.user_row)
            assert user is not None
            # As rfq_for_bidding gives it, the LIVE columns deferred (loaded fresh if read).
            self._built = user, rfq_for_bidding(user=user, pk=pk, prefetched=[_settled(self.bidding_row)],
                                                fields=SETTLED)
        return self._built

    def user_and_rfq(self, pk: int) -> tuple[User, RFQ]:
        built_user, rfq = self._instances(pk)
        user = copy.copy(built_user)
        if built_user.supplier_id is not None:
            user.supplier = copy.copy(built_user.supplier)  # else the copy would share the built one
        return user, copy.copy(rfq)

    def recheck(self, key: str, pk: int) -> Recheck:
        return Recheck(self.user_row, self.bidding_row, [_read_again(key, pk)])


def _read_again(key: str, pk: int) -> Statement:
    """The first round trip's two statements as one: their single rows side by side (none if
    either has none). One statement fewer in the lock's round trip."""
    (user_sql, user_params), (bidding_sql, bidding_params) = (
        token_user_statement(key), *bidding_statement_for_token(pk=pk, token_key=key))
    return f"SELECT a.*, b.* FROM ({user_sql}) a CROSS JOIN ({bidding_sql}) b", [*user_params, *bidding_params]


class RememberedBidders:
    """(token, RFQ) → the rows of its last bid's first round trip, at most `size`, oldest out first."""

    def __init__(self, size: int = 2048):
        self.size = size
        self._rows: dict[tuple[str, int], Remembered] = {}
        self._lock = threading.Lock()  # an ASGI server runs views on several threads

    def recall(self, key: str, pk: int) -> Remembered | None:
        return self._rows.get((key, pk))

    def remember(self, key: str, pk: int, user_row: tuple, bidding_row: tuple) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._rows.pop((key, pk), None)
            while len(self._rows) >= self.size:
                del self._rows[next(iter(self._rows))]
            self._rows[(key, pk)] = Remembered(user_row, bidding_row)

    def forget(self, key: str, pk: int) -> None:
        with self._lock:
            self._rows.pop((key, pk), None)

    def clear(self) -> None:
        with self._lock:
            self._rows.clear()

    def __len__(self) -> int:
        return len(self._rows)


BIDDERS = RememberedBidders()


def first_read(key: str, pk: int) -> tuple[User | None, tuple | None, tuple | None]:
    """The usual first round trip: the token's user, and the raw rows to remember."""
    results = run_batch([token_user_statement(key), *bidding_statement_for_token(pk=pk, token_key=key)])
    user_row = results[0][0] if results[0] else None
    bidding_row = results[1][0] if len(results) > 1 and results[1] else None
    return user_from_row(user_row), user_row, bidding_row


def still_holds(recheck: Recheck) -> bool:
    """For an answer given before the lock: the remembered rows, read again now, unchanged."""
    return recheck.holds(run_batch(recheck.statements))
