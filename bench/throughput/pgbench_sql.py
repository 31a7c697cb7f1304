"""pgbench scripts doing an accepted bid's writes, with every table and column name taken from
the Django models (`Model._meta.db_table`, `field.column`) so the SQL cannot drift from the
schema: a renamed field fails here, by name, before pgbench runs; a new column of a table the
script inserts into must be given a value below.

Placeholders: `{B}` is a model's table, `{B.field}` that field's column (B: Bid, E: AuditEvent,
R: RFQ, S: AuditStream); `{rfq}`, `{stream}` the twin auction and its audit stream;
`:name` are pgbench variables (the `\\gset` / `\\aset` results are aliased to fixed names).
"""
from __future__ import annotations

import re
from dataclasses import dataclass


class ScriptError(RuntimeError):
    """The script's values and the model's columns disagree."""


class Table:
    """A model for str.format: '{B}' is its table name, '{B.field}' the field's column."""

    def __init__(self, model):
        self.model = model

    def __str__(self) -> str:
        return self.model._meta.db_table

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __getattr__(self, name: str) -> str:
        from django.core.exceptions import FieldDoesNotExist

        try:
            return self.model._meta.get_field(name).column
        except FieldDoesNotExist:
            raise ScriptError(f"the pgbench script names {self.model.__name__}.{name}, which no longer exists") from None


@dataclass
class ScriptParams:
    rfq: int  # the twin auction the script bids in
    sup_base: int  # the bench suppliers' and their users' ids are contiguous from here
    user_base: int
    n_suppliers: int
    max_step: int  # cents
    user_agent: str


def _payload(amount: str) -> str:
    """The bid.placed event's payload, shaped like the real one (auctions/services/bids.py)."""
    # Typed: prepared (-M prepared), a parameter among jsonb_build_object's arguments has none.
    return ("jsonb_build_object('bid_id', :bid_id::bigint, 'supplier_id', :sup::bigint, "
            "'supplier', 'Bench Supplier ' || lpad(:s::text, 4, '0'), 'version', :version::int, "
            f"'amount', {amount}, 'ip', '127.0.0.1', 'user_agent', '{{user_agent}}', "
            "'fingerprint', left(md5(random()::text), 32), 'session', '', 'submitted_at', clock_timestamp(), "
            "'bid_count', :bid_count::int + 1)")


# Every column of an accepted bid and of its audit event, by field name (the primary key only
# where the script supplies it).
BID_VALUES = {
    "rfq": "{rfq}", "supplier": ":sup", "line_item": "NULL", "submitted_by": ":usr", "submitted_at": "clock_timestamp()",
    "status": "'{accepted}'", "version": ":version", "amount": ":best_amount - :step / 100.0",
    "sealed_payload": "''", "sealed_commitment": "''", "opened_at": "NULL", "criteria": "'{{}}'", "terms": "''",
    "valid_until": "NULL", "items_quoted": "0", "withdrawn_at": "NULL", "audit_seq": "NULL",
    "ip_address": "'127.0.0.1'", "user_agent": "'{user_agent}'", "device_fingerprint": "md5(random()::text)",
    "signature_key_id": "''",
}
EVENT_VALUES = {
    "stream": "'{stream}'", "seq": ":last_seq + 1", "rfq": "{rfq}", "type": "'bid.placed'", "actor": ":usr",
    "actor_name": "'bench' || lpad(:s::text, 4, '0')", "at": "clock_timestamp()", "payload": _payload("':amount'"),
    "prev_hash": "':last_hash'", "live_prev_seq": "NULL", "hash": "md5(random()::text) || md5(random()::text)",
}
BATCHED_BID_VALUES = {"id": ":bid_id", **BID_VALUES, "audit_seq": ":last_seq + 1"}
NEXT_HASH = "md5(:last_seq::text || 'a') || md5(:last_seq::text || 'b')"
BATCHED_EVENT_VALUES = {**EVENT_VALUES, "payload": _payload("(:best_amount - :step / 100.0)::text"),
                        "hash": NEXT_HASH}
RFQ_STATE = ("id", "status", "best_amount", "bid_count", "bidding_deadline", "extensions", "auction_settings")
# Written back unchanged, as the Django transaction's UPDATE does.
RFQ_UNCHANGED = ("bidding_deadline", "extensions", "deadline_version", "last_extension_at")

PER_STATEMENT = """\
-- One accepted reverse-auction bid as the issue spells it out: lock the row, insert the bid,
-- update the best, append the audit event; one statement per round trip, plus the supplier's
-- own-bids read and the audit stream head every bid needs.
{header}
BEGIN;
-- lock the auction row
SELECT {rfq_state}
  FROM {R} WHERE {R.id} = {rfq} FOR UPDATE \\gset
-- the supplier's own bids, for rate limit / version (context.own_bids)
SELECT COALESCE(MAX({B.version}), 0) + 1 AS version, count(*) AS recent FROM {B}
  WHERE {B.rfq} = {rfq} AND {B.supplier} = :sup AND {B.submitted_at} > now() - interval '1 minute' \\gset
-- insert the bid
{bid_insert}
  RETURNING {B.id} AS bid_id, {B.amount} AS amount \\gset
-- update best / count / deadline fields of the auction row
UPDATE {R} SET {R.best_amount} = :amount, {R.best_bid} = :bid_id, {R.bid_count} = {R.bid_count} + 1,
    {rfq_unchanged}, {R.updated_at} = clock_timestamp()
  WHERE {R.id} = {rfq} AND {R.status} = '{open}';
-- audit: lock the stream head
SELECT {stream_head} FROM {S} WHERE {S.key} = '{stream}' ORDER BY {S.key} LIMIT 1
  FOR UPDATE \\gset
-- audit: the hash-chained event
{event_insert}
  RETURNING {E.seq} AS ev_seq, {E.hash} AS ev_hash \\gset
UPDATE {S} SET {S.last_seq} = :ev_seq, {S.last_hash} = ':ev_hash' WHERE {S.key} = '{stream}';
-- the bid learns its audit seq
UPDATE {B} SET {B.audit_seq} = :ev_seq WHERE {B.id} = :bid_id;
COMMIT;
"""

BATCHED = """\
-- The same bid in the round trips the Django bid transaction uses (auctions/services/bids.py
-- with common/db.py): BEGIN, lock, own bids and id in one; the four writes and COMMIT in one.
{header}
BEGIN \\;
SELECT {rfq_state_r}, {stream_head_s}
  FROM {R} r JOIN {S} s ON s.{S.key} = '{stream}'
  WHERE r.{R.id} = {rfq} FOR NO KEY UPDATE \\;
SELECT COALESCE(MAX({B.version}), 0) + 1 AS version, count(*) AS recent FROM {B}
  WHERE {B.rfq} = {rfq} AND {B.supplier} = :sup \\;
SELECT nextval(pg_get_serial_sequence('{B}', '{B.id}')) AS bid_id \\aset
{bid_insert} \\;
UPDATE {R} SET {R.best_amount} = :best_amount - :step / 100.0, {R.best_bid} = :bid_id,
    {R.bid_count} = {R.bid_count} + 1, {rfq_unchanged}, {R.updated_at} = clock_timestamp()
  WHERE {R.id} = {rfq} \\;
{event_insert} \\;
UPDATE {S} SET {S.last_seq} = :last_seq + 1,
    {S.last_hash} = {next_hash} WHERE {S.key} = '{stream}' \\;
COMMIT;
"""

HEADER = """\
\\set s random(0, {n_minus_1})
\\set sup {sup_base} + :s
\\set usr {user_base} + :s
\\set step random(1, {max_step})"""


def select_as(table: Table, fields: tuple[str, ...], prefix: str = "") -> str:
    """'col, other_col AS name, …': each field under its own name, whatever its column is called."""
    out = []
    for name in fields:
        column = getattr(table, name)
        out.append(f"{prefix}{column}" if column == name else f"{prefix}{column} AS {name}")
    return ", ".join(out)


def insert(table: Table, values: dict[str, str], namespace: dict) -> str:
    """INSERT INTO table (every column) VALUES (…); every concrete field needs a value (the
    primary key may be left to its sequence)."""
    fields = table.model._meta.concrete_fields
    names = {f.name for f in fields}
    missing = [f.name for f in fields if f.name not in values and not f.primary_key]
    unknown = sorted(set(values) - names)
    if missing or unknown:
        raise ScriptError(f"pgbench INSERT INTO {table}: no value for {missing}, no such field {unknown}")
    chosen = [f for f in fields if f.name in values]
    head = f"INSERT INTO {table} ("
    columns = _lines([f.column for f in chosen], "    ", len(head))
    row = _lines([values[f.name].format(**namespace) for f in chosen], "    ", len("  VALUES ("))
    return f"{head}{columns})\n  VALUES ({row})"


def _lines(items: list[str], indent: str, start: int = 0, width: int = 100) -> str:
    """Items joined by ', ', broken into lines between items only (never inside a literal);
    `start`: the width of what precedes the first line."""
    lines, current, used = [], "", start
    for item in items:
        if current and used + len(current) + len(item) + 2 > width:
            lines.append(current + ",")
            current, used = indent + item, 0
        else:
            current = f"{current}, {item}" if current else item
    return "\n".join([*lines, current])


def namespace(params: ScriptParams) -> dict:
    from auctions.models import Bid, BidStatus
    from audit.models import AuditEvent, AuditStream, rfq_stream
    from rfqs.models import RFQ, RFQStatus

    R, B, E, S = Table(RFQ), Table(Bid), Table(AuditEvent), Table(AuditStream)
    ns = {"R": R, "B": B, "E": E, "S": S, "rfq": params.rfq, "stream": rfq_stream(params.rfq),
          "user_agent": params.user_agent, "accepted": BidStatus.ACCEPTED.value, "open": RFQStatus.OPEN.value,
          "next_hash": NEXT_HASH}
    ns["header"] = HEADER.format(n_minus_1=params.n_suppliers - 1, sup_base=params.sup_base,
                                 user_base=params.user_base, max_step=params.max_step)
    ns["rfq_state"], ns["rfq_state_r"] = select_as(R, RFQ_STATE), select_as(R, RFQ_STATE, "r.")
    ns["stream_head"] = select_as(S, ("key", "last_seq", "last_hash"))
    ns["stream_head_s"] = select_as(S, ("last_seq", "last_hash"), "s.")
    ns["rfq_unchanged"] = ", ".join(f"{getattr(R, f)} = {getattr(R, f)}" for f in RFQ_UNCHANGED)
    return ns


def per_statement_script(params: ScriptParams) -> str:
    """PGBENCH_SCRIPT of bench/README.md: one statement per round trip."""
    ns = namespace(params)
    ns["bid_insert"] = insert(ns["B"], BID_VALUES, ns)
    ns["event_insert"] = insert(ns["E"], EVENT_VALUES, ns)
    return PER_STATEMENT.format(**ns)


def prepared_script(params: ScriptParams) -> str:
    """The per-statement script for `pgbench -M prepared`: a variable quoted as a literal
    (':last_hash') would stay text there, so it becomes a typed parameter (:last_hash::text)."""
    return re.sub(r"'(:[a-z_]+)'", r"\1::text", per_statement_script(params))


def batched_script(params: ScriptParams) -> str:
    """PGBENCH_BATCHED_SCRIPT of bench/README.md: the Django transaction's round trips."""
    ns = namespace(params)
    ns["bid_insert"] = insert(ns["B"], BATCHED_BID_VALUES, ns)
    ns["event_insert"] = insert(ns["E"], BATCHED_EVENT_VALUES, ns)
    return BATCHED.format(**ns)
