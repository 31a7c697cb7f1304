"""Deployment checks for the RFQ workflow's jobs."""
from django.conf import settings
from django.core.checks import Error, register


@register("quayside")
def job_eta_below_visibility_timeout(app_configs, **kwargs):
    """A job waiting past the broker's visibility timeout is handed to a second worker; the
    jobs are idempotent, but running each twice is waste the settings should not cause."""
    timeout = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}).get("visibility_timeout", 3600)
    cap = settings.QUAYSIDE["MAX_JOB_ETA_SECONDS"]
    if cap >= timeout:
        return [Error(f"QUAYSIDE_MAX_JOB_ETA_SECONDS ({cap}) must be below the broker's visibility timeout "
                      f"({timeout} s).", hint="Lower QUAYSIDE_MAX_JOB_ETA_SECONDS.", id="quayside.E001")]
    return []
