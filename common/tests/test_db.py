"""common.db: several statements per round trip, with the ORM's own conversions both ways."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import FieldDoesNotExist
from django.db import connection, transaction
from django.utils import timezone

from auctions.models import RuleViolation
from common.db import (
    BATCH_CURSORS,
    _cursors,
    column_count,
    completed_insert,
    insert_statement,
    instances,
    model_copy,
    prepared_insert,
    row_digest,
    run_batch,
    select_columns,
    update_statement,
)
from rfqs.models import RFQ

pytestmark = pytest.mark.django_db


@pytest.fixture
def rfq(demo):
    return RFQ.objects.filter(auction_type="REVERSE_AUCTION").first()


def test_each_statement_answers_in_order_and_sees_the_ones_before(rfq):
    table = RFQ._meta.db_table
    with transaction.atomic():
        results = run_batch([
            (f"SELECT title FROM {table} WHERE id = %s", [rfq.pk]),
            (f"UPDATE {table} SET title = %s WHERE id = %s", ["Renamed in a batch", rfq.pk]),
            (f"SELECT title, bid_count FROM {table} WHERE id = %s", [rfq.pk]),
            (f"SELECT id FROM {table} WHERE id = %s", [-1]),
        ])
    assert results == [[(rfq.title,)], [], [("Renamed in a batch", rfq.bid_count)], []]
    assert RFQ.objects.get(pk=rfq.pk).title == "Renamed in a batch"


def test_parameters_are_bound_not_spliced(rfq):
    # A value that would break out of a spliced string stays a value.
    hostile = "x'; DELETE FROM procurement_rfq; --"
    with transaction.atomic():
        run_batch([(f"UPDATE {RFQ._meta.db_table} SET title = %s WHERE id = %s", [hostile, rfq.pk])])
    assert RFQ.objects.get(pk=rfq.pk).title == hostile
    assert RFQ.objects.count() > 1


def test_instances_equal_what_the_orm_loads(rfq):
    expected = RFQ.objects.get(pk=rfq.pk)
    rows = run_batch([(f"SELECT {select_columns(RFQ, 'r')}, 42 FROM {RFQ._meta.db_table} r WHERE r.id = %s",
                       [rfq.pk])])[0]
    loaded = instances(RFQ, rows, extra=["answer"])[0]
    for field in RFQ._meta.concrete_fields:
        assert getattr(loaded, field.attname) == getattr(expected, field.attname), field.name
    assert isinstance(loaded.auction_settings, dict)  # JSON decoded by the field, as the ORM does
    assert loaded.answer == 42
    assert loaded._state.adding is False and loaded._state.db == connection.alias


def test_a_subset_of_fields_leaves_the_rest_deferred(rfq):
    rows = run_batch([(f"SELECT {select_columns(RFQ, 'r', ['id', 'status'])} FROM {RFQ._meta.db_table} r "
                       f"WHERE r.id = %s", [rfq.pk])])[0]
    loaded = instances(RFQ, rows, ["id", "status"])[0]
    assert loaded.get_deferred_fields() >= {"title", "auction_settings"}
    assert loaded.title == rfq.title  # loaded on access
    assert column_count(RFQ, ["id", "status"]) == 2


def test_insert_and_update_statements_write_what_save_would(rfq, demo):
    supplier = demo.supplier(1)
    violation = RuleViolation(rfq=rfq, supplier=supplier, rule="minimum_decrement", category="fairness",
                              severity="block", message="Too high", metadata={"best": "10.00"}, blocked=True)
    before = timezone.now()
    rfq.best_amount, rfq.bid_count = Decimal("123.4500"), rfq.bid_count + 1
    with transaction.atomic():
        run_batch([insert_statement(violation), update_statement(rfq, ["best_amount", "bid_count", "updated_at"])])
    stored = RuleViolation.objects.get(attempt=violation.attempt)
    assert (stored.rule, stored.metadata, stored.supplier_id, stored.blocked) == \
        ("minimum_decrement", {"best": "10.00"}, supplier.pk, True)
    assert stored.at >= before - timedelta(seconds=1)  # auto_now_add applied
    fresh = RFQ.objects.get(pk=rfq.pk)
    assert (fresh.best_amount, fresh.bid_count) == (Decimal("123.4500"), rfq.bid_count)
    assert fresh.updated_at >= before  # auto_now applied


def test_an_insert_prepared_ahead_and_completed_later_writes_what_save_would(rfq, demo):
    supplier = demo.supplier(1)
    violation = RuleViolation(rfq=rfq, supplier=supplier, rule="minimum_decrement", category="fairness",
                              severity="block", message="Made ahead", metadata={"step": 1}, blocked=False)
    prepared = prepared_insert(violation, key_later=True)
    assert prepared_insert(violation).sql == insert_statement(violation)[0] != prepared.sql  # key column kept
    next_id = (RuleViolation.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000
    violation.pk, violation.message, violation.metadata = next_id, "Completed under the lock", {"step": 2}
    statement = completed_insert(prepared, ["id", "message", "metadata"])
    assert statement[0] == insert_statement(violation)[0]
    with transaction.atomic():
        run_batch([statement])
    stored = RuleViolation.objects.get(pk=next_id)
    assert (stored.message, stored.metadata, stored.supplier_id, stored.blocked) == \
        ("Completed under the lock", {"step": 2}, supplier.pk, False)
    # A field set since but not named keeps its value from when the insert was prepared.
    violation.severity = "warn"
    assert completed_insert(prepared, ["id"])[1] != insert_statement(violation)[1]
    with pytest.raises(FieldDoesNotExist):
        completed_insert(prepared, ["no_such_field"])


@pytest.mark.postgres
def test_on_postgresql_a_batch_is_one_pipeline_of_prepared_statements(rfq):
    from django.test.utils import CaptureQueriesContext

    statement = (f"SELECT title FROM {RFQ._meta.db_table} WHERE id = %s", [rfq.pk])
    with CaptureQueriesContext(connection) as logged, transaction.atomic():
        for _ in range(3):
            assert run_batch([statement, statement]) == [[(rfq.title,)], [(rfq.title,)]]
    batches = [query["sql"] for query in logged.captured_queries if "SELECT title" in query["sql"]]
    assert len(batches) == 3  # Django's log sees each batch as one statement
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements "
                       "WHERE statement LIKE %s", [f"SELECT title FROM {RFQ._meta.db_table}%"])
        (text, executions), = cursor.fetchall()
    assert "$1" in text and executions >= 6  # prepared once on this connection, bound server-side


@pytest.mark.postgres
def test_a_failing_statement_raises_djangos_error_and_writes_nothing(rfq):
    from django.db import IntegrityError

    table = RFQ._meta.db_table
    with pytest.raises(IntegrityError), transaction.atomic():
        run_batch([(f"UPDATE {table} SET title = %s WHERE id = %s", ["Half-way", rfq.pk]),
                   (f"UPDATE {table} SET title = NULL WHERE id = %s", [rfq.pk])])
    assert RFQ.objects.get(pk=rfq.pk).title == rfq.title


@pytest.mark.postgres
def test_unlogged_batches_reuse_their_cursors_and_wrappers_still_see_each_batch(rfq):
    statement = (f"SELECT title FROM {RFQ._meta.db_table} WHERE id = %s", [rfq.pk])
    assert run_batch([statement, statement, statement]) == [[(rfq.title,)]] * 3
    raw = connection.connection
    first = list(getattr(raw, BATCH_CURSORS))
    assert run_batch([statement]) == [[(rfq.title,)]]
    assert getattr(raw, BATCH_CURSORS)[:3] == first
    seen = []
    with connection.execute_wrapper(lambda execute, sql, params, many, context: seen.append(sql) or
                                    execute(sql, params, many, context)):
        assert run_batch([statement, statement]) == [[(rfq.title,)]] * 2
    assert len(seen) == 1 and seen[0].count("SELECT title") == 2  # one batch, as one statement


@pytest.mark.postgres
def test_each_pooled_connection_keeps_its_own_cursors_and_a_retired_one_is_freed():
    import gc
    import weakref

    import psycopg

    # Two connections used in turn, as the pool lends them: each keeps its cursors.
    params = connection.get_connection_params()
    where = {name: params[name] for name in ("dbname", "user", "password", "host", "port") if name in params}
    first, second = psycopg.connect(**where), psycopg.connect(**where)
    try:
        kept = [_cursors(connection, raw, 2) for raw in (first, second, first, second)]
        assert kept[0] == kept[2] and kept[1] == kept[3] and kept[0] != kept[1]
        assert all(cursor.connection is first for cursor in kept[0])
    finally:
        first.close()
        second.close()
    retired = weakref.ref(first)
    del first, kept
    gc.collect()
    assert retired() is None  # its cursors do not keep it alive


@pytest.mark.postgres
def test_after_a_failed_batch_fresh_cursors_serve_the_next(rfq):
    from django.db import IntegrityError

    table = RFQ._meta.db_table
    run_batch([(f"SELECT title FROM {table} WHERE id = %s", [rfq.pk])])
    raw = connection.connection
    with pytest.raises(IntegrityError), transaction.atomic():
        run_batch([(f"UPDATE {table} SET title = NULL WHERE id = %s", [rfq.pk])])
    assert not hasattr(raw, BATCH_CURSORS)
    assert run_batch([(f"SELECT title FROM {table} WHERE id = %s", [rfq.pk])]) == [[(rfq.title,)]]


@pytest.mark.postgres
def test_timestamps_read_in_a_batch_are_the_orms_to_the_timezone(rfq):
    # The batch cursors read timestamptz with psycopg's own loader (in C) on a UTC session:
    # the same datetimes as Django's loader, tzinfo datetime.UTC included.
    import datetime

    expected = RFQ.objects.values_list("created_at", "bidding_deadline").get(pk=rfq.pk)
    [row] = run_batch([(f"SELECT created_at, bidding_deadline FROM {RFQ._meta.db_table} WHERE id = %s",
                        [rfq.pk])])[0]
    assert row == expected and all(value.tzinfo is datetime.UTC for value in row)
    assert all(value.tzinfo is datetime.UTC for value in expected)


def test_a_row_digest_changes_with_any_value_and_only_then(rfq):
    """Equal rows, equal digests; a changed value, NULL against the text 'NULL' or '' among them,
    another digest (both databases: the SQL differs)."""
    columns = select_columns(RFQ, "r", ["title", "description", "auction_settings", "closed_at"])
    statement = f"SELECT {row_digest(columns)} FROM {RFQ._meta.db_table} r WHERE r.id = %s"

    def digest():
        return run_batch([(statement, [rfq.pk])])[0][0][0]

    first = digest()
    assert isinstance(first, str) and len(first) == 64 and digest() == first
    seen = {first}
    for change in ({"description": ""}, {"description": "NULL"}, {"closed_at": timezone.now()},
                   {"auction_settings": {**rfq.auction_settings, "minimum_decrement": "1.01"}}):
        RFQ.objects.filter(pk=rfq.pk).update(**change)
        seen.add(digest())
    assert len(seen) == 5


def test_a_model_copy_is_what_copy_copy_gives(rfq):
    import copy

    rfq = RFQ.objects.select_related("buyer_organization").get(pk=rfq.pk)
    made, reference = model_copy(rfq), copy.copy(rfq)
    assert type(made) is RFQ and made is not rfq
    assert made.__dict__.keys() == reference.__dict__.keys() - {"_django_version"}  # pickling's mark
    assert all(made.__dict__[k] is reference.__dict__[k] for k in made.__dict__ if k != "_state")
    assert (made._state.db, made._state.adding) == (rfq._state.db, rfq._state.adding)
    assert made._state.fields_cache == rfq._state.fields_cache and made._state.fields_cache is not rfq._state.fields_cache
    made.title = "only the copy"
    made._state.fields_cache.clear()
    assert rfq.title != "only the copy" and rfq._state.fields_cache
