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

What is compared is a digest of each row computed by the database (common.db.row_digest), in
the same statement as the rows it stands for: the user's and company's, and the RFQ's other
columns (`SETTLED`), beside the invitation's status and the qualification. The RFQ's digest is
read once more under the lock itself: the locking statement reads the LIVE columns and that
digest, and the locked RFQ is the remembered one with them set — what a read of the whole row
under the lock would give (a change committed while the bid waited for the lock included),
without loading some forty values and building an instance inside the lock's span, which sets
the pace of a busy auction.
"""
from __future__ import annotations

import functools
import threading
from dataclasses import dataclass, field

from django.db import connection

from accounts.auth import token_user_statement, user_from_row
from accounts.models import User
from common.db import Statement, field_values, model_copy, row_digest, run_batch, select_columns
from rfqs.models import RFQ

from .access import bidding_statement_for_token, rfq_for_bidding

# Written by the bid path itself (auctions/mechanisms): current only under the lock.
LIVE = ("best_amount", "best_bid", "bid_count", "bidding_deadline", "extensions", "deadline_version",
        "last_extension_at", "updated_at")
SETTLED = tuple(f.name for f in RFQ._meta.concrete_fields if f.name not in LIVE)
_SETTLED_AT = tuple(index for index, f in enumerate(RFQ._meta.concrete_fields) if f.name not in LIVE)
_RFQ_COLUMNS = len(RFQ._meta.concrete_fields)
_LIVE_ATTNAMES = tuple(RFQ._meta.get_field(name).attname for name in LIVE)


class Unconfirmed(Exception):
    """What was decided on remembered rows does not stand: place the bid the usual way."""


def _settled(bidding_row: tuple) -> tuple:
    """A bidding statement's row without the RFQ's LIVE columns (its last two: invitation, qualified)."""
    return (*(bidding_row[index] for index in _SETTLED_AT), *bidding_row[_RFQ_COLUMNS:])


@functools.cache
def _settled_digest(vendor: str) -> str:
    """SQL of the digest of the RFQ's SETTLED columns (alias `r`), the same in every statement."""
    return row_digest(select_columns(RFQ, "r", SETTLED))


def _with_digest(columns: str) -> str:
    return f"{columns}, {row_digest(columns)}"


@dataclass
class Remembered:
    """One token's rows for one RFQ with their digests, and the instances built from them once:
    each bid gets copies (a copy has its own related-object cache and deferred loads; the built
    ones are never handed out)."""

    user_row: tuple
    bidding_row: tuple
    user_digest: str
    rfq_digest: str  # of the RFQ's SETTLED columns
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
        user = model_copy(built_user)
        if built_user.supplier_id is not None:
            user.supplier = model_copy(built_user.supplier)  # else the copy would share the built one
        return user, model_copy(rfq)

    def recheck(self, key: str, pk: int) -> Recheck:
        return Recheck(self, pk, _read_again(key, pk))


@dataclass
class Recheck:
    """The remembered rows of one bid, the statement that reads them again, whether they stood."""

    remembered: Remembered
    pk: int
    statement: Statement
    confirmed: bool = field(default=False)

    def confirm(self, rows: list[tuple]) -> None:
        """`rows`: the statement's rows, read in the bid's transaction. Raises Unconfirmed unless
        they are the remembered ones."""
        if not self.holds(rows):
            raise Unconfirmed
        self.confirmed = True

    def holds(self, rows: list[tuple]) -> bool:
        remembered = self.remembered
        return rows == [(remembered.user_digest, remembered.rfq_digest, *remembered.bidding_row[_RFQ_COLUMNS:])]

    @staticmethod
    def lock_columns() -> str:
        """What the locking statement reads of the RFQ (alias `r`) for locked_rfq."""
        return f"{select_columns(RFQ, 'r', LIVE)}, {_settled_digest(connection.vendor)}"

    def locked_rfq(self, row: tuple) -> RFQ:
        """The RFQ under the lock, from the locking statement's lock_columns(): the remembered
        one with the LIVE values read; Unconfirmed if its other columns changed since."""
        *live, digest = row
        if digest != self.remembered.rfq_digest:
            raise Unconfirmed
        rfq = model_copy(self.remembered._instances(self.pk)[1])
        for attname, value in zip(_LIVE_ATTNAMES, field_values(RFQ, [live], LIVE)[0], strict=True):
            setattr(rfq, attname, value)
        return rfq


def _read_again(key: str, pk: int) -> Statement:
    """The first round trip's rows again, as one statement: the digest of the user's and
    company's row and the bidding statement's (the digest of the RFQ's SETTLED columns in place
    of its columns) side by side; no row if either has none. The RFQ's digest is read again
    under the lock (locked_rfq); this one is for an answer given before it (still_holds)."""
    (user_sql, user_params), (bidding_sql, bidding_params) = (
        token_user_statement(key, row_digest),
        *bidding_statement_for_token(pk=pk, token_key=key, rfq_columns=_settled_digest(connection.vendor)))
    return f"SELECT a.*, b.* FROM ({user_sql}) a CROSS JOIN ({bidding_sql}) b", [*user_params, *bidding_params]


class RememberedBidders:
    """(token, RFQ) → the rows of its last bid's first round trip, at most `size`, oldest out first."""

    def __init__(self, size: int = 2048):
        self.size = size
        self._rows: dict[tuple[str, int], Remembered] = {}
        self._lock = threading.Lock()  # an ASGI server runs views on several threads

    def recall(self, key: str, pk: int) -> Remembered | None:
        return self._rows.get((key, pk))

    def remember(self, key: str, pk: int, remembered: Remembered) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._rows.pop((key, pk), None)
            while len(self._rows) >= self.size:
                del self._rows[next(iter(self._rows))]
            self._rows[(key, pk)] = remembered

    def forget(self, key: str, pk: int) -> None:
        with self._lock:
            self._rows.pop((key, pk), None)

    def clear(self) -> None:
        with self._lock:
            self._rows.clear()

    def __len__(self) -> int:
        return len(self._rows)


BIDDERS = RememberedBidders()


def first_read(key: str, pk: int) -> tuple[User | None, Remembered | None]:
    """The usual first round trip: the token's user, and its rows to remember (None without both
    the user's and the bidding statement's), each with its digest in the same statement."""
    results = run_batch([token_user_statement(key, _with_digest), *bidding_statement_for_token(
        pk=pk, token_key=key, extra=f", {_settled_digest(connection.vendor)}")])
    user_row = results[0][0] if results[0] else None
    bidding_row = results[1][0] if len(results) > 1 and results[1] else None
    user = user_from_row(user_row[:-1]) if user_row is not None else None
    if user_row is None or bidding_row is None:
        return user, None
    return user, Remembered(user_row[:-1], bidding_row[:-1], user_row[-1], bidding_row[-1])


def still_holds(recheck: Recheck) -> bool:
    """For an answer given before the lock: the remembered rows, read again now, unchanged."""
    return recheck.holds(run_batch([recheck.statement])[0])
