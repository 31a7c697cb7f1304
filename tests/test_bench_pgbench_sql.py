"""bench/bid_throughput.py's pgbench scripts are built from the models' tables and columns
(bench/throughput/pgbench_sql.py): a schema change that leaves them naming a missing field, or
without a value for a new column, fails here rather than in the next benchmark run."""
import importlib.util
import re
import sys
from pathlib import Path

import pytest

from auctions.models import Bid
from audit.models import AuditEvent

PATH = Path(__file__).resolve().parent.parent / "bench" / "throughput" / "pgbench_sql.py"
spec = importlib.util.spec_from_file_location("bench_pgbench_sql", PATH)
pgbench_sql = sys.modules.setdefault(spec.name, importlib.util.module_from_spec(spec))  # dataclasses look it up
spec.loader.exec_module(pgbench_sql)

PARAMS = pgbench_sql.ScriptParams(rfq=7, sup_base=100, user_base=200, n_suppliers=96, max_step=50,
                                  user_agent="quayside-bench/1 (test)")


def insert_columns(script: str, table: str) -> list[str]:
    head = script.split(f"INSERT INTO {table} (", 1)[1].split(")", 1)[0]
    return [name.strip() for name in head.split(",")]


def test_both_scripts_insert_every_column_of_bid_and_event():
    for build, bid_pk in ((pgbench_sql.per_statement_script, False), (pgbench_sql.batched_script, True)):
        script = build(PARAMS)
        bid_columns = [f.column for f in Bid._meta.concrete_fields if bid_pk or not f.primary_key]
        event_columns = [f.column for f in AuditEvent._meta.concrete_fields if not f.primary_key]
        assert insert_columns(script, Bid._meta.db_table) == bid_columns
        assert insert_columns(script, AuditEvent._meta.db_table) == event_columns
        assert "quayside-bench/1 (test)" in script and "'rfq:7'" in script
        assert "{" not in script.replace("'{}'", "")  # every placeholder filled


def test_a_field_the_script_names_must_exist(monkeypatch):
    monkeypatch.setitem(pgbench_sql.BID_VALUES, "no_such_field", "NULL")
    with pytest.raises(pgbench_sql.ScriptError, match="no_such_field"):
        pgbench_sql.per_statement_script(PARAMS)


def test_a_column_without_a_value_is_refused(monkeypatch):
    monkeypatch.delitem(pgbench_sql.EVENT_VALUES, "live_prev_seq")
    with pytest.raises(pgbench_sql.ScriptError, match="live_prev_seq"):
        pgbench_sql.per_statement_script(PARAMS)


def test_the_prepared_script_binds_every_variable_as_a_typed_parameter():
    prepared = pgbench_sql.prepared_script(PARAMS)
    assert not re.search(r"'(:[a-z_]+)'", prepared)  # a quoted variable would stay a literal there
    assert ":last_hash::text" in prepared and ":bid_id::bigint" in prepared
    assert prepared.count(":last_hash") == pgbench_sql.per_statement_script(PARAMS).count(":last_hash")
