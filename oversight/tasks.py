"""Celery discovers the oversight app's jobs here; each lives beside its service."""
from .compliance.tasks import draw_compliance_sample  # noqa: F401
from .gaming.tasks import scan_rfq_for_gaming  # noqa: F401
from .reports.tasks import generate_fairness_report  # noqa: F401
