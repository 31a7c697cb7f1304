"""Celery discovers the audit app's jobs here; each lives beside its service."""
from .reports.tasks import generate_fairness_report  # noqa: F401
