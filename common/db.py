"""Several SQL statements in one round trip, for the bid hot path (architecture.md).

The auction row lock is held from the statement that takes it until COMMIT, so every round
trip and every ORM query compiled while holding it stretches the time other bidders wait.
These helpers let the bid transaction read what it needs right after the lock, and write
the bid, the auction row and the audit event, each in a single round trip.

Model values go through the fields' own
conversions in both directions, exactly as a `save()` or a queryset would apply them.
"""
from __future__ import annotations

import datetime
import functools
from collections.abc import Sequence
from contextlib import nullcontext, suppress
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import psycopg
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.utils import CursorDebugWrapper
from django.db.models.base import ModelState
from psycopg.generators import send
from psycopg.pq import ExecStatus, TransactionStatus
from psycopg.types.datetime import TimestamptzLoader

Statement = tuple[str, Sequence[Any]]
M = TypeVar("M", bound=models.Model)


def run_batch(statements: Sequence[Statement], *, commit: bool = False) -> list[list[tuple[Any, ...]]]:
    """Execute the statements in order, in one round trip; the rows each one returned.

    Each statement still gets its own snapshot (READ COMMITTED), so a read placed after a
    locking statement sees everything committed before the lock was granted.

    On PostgreSQL they go as one pipeline of prepared statements (psycopg's pipeline mode):
    the server parses and plans each text once per connection, not per bid, the parameters
    travel apart from the SQL (nothing is spliced into it), and the `BEGIN` that opens a
    transaction rides in the same round trip. Django's query log and execute wrappers see
    the batch as one statement, as before.

    `commit`: the batch is the last thing its transaction does, and its COMMIT rides in the
    same round trip (the auction row lock is released one round trip sooner). Only when the
    batch runs in an outermost `atomic()` block that will commit on exit: Django's own
    commit then finds no transaction open and sends nothing, and runs the on-commit hooks
    as always. A failed statement or COMMIT raises here, and the block rolls back as usual.
    Nested in an outer transaction (or a test's), the outer one commits, as without it.
    """
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql":
        results = []
        with connection.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)
                results.append(cursor.fetchall() if cursor.description else [])
        return results
    if not (connection.execute_wrappers or connection.queries_logged):
        # Nobody to show the batch to: no Django cursor is made for it (a third of a small
        # batch's CPU). The checks are those of connection.cursor().
        connection.validate_thread_sharing()
        connection.close_if_health_check_failed()
        connection.ensure_connection()
        results = _pipelined(statements, None, None, False, {"connection": connection}, commit=commit)
    else:
        sql = ";\n".join(statement for statement, _ in statements)
        params = [param for _, statement_params in statements for param in statement_params]
        with connection.cursor() as cursor:
            logged = cursor.debug_sql(sql, params) if isinstance(cursor, CursorDebugWrapper) else nullcontext()
            with logged:
                results = cursor._execute_with_wrappers(sql, params, False,
                                                        functools.partial(_pipelined, statements, commit=commit))
    if len(results) != len(statements):
        raise RuntimeError(f"{len(statements)} statements returned {len(results)} results")
    return results


def _pipelined(statements: Sequence[Statement], sql, params, many, context, *, commit: bool = False
               ) -> list[list[tuple[Any, ...]]]:
    """The executor under Django's execute wrappers: the statements as one pipeline."""
    connection = context["connection"]
    connection.validate_no_broken_transaction()
    raw = connection.connection
    commit = commit and _commits_on_exit(connection)
    cursors = _cursors(connection, raw, len(statements) + commit)  # the COMMIT's own, last
    with connection.wrap_database_errors:
        try:
            with raw.lock:
                _send_and_fetch(raw, cursors, statements, commit)
            # The result's status, not cursor.description: that builds a Column per column.
            return [cursor.fetchall() if cursor.pgresult.status == ExecStatus.TUPLES_OK else []
                    for cursor in cursors[:len(statements)]]
        except BaseException:
            raw.__dict__.pop(BATCH_CURSORS, None)  # a failed pipeline's cursors are not used again
            raise


def _send_and_fetch(raw: psycopg.Connection, cursors: list[psycopg.Cursor], statements: Sequence[Statement],
                    commit: bool) -> None:
    """The batch in pipeline mode as one write — the BEGIN that opens the transaction, the
    statements, the COMMIT and the Sync — and every result read back.

    Not psycopg's `pipeline()` block, which sends a BEGIN with a Sync of its own and waits for
    its answer (a round trip before the batch), then the statements, the closing Sync and a
    Flush as three more writes: each write a wake-up of PostgreSQL's backend, and on loopback
    TCP the sender runs the receiver's side of the network stack too (bench/README.md,
    twenty-second session). The steps are psycopg's own (3.3, pinned), in that order."""
    raw._check_connection_ok()
    if raw._pipeline is not None:
        raise RuntimeError("run_batch inside a psycopg pipeline")
    pipeline = raw._pipeline = psycopg.Pipeline(raw)
    try:
        raw.wait(pipeline._enter_gen())
        try:
            _queue(raw, pipeline, cursors, statements, commit)
        except BaseException:
            # What was queued is sent and ended, its errors left unsaid: the transaction is
            # then rolled back as usual, and the connection is left out of pipeline mode.
            with suppress(Exception):
                _sync_and_fetch(raw, pipeline)
            raise
        _sync_and_fetch(raw, pipeline)
    except BaseException as exc:
        pipeline._exit(exc)  # its own failure logged, not raised over this one
        raise
    else:
        pipeline._exit(None)
    finally:
        raw._pipeline = None


def _queue(raw: psycopg.Connection, pipeline: psycopg.Pipeline, cursors: list[psycopg.Cursor],
           statements: Sequence[Statement], commit: bool) -> None:
    """The batch into the pipeline's queue, BEGIN first when the transaction starts here."""
    pgconn = raw.pgconn
    if not raw.autocommit and pgconn.transaction_status == TransactionStatus.IDLE:
        # Queued here, the transaction counts as started, and psycopg sends no BEGIN of its own.
        pgconn.send_query_params(raw._get_tx_start_command(), None)
        pipeline.result_queue.append(None)
    for cursor, (statement, statement_params) in zip(cursors[:len(statements)], statements, strict=True):
        raw.wait(_queued(cursor, statement, statement_params))
    if commit:  # after the statements, in the same write
        raw.wait(_queued(cursors[-1], "COMMIT", (), prepare=False))


def _sync_and_fetch(raw: psycopg.Connection, pipeline: psycopg.Pipeline) -> None:
    """Everything queued into libpq's buffer and the Sync, whose libpq call sends the buffer in
    one write; then every result, each to its cursor, and the first error raised (psycopg's own
    fetch: a statement that fails aborts the rest of the batch, up to the Sync)."""
    while pipeline.command_queue:
        pipeline.command_queue.popleft()()
    raw.pgconn.pipeline_sync()
    pipeline.result_queue.append(None)
    raw.wait(send(raw.pgconn))  # what a full socket buffer left unsent; nothing otherwise
    raw.wait(pipeline._fetch_gen(flush=False))  # no Flush request: the Sync has the server send


def _queued(cursor: psycopg.Cursor, statement: str, params: Sequence[Any], *, prepare: bool = True):
    """`cursor.execute(statement, params, prepare=prepare)` in pipeline mode, but only queued.

    psycopg's execute sends each statement as it is queued (a write, a poll and, at the server,
    a wake-up per statement); queued, a batch goes in one write and PostgreSQL reads it in
    one. The steps are execute's own (psycopg 3.3, pinned): start, convert, prepare or send,
    the prepared-statement cache's upkeep; its results come back through the pipeline."""
    yield from cursor._start_query(statement)
    query = cursor._convert_query(statement, params)
    yield from cursor._maybe_prepare_gen(query, prepare=prepare)
    cursor._last_query = statement
    yield from cursor._conn._prepared.maintain_gen(cursor._conn)


def _commits_on_exit(connection) -> bool:
    """Whether the transaction open now is an outermost atomic block's, to commit on its exit."""
    return (connection.in_atomic_block and len(connection.atomic_blocks) == 1 and not connection.savepoint_ids
            and connection.commit_on_exit and not connection.needs_rollback)


# Each pooled psycopg connection keeps its own batch cursors, as an attribute of its own. Kept on
# the Django connection they were lost on every request: the pool hands out its connections in
# turn (first in, first out), so the next request's connection was rarely the last one's. Not in
# a WeakKeyDictionary either: a cursor refers to its connection, so the dictionary's value
# would keep its key alive, and every connection the pool retires would stay in memory.
BATCH_CURSORS = "quayside_batch_cursors"


def _cursors(connection, raw: psycopg.Connection, count: int) -> list[psycopg.Cursor]:
    """`count` psycopg cursors of `raw`, kept with it between batches and requests: each new
    one copies the connection's adapters, some 13 µs a statement. Server-side binding:
    Django's own cursors bind client-side. (A raw connection serves one thread at a time: the
    pool lends it out whole.)"""
    cursors = raw.__dict__.setdefault(BATCH_CURSORS, [])
    while len(cursors) < count:
        cursor = psycopg.Cursor(raw)
        if connection.timezone is datetime.UTC and raw.pgconn.parameter_status(b"TimeZone") == b"UTC":
            # Django's timestamptz loader sets tzinfo=UTC on what psycopg's own loader read in
            # Python (~3.3 µs a value; dozens of values a bid). On a UTC session psycopg's own
            # loader, in C, returns the same datetimes, timezone.utc included (~0.2 µs).
            cursor.adapters.register_loader("timestamptz", TimestamptzLoader)
        cursors.append(cursor)
    return cursors[:count]


def select_columns(model: type[models.Model], alias: str, fields: Sequence[str] | None = None) -> str:
    """`alias.col1, alias.col2, …` for the model's concrete fields (or the named ones), in the
    order instances() expects them."""
    return _select_columns(model, alias, tuple(fields) if fields is not None else None)


def model_copy(obj: M) -> M:
    """A shallow copy of a model instance, as copy.copy makes one (its own attributes, state and
    related-object cache), without pickling's round trip: copy.copy goes through the model's
    __reduce__ and __setstate__, some 15 µs for an RFQ, several times a bid (auctions.bidders)."""
    new = object.__new__(type(obj))  # what model_unpickle does: a model's __new__ is object's
    new.__dict__.update(obj.__dict__)
    state = new._state = ModelState()
    state.__dict__.update(obj._state.__dict__)
    state.fields_cache = dict(obj._state.fields_cache)
    return new


def row_digest(columns: str) -> str:
    """SQL for a digest of the values of `columns` (a select_columns list): equal rows, equal
    digests, whatever their types. Compared in Python, it stands for the row itself: one short
    string to load instead of every value (auctions.bidders, under the auction row's lock).
    SHA-256, not MD5: a buyer writes some of those values, and MD5 collisions can be made."""
    if connections[DEFAULT_DB_ALIAS].vendor == "postgresql":
        return f"encode(sha256(convert_to(ROW({columns})::text, 'UTF8')), 'hex')"
    # SQLite: Django registers sha256(); quote() writes each value as a literal, NULL included.
    return "sha256(" + " || ',' || ".join(f"quote({column})" for column in columns.split(", ")) + ")"


def column_count(model: type[models.Model], fields: Sequence[str] | None = None) -> int:
    return len(_fields(model, tuple(fields) if fields is not None else None))


def instances(model: type[M], rows: Sequence[tuple[Any, ...]], fields: Sequence[str] | None = None,
              extra: Sequence[str] = ()) -> list[M]:
    """Model instances from rows of select_columns(model, …, fields) followed by `extra` columns,
    which become plain attributes. Fields not selected are deferred (loaded on access)."""
    # The connection itself, not django.db.connection: every attribute of that proxy is a
    # look-up in a context-local, and the hot path touches it per field.
    connection = connections[DEFAULT_DB_ALIAS]
    chosen, names, converters = _reading(model, tuple(fields) if fields is not None else None, connection.alias)
    result = []
    for row in rows:
        obj = model.from_db(connection.alias, names, _converted(row, len(chosen), converters, connection))
        for name, value in zip(extra, row[len(chosen):], strict=True):
            setattr(obj, name, value)
        result.append(obj)
    return result


def field_values(model: type[models.Model], rows: Sequence[tuple[Any, ...]], fields: Sequence[str]
                 ) -> list[list[Any]]:
    """The values of rows of select_columns(model, …, fields) as the model's fields read them,
    without building instances (a model instance costs some 16 µs: for many small rows read
    under a lock, the values are often all that is needed)."""
    connection = connections[DEFAULT_DB_ALIAS]
    chosen, _, converters = _reading(model, tuple(fields), connection.alias)
    return [_converted(row, len(chosen), converters, connection) for row in rows]


def _converted(row: tuple[Any, ...], count: int, converters, connection) -> list[Any]:
    values = list(row[:count])
    for index, functions, col in converters:
        for convert in functions:
            values[index] = convert(values[index], col, connection)
    return values


def insert_statement(obj: models.Model) -> Statement:
    """The INSERT that `obj.save(force_insert=True)` would run (an unset auto key is left out)."""
    prepared = prepared_insert(obj)
    return prepared.sql, prepared.values


@dataclass
class PreparedInsert(Generic[M]):
    """An INSERT of `obj` whose values were converted ahead, outside a lock: completing it under
    the lock converts only the fields set since (completed_insert)."""

    obj: M
    sql: str
    without_auto_key: bool
    values: list[Any]


def prepared_insert(obj: M, *, key_later: bool = False) -> PreparedInsert[M]:
    """`key_later`: the auto key is not set yet but will be (an id reserved under the lock), so
    its column is kept; otherwise it is left out when unset, as insert_statement does."""
    connection = connections[DEFAULT_DB_ALIAS]
    without_auto_key = obj.pk is None and not key_later
    sql, fields = _insert_sql(type(obj), without_auto_key)
    return PreparedInsert(obj, sql, without_auto_key,
                          [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields])


def completed_insert(prepared: PreparedInsert[Any], changed: Sequence[str]) -> Statement:
    """The INSERT that insert_statement(prepared.obj) would give now, when only the fields named
    in `changed` were set since prepared_insert (common/tests/test_db.py holds the two equal)."""
    connection = connections[DEFAULT_DB_ALIAS]
    obj, values = prepared.obj, list(prepared.values)
    for index, field in _positions(type(obj), prepared.without_auto_key, tuple(changed)):
        values[index] = field.get_db_prep_save(field.pre_save(obj, True), connection)
    return prepared.sql, values


def update_statement(obj: models.Model, field_names: Sequence[str]) -> Statement:
    """The UPDATE that `obj.save(update_fields=field_names)` would run."""
    connection = connections[DEFAULT_DB_ALIAS]
    sql, fields = _update_sql(type(obj), tuple(field_names))
    values = [f.get_db_prep_save(f.pre_save(obj, False), connection) for f in fields]
    return sql, [*values, obj._meta.pk.get_db_prep_value(obj.pk, connection)]


# Cached per model and field list: the point of these helpers is to skip per-query work.

@functools.cache
def _fields(model: type[models.Model], names: tuple[str, ...] | None) -> list[models.Field]:
    if names is None:
        return list(model._meta.concrete_fields)
    return [model._meta.get_field(name) for name in names]


@functools.cache
def _insert_sql(model: type[models.Model], without_auto_key: bool) -> tuple[str, list[models.Field]]:
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    fields = [f for f in model._meta.concrete_fields
              if not (without_auto_key and f.primary_key and isinstance(f, models.AutoField))]
    columns = ", ".join(quote(f.column) for f in fields)
    return f"INSERT INTO {model._meta.db_table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})", fields


@functools.cache
def _positions(model: type[models.Model], without_auto_key: bool, names: tuple[str, ...]
               ) -> list[tuple[int, models.Field]]:
    """Where the named fields (names or attnames) sit among _insert_sql's values, and which they are."""
    fields = _insert_sql(model, without_auto_key)[1]
    return [(fields.index(field), field) for field in map(model._meta.get_field, names)]


@functools.cache
def _update_sql(model: type[models.Model], names: tuple[str, ...]) -> tuple[str, list[models.Field]]:
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    fields = _fields(model, names)
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    return f"UPDATE {model._meta.db_table} SET {assignments} WHERE {quote(model._meta.pk.column)} = %s", fields


@functools.cache
def _select_columns(model: type[models.Model], alias: str, names: tuple[str, ...] | None) -> str:
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    return ", ".join(f"{alias}.{quote(f.column)}" for f in _fields(model, names))


@functools.cache
def _reading(model: type[models.Model], names: tuple[str, ...] | None, alias: str):
    connection = connections[alias]
    chosen = _fields(model, names)
    converters = [(index, [*connection.ops.get_db_converters(col), *field.get_db_converters(connection)], col)
                  for index, field in enumerate(chosen)
                  for col in [field.get_col(model._meta.db_table)]]
    return (chosen, [field.attname for field in chosen],
            [(index, functions, col) for index, functions, col in converters if functions])
