"""Fixtures shared by every test: fast hashing, private media, the demo world, API clients."""
import os

import pytest
from django.conf import settings as django_settings

# Playwright's sync API runs an event loop in the test thread; Django must still allow ORM use.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_runtest_setup(item):
    engine = django_settings.DATABASES["default"]["ENGINE"]
    if item.get_closest_marker("postgres") and "postgresql" not in engine:
        pytest.skip("needs PostgreSQL: set DATABASE_URL (CI runs these)")
    if item.get_closest_marker("redis") and not django_settings.REDIS_URL:
        pytest.skip("needs Redis: set REDIS_URL (CI runs these)")


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def demo(db):
    """The seed_demo world: buyer, buyer2, compliance, supplier1…supplier6 and example RFQs."""
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)
    return DemoWorld()


class DemoWorld:
    """Look-ups into the demo data by the names api.md gives them."""

    def user(self, username: str):
        from django.contrib.auth import get_user_model

        return get_user_model().objects.get(username=username)

    def supplier(self, n: int):
        return self.user(f"supplier{n}").supplier

    def client(self, username: str | None):
        """A DRF client authenticated by token as `username` (None: anonymous)."""
        from rest_framework.authtoken.models import Token
        from rest_framework.test import APIClient

        client = APIClient()
        if username:
            token, _ = Token.objects.get_or_create(user=self.user(username))
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client


@pytest.fixture
def api(demo):
    """api("buyer").get(...) — a token-authenticated client per demo user."""
    return demo.client
