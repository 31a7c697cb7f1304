"""Celery discovers the audit app's jobs here; each lives beside its service."""
from .anchoring.tasks import seal_audit_checkpoint, seal_audit_checkpoints  # noqa: F401
