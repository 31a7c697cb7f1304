"""Jobs of audit anchoring. They take stream keys, call the service."""
from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def seal_audit_checkpoints() -> int:
    """Beat, every minute (QUAYSIDE_AUDIT_ANCHOR_SECONDS): seal every stream that moved."""
    from .services import checkpoints_seal_moved

    return len(checkpoints_seal_moved())


@shared_task(acks_late=True)
def seal_audit_checkpoint(stream: str) -> int | None:
    """At a close: seal that auction's stream now. The seq sealed."""
    from .services import checkpoint_seal

    document = checkpoint_seal(stream=stream)
    return document["seq"] if document else None
