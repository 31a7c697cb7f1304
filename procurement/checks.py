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


@register("quayside")
def ocds_prefix_shape(app_configs, **kwargs):
    """An ocid prefix is "ocds-" and the six characters the Open Contracting Partnership
    assigned; any other shape makes every exported ocid unrecognisable."""
    from .ocds.ids import OCDS_PREFIX_PATTERN

    prefix = settings.QUAYSIDE.get("OCDS_PREFIX", "")
    if not OCDS_PREFIX_PATTERN.fullmatch(prefix):
        return [Error(f"QUAYSIDE_OCDS_PREFIX ({prefix!r}) must be \"ocds-\" followed by six letters or digits.",
                      hint="Use the prefix registered for this publisher.", id="quayside.E002")]
    return []
