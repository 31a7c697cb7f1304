"""Writes of checkpoints: seal one stream's head, seal every stream that moved, seal on commit.

Sealing reads the committed head, so it runs outside the transaction that appended the
events (a job, or `transaction.on_commit`): a checkpoint of a head that was then rolled back
would later read as tampering.
"""
from __future__ import annotations

import logging
from typing import Any

from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from audit.chain import GENESIS_HASH, verify_events
from audit.models import AuditEvent, AuditStream, Checkpoint
from common.after_commit import after_commit

from . import documents
from .selectors import checkpoint_latest
from .store import checkpoint_store

logger = logging.getLogger(__name__)


class SealRefused(Exception):
    """The stream's events do not extend its last checkpoint: sealing them would launder a rewrite."""


def _extension_problem(stream: str, previous: dict[str, Any] | None, seq: int) -> str | None:
    start_seq, start_hash = (previous["seq"], previous["head_hash"]) if previous else (0, GENESIS_HASH)
    events = AuditEvent.objects.filter(stream=stream, seq__gt=start_seq, seq__lte=seq).order_by("seq")
    result = verify_events(stream, events.iterator(), start_seq=start_seq, start_hash=start_hash)
    if not result.ok:
        return f"the chain breaks at seq {result.first_bad_seq} ({result.problem})"
    return None


def _mirror(document: dict[str, Any]) -> None:
    at = parse_datetime(document["at"])
    if at is None:  # documents.seal() writes ISO 8601: only a forged file could get here
        raise SealRefused(f"{document['stream']}: seq {document['seq']} has no valid time")
    Checkpoint.objects.bulk_create([Checkpoint(
        stream=document["stream"], seq=document["seq"], head_hash=document["head_hash"],
        at=at,
        key_fingerprint=document["key_fingerprint"])], ignore_conflicts=True)


def checkpoint_seal(*, stream: str) -> dict[str, Any] | None:
    """Sign the committed head of `stream` and write it to the anchor store (then mirror it).

    Returns the stream's latest checkpoint (None for a stream with no event). Nothing is
    written if the head is sealed already. Raises SealRefused, writing nothing, when the
    events since the last checkpoint do not extend it."""
    head = AuditEvent.objects.filter(stream=stream).order_by("-seq").values_list("seq", "hash").first()
    if head is None:
        return None
    sealed = checkpoint_store().seqs(stream)
    if sealed and sealed[-1] >= head[0]:
        return checkpoint_latest(stream)  # sealed already; a store ahead of the events is the verifier's to report
    previous = checkpoint_latest(stream)
    problem = _extension_problem(stream, previous, head[0])
    if problem:
        raise SealRefused(f"{stream} not sealed at seq {head[0]}: {problem}")
    document = documents.seal(stream=stream, seq=head[0], head_hash=head[1], at=timezone.now())
    stored = documents.from_bytes(checkpoint_store().put(stream, head[0], documents.to_bytes(document)))
    if stored is None or stored["head_hash"] != head[1]:
        raise SealRefused(f"{stream}: seq {head[0]} is sealed already with another head hash")
    _mirror(stored)
    return stored


def checkpoints_seal_moved() -> list[str]:
    """Seal every stream whose head moved past its last checkpoint; the keys sealed. One
    stream's failure is logged and the others are still sealed."""
    last_sealed = Checkpoint.objects.filter(stream=OuterRef("key")).order_by("-seq").values("seq")[:1]
    moved = (AuditStream.objects.annotate(sealed=Coalesce(Subquery(last_sealed), 0))
             .filter(last_seq__gt=F("sealed")).order_by("key").values_list("key", flat=True))
    sealed = []
    for key in moved:
        try:
            checkpoint_seal(stream=key)
            sealed.append(key)
        except (SealRefused, OSError):
            logger.exception("audit stream %s could not be sealed", key)
    return sealed


def checkpoint_seal_on_commit(*, stream: str, inline: bool = False) -> None:
    """Seal `stream` once the caller's transaction commits (at once outside one): in this
    process if `inline` (a report about to show it), else as a job. A failure is logged,
    never raised: the committed change stands, and the periodic job seals it later."""
    from .tasks import seal_audit_checkpoint

    if inline:
        after_commit(checkpoint_seal, stream=stream)
    else:
        after_commit(seal_audit_checkpoint.delay, stream)
