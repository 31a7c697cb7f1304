"""Production settings (DJANGO_ENV=production) pass Django's deployment checklist and refuse to
start without their secrets."""
import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.management.utils import get_random_secret_key

BASE_DIR = Path(__file__).resolve().parents[2]


# The test process's own switches (conftest.py sets DJANGO_ALLOW_ASYNC_UNSAFE for Playwright)
# are no part of a deployment.
NOT_INHERITED = ("SECRET_KEY", "ALLOWED_HOSTS", "SEALING_KEYS", "AUDIT_SIGNING_KEY", "DEBUG", "DJANGO_ENV",
                 "DJANGO_ALLOW_ASYNC_UNSAFE")


def audit_signing_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def manage(*args, **env_overrides):
    env = {name: value for name, value in os.environ.items() if name not in NOT_INHERITED}
    env.update({name: value for name, value in env_overrides.items() if value is not None})
    return subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize("prefix", ["", "$"], ids=["generated", "dollar-prefixed"])
def test_check_deploy_passes_with_production_settings(prefix):
    # A key may start with "$" (Django's generator draws from a set that includes it).
    secret = prefix + get_random_secret_key()[len(prefix):]
    assert len(secret) == 50
    result = manage("check", "--deploy", "--fail-level", "WARNING",
                    DJANGO_ENV="production", SECRET_KEY=secret, ALLOWED_HOSTS="quayside.example",
                    SEALING_KEYS=Fernet.generate_key().decode(), AUDIT_SIGNING_KEY=audit_signing_key())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def production_env(**overrides) -> dict:
    return {"DJANGO_ENV": "production", "SECRET_KEY": get_random_secret_key(), "ALLOWED_HOSTS": "quayside.example",
            "SEALING_KEYS": Fernet.generate_key().decode(), "AUDIT_SIGNING_KEY": audit_signing_key(), **overrides}


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "SEALING_KEYS", "AUDIT_SIGNING_KEY"])
def test_production_refuses_to_start_without_its_secrets(missing):
    env = production_env(**{missing: None})
    result = manage("check", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"Set the {missing} environment variable" in result.stderr


def test_a_malformed_audit_signing_key_fails_the_checks():
    """The key that seals the audit trail (never derived from SECRET_KEY in production)."""
    result = manage("check", **production_env(AUDIT_SIGNING_KEY="not-a-key"))
    assert result.returncode != 0
    assert "audit.E001" in result.stderr and "AUDIT_SIGNING_KEY must be base64 of 32 bytes" in result.stderr


def test_the_embedded_default_is_not_deployable():
    """Without DJANGO_ENV=production the deployment checklist fails (insecure default key, no HTTPS)."""
    result = manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "security.W009" in result.stderr or "security.W009" in result.stdout


@pytest.mark.parametrize(("switch", "threshold"), [(None, "5"), ("false", "None")])
def test_prepared_statements_can_be_switched_off_for_a_pooler(switch, threshold):
    # Settings only: nothing connects, so any PostgreSQL URL will do.
    result = manage("shell", "-c", "from django.conf import settings; "
                    "print(settings.DATABASES['default']['OPTIONS']['prepare_threshold'])",
                    DATABASE_URL="postgres://postgres@127.0.0.1:5432/quayside_unused",
                    DATABASE_PREPARED_STATEMENTS=switch)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == threshold  # after the shell's own banner
