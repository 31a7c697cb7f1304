"""Celery discovers the audit app's jobs here; each lives beside its service."""
from .anchoring.tasks import seal_audit_checkpoint, seal_audit_checkpoints  # noqa: F401
from .compliance.tasks import draw_compliance_sample  # noqa: F401
from .gaming.tasks import scan_rfq_for_gaming  # noqa: F401
from .reports.tasks import generate_fairness_report  # noqa: F401
