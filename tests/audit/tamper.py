"""What an attacker with database access would do, for tests of the tamper evidence.

The database refuses UPDATE and DELETE on audit events (migration 0003). To show that
verification still catches tampering, a test first lifts that guard — on SQLite by
dropping the triggers, on PostgreSQL with ALTER TABLE … DISABLE TRIGGER — and restores it
afterwards. Both are transactional, so a failing test cannot leave the guard down either.
"""
from __future__ import annotations

import importlib
import json
from contextlib import contextmanager

from django.db import connection

APPEND_ONLY = importlib.import_module("audit.migrations.0003_append_only")
TABLE = "audit_auditevent"


@contextmanager
def guard_lifted():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER audit_event_append_only")
        else:
            for statement in APPEND_ONLY.SQLITE_DROP:
                cursor.execute(statement)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER audit_event_append_only")
            else:
                for statement in APPEND_ONLY.SQLITE_CREATE:
                    cursor.execute(statement)


def raw_set_payload(event_id: int, payload: dict) -> None:
    cast = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET payload = {cast} WHERE id = %s", [json.dumps(payload), event_id])


def raw_set(event_id: int, **columns) -> None:
    assignments = ", ".join(f"{name} = %s" for name in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET {assignments} WHERE id = %s", [*columns.values(), event_id])


def raw_delete(event_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [event_id])


def trigger_names() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND tgenabled <> 'D' "
                           "AND NOT tgisinternal", [TABLE])
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE])
        return {row[0] for row in cursor.fetchall()}


def rewrite_consistently(event, payload: dict) -> None:
    """What a database superuser can do behind the lifted guard: rewrite one event's payload and
    recompute its hash, every later event's link and hash, and the stream head — so the chain
    alone verifies. Only a checkpoint kept outside the database, or the tables, tell."""
    from audit.chain import event_hash, normalise_payload
    from audit.models import AuditEvent, AuditStream

    prev, payload = event.prev_hash, normalise_payload(payload)
    for later in AuditEvent.objects.filter(stream=event.stream, seq__gte=event.seq).order_by("seq"):
        body = payload if later.pk == event.pk else later.payload
        digest = event_hash(stream=later.stream, seq=later.seq, type=later.type, actor_id=later.actor_id,
                            actor_name=later.actor_name, at=later.at, payload=body, prev_hash=prev)
        if later.pk == event.pk:
            raw_set_payload(later.pk, body)
        raw_set(later.pk, prev_hash=prev, hash=digest)
        prev = digest
    AuditStream.objects.filter(key=event.stream).update(last_hash=prev)


def delete_tail_and_head(stream: str, count: int) -> None:
    """Remove the last `count` events and move the stream head back, as a superuser would."""
    from audit.models import AuditEvent, AuditStream

    tail = list(AuditEvent.objects.filter(stream=stream).order_by("-seq")[:count])
    for event in tail:
        raw_delete(event.pk)
    kept = AuditEvent.objects.filter(stream=stream).order_by("-seq").first()
    AuditStream.objects.filter(key=stream).update(last_seq=kept.seq, last_hash=kept.hash)
