"""The one writer of audit events. Call it inside the transaction of the change it records."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone

from common import realtime

from .chain import GENESIS_HASH, event_hash, normalise_payload
from .models import PLATFORM_STREAM, AuditEvent, AuditStream, rfq_stream

if TYPE_CHECKING:
    from audit.types import RFQ


def audit_lock(key: str) -> AuditStream:
    """Lock a stream's head for appending (creating the stream on its first event)."""
    head = AuditStream.objects.select_for_update(no_key=True).filter(key=key).first()
    if head is None:  # the stream's first event; a racing first writer makes one of us retry the lock
        AuditStream.objects.get_or_create(key=key, defaults={"last_hash": GENESIS_HASH})
        head = AuditStream.objects.select_for_update(no_key=True).get(key=key)
    return head


# What audit_event sets on an event made ahead by event_row: the fields its stream's head decides.
CHAINED_FIELDS = ("seq", "at", "payload", "prev_hash", "hash", "live_prev_seq")


def event_row(*, type: str, stream: str, actor: AbstractBaseUser | AnonymousUser | None = None,
              rfq: RFQ | None = None) -> AuditEvent:
    """An event's fields that the stream's lock does not decide, for a caller that builds it (and
    converts its values, common.db.prepared_insert) before taking the lock; audit_event completes it."""
    user = actor if isinstance(actor, AbstractBaseUser) else None  # signed in; else the system acted
    return AuditEvent(stream=stream, rfq=rfq, type=type, actor_id=user.pk if user else None,
                      actor_name=user.get_username() if user else "system")


def audit_event(*, type: str, head: AuditStream, actor: AbstractBaseUser | AnonymousUser | None = None, rfq: RFQ | None = None,
                payload: dict[str, Any] | None = None, row: AuditEvent | None = None) -> AuditEvent:
    """The next event of the locked stream `head`, hashed but not saved; `head` is advanced.

    For callers that write the event themselves in a batch with their own change (the bid
    hot path); they must insert it and store the head in the same transaction. `row`: the
    event_row() they made ahead for this type, actor and stream; only CHAINED_FIELDS are set on it.
    """
    if row is None:
        event = event_row(type=type, stream=head.key, actor=actor, rfq=rfq)
    else:
        if (row.type, row.stream) != (type, head.key):
            raise ValueError(f"A {row.type} row of stream {row.stream} completed as a {type} of {head.key}")
        event = row
        if rfq is not None:  # the caller's row as it stands now (locked), as is_live reads it
            AuditEvent.rfq.field.set_cached_value(event, rfq)
    event.seq, event.at, event.prev_hash = head.last_seq + 1, timezone.now(), head.last_hash or GENESIS_HASH
    event.payload = normalise_payload(payload or {})
    event.hash = event_hash(stream=head.key, seq=event.seq, type=type, actor_id=event.actor_id,
                            actor_name=event.actor_name, at=event.at, payload=event.payload,
                            prev_hash=event.prev_hash)
    head.last_seq, head.last_hash = event.seq, event.hash
    if realtime.is_live(type, rfq, payload):  # its place in the chain live clients replay (publishing is the caller's)
        event.live_prev_seq, head.last_live_seq = head.last_live_seq, event.seq
    return event


def audit_append(*, type: str, actor: AbstractBaseUser | AnonymousUser | None = None, rfq: RFQ | None = None, payload: dict[str, Any] | None = None,
                 stream: str | None = None) -> AuditEvent:
    """Append one event to the RFQ's stream (or the platform stream) and return it.

    Must run inside the caller's transaction: locking the stream head serialises writers,
    so `seq` is gap-free and the chain has exactly one order.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_append must run inside the transaction of the change it records")
    head = audit_lock(stream or (rfq_stream(rfq.pk) if rfq is not None else PLATFORM_STREAM))
    event = audit_event(type=type, head=head, actor=actor, rfq=rfq, payload=payload)
    event.save(force_insert=True)
    AuditStream.objects.filter(key=head.key).update(last_seq=head.last_seq, last_hash=head.last_hash,
                                                    last_live_seq=head.last_live_seq)
    return event
