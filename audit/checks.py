"""System check: a malformed AUDIT_SIGNING_KEY stops `check` (and every deploy) at once,
rather than at the first sealing a minute later."""
from django.core import checks
from django.core.exceptions import ImproperlyConfigured


@checks.register(checks.Tags.security, deploy=False)
def signing_key_check(app_configs, **kwargs):
    from .anchoring.keys import trusted_keys

    try:
        trusted_keys()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="audit.E001",
                             hint="Generate one: python -c \"import base64, os; print(base64.b64encode(os.urandom(32)).decode())\"")]
    return []
