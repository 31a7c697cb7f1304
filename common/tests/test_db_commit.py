"""common.db.run_batch(commit=True): the last batch of an outermost transaction carries its
COMMIT, so the bid's row lock is released one round trip sooner (auctions/services/bids.py).
Transactional tests on PostgreSQL: only there does the batch own the transaction."""
import psycopg
import pytest
from django.db import IntegrityError, connection, transaction
from psycopg.pq import TransactionStatus

from auctions.models import RuleViolation
from audit.models import AuditStream
from common.db import insert_statement, run_batch

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def stored_elsewhere(key: str) -> bool:
    """Whether another connection (another process, as it were) sees the stream `key`."""
    params = connection.get_connection_params()
    with psycopg.connect(**params, autocommit=True) as other:
        table = AuditStream._meta.db_table
        return other.execute(f"SELECT 1 FROM {table} WHERE key = %s", [key]).fetchone() is not None


def status() -> TransactionStatus:
    return connection.connection.pgconn.transaction_status


def test_the_batch_commits_its_transaction_and_the_hooks_run_once_after_the_block():
    ran = []
    with transaction.atomic():
        transaction.on_commit(lambda: ran.append(stored_elsewhere("test:commit")))
        run_batch([insert_statement(AuditStream(key="test:commit"))], commit=True)
        assert status() == TransactionStatus.IDLE  # committed in the batch's round trip
        assert stored_elsewhere("test:commit") and ran == []  # hooks wait for the block's end
    assert ran == [True]
    assert AuditStream.objects.filter(key="test:commit").exists()


def test_the_rows_of_the_batchs_last_statement_come_back_with_the_commit():
    with transaction.atomic():
        rows = run_batch([insert_statement(AuditStream(key="test:rows")),
                          (f"SELECT key FROM {AuditStream._meta.db_table} WHERE key = %s", ["test:rows"])],
                         commit=True)
        assert status() == TransactionStatus.IDLE
    assert rows == [[], [("test:rows",)]]


def test_nested_in_an_outer_transaction_the_outer_one_decides():
    with transaction.atomic():
        with transaction.atomic():
            run_batch([insert_statement(AuditStream(key="test:nested"))], commit=True)
            assert status() == TransactionStatus.INTRANS
        assert not stored_elsewhere("test:nested")
        transaction.set_rollback(True)
    assert not AuditStream.objects.filter(key="test:nested").exists()


def test_a_commit_that_fails_raises_and_stores_nothing():
    # Foreign keys are checked at COMMIT on PostgreSQL (deferred): the failure is the COMMIT's.
    orphan = RuleViolation(rfq_id=987654321, rule="r", category="c", severity="block", message="m", blocked=True)
    ran = []
    with pytest.raises(IntegrityError), transaction.atomic():
        transaction.on_commit(lambda: ran.append(True))
        run_batch([insert_statement(AuditStream(key="test:failed")), insert_statement(orphan)], commit=True)
    assert ran == [] and status() == TransactionStatus.IDLE
    assert not AuditStream.objects.filter(key="test:failed").exists()
    run_batch([insert_statement(AuditStream(key="test:after"))], commit=False)  # the connection serves on
    assert AuditStream.objects.filter(key="test:after").exists()


def test_outside_a_transaction_commit_changes_nothing():
    run_batch([insert_statement(AuditStream(key="test:autocommit"))], commit=True)
    assert stored_elsewhere("test:autocommit")
