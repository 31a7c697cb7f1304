"""The one place settings read the environment."""
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env is optional; the environment always wins.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def raw_secret(name: str, default: str | None = None) -> str:
    """A secret read verbatim. django-environ treats a value starting with "$" as a reference to
    another variable, and Django's own key generator can produce such keys."""
    import os

    from django.core.exceptions import ImproperlyConfigured

    value = os.environ.get(name, default)
    if not value:
        raise ImproperlyConfigured(f"Set the {name} environment variable")
    return value
