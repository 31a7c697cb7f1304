"""The demo world seeded once per test module instead of once per test.

seed_demo runs ~900 queries; per test that dominated the API suite's run time. Here a
module-scoped fixture seeds it inside an outer transaction that is rolled back when the
module ends. Every test still runs in its own savepoint (pytest-django's `db`), so what a
test writes is undone after it, exactly as with the root `demo` fixture, whose semantics
the `demo` below keeps: it requests the root fixture, whose (idempotent) seed_demo then
finds everything in place.

Do not mix these with `transactional_db` / `transaction=True` tests in the same module:
flushing the database inside the open outer transaction would undo the world.
"""
import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings


@pytest.fixture(scope="module")
def _demo_world(django_db_setup, django_db_blocker, tmp_path_factory):
    # The root conftest's autouse settings are function-scoped; apply the same ones here.
    test_settings = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        MEDIA_ROOT=tmp_path_factory.mktemp("media"),
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    with django_db_blocker.unblock(), test_settings:
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("seed_demo", "--without-finished-auction", verbosity=0)
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def demo(_demo_world, demo):
    """The root `demo` world (see conftest.py), seeded once for the whole module."""
    return demo


def module_demo():
    """The root conftest's DemoWorld, for module-scoped fixtures (which cannot request `demo`)."""
    from conftest import DemoWorld  # the repository root's conftest.py

    return DemoWorld()
