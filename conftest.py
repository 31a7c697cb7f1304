"""Fixtures shared by every test: fast hashing, private media, the demo world, API clients."""
import os

import pytest
from django.conf import settings as django_settings

from tests import sharding

# Playwright's sync API runs an event loop in the test thread; Django must still allow ORM use.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_configure(config):
    record = os.environ.get("QUAYSIDE_RECORD_DURATIONS")
    if record:
        config.pluginmanager.register(sharding.DurationRecorder(record, _backend()), "quayside-durations")


def _backend() -> str:
    return "postgres" if "postgresql" in django_settings.DATABASES["default"]["ENGINE"] else "embedded"


def pytest_collection_modifyitems(config, items):
    """CI's runs keep their files (tests/sharding.py): QUAYSIDE_CI_ONCE=postgres|embedded, the
    files that run once in CI; QUAYSIDE_TEST_SHARD=k/n, the k-th of n shares of the files."""
    once, shard = os.environ.get("QUAYSIDE_CI_ONCE"), os.environ.get("QUAYSIDE_TEST_SHARD")
    if not (once or shard):
        return
    counts: dict[str, int] = {}
    for item in items:
        path = sharding.relative(item.path)
        counts[path] = counts.get(path, 0) + 1
    kept = sharding.kept_files(counts, once=once, shard=shard, backend=_backend())
    config.hook.pytest_deselected(items=[item for item in items if sharding.relative(item.path) not in kept])
    items[:] = [item for item in items if sharding.relative(item.path) in kept]


def pytest_runtest_setup(item):
    engine = django_settings.DATABASES["default"]["ENGINE"]
    if item.get_closest_marker("postgres") and "postgresql" not in engine:
        pytest.skip("needs PostgreSQL: set DATABASE_URL (CI runs these)")
    if item.get_closest_marker("redis") and not django_settings.REDIS_URL:
        pytest.skip("needs Redis: set REDIS_URL (CI runs these)")


# The audit table refuses DELETE (SQLite) and TRUNCATE (PostgreSQL) — which is also how
# transactional tests empty the database between tests. Only the test flush lifts the guard,
# for the duration of its own statements; every test still runs with the triggers in place.
FLUSH_GUARD = {
    "sqlite": (["DROP TRIGGER IF EXISTS audit_event_no_delete;"], [
        "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_auditevent BEGIN SELECT "
        "RAISE(ABORT, 'audit events are append-only: DELETE refused on audit_auditevent'); END;"]),
    "postgresql": (["ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_no_truncate;"],
                   ["ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_no_truncate;"]),
}


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """The embedded default's test database is a file, as the embedded default itself is.

    Django's default for SQLite tests is an in-memory database with a shared cache, which the
    live-server threads share by table locks: those refuse at once ("database table is
    locked") instead of waiting, so a bid meeting a WebSocket's read answered 500 under load.
    On a file, a writer waits for readers within the busy timeout, as in production."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3" and not database.get("TEST", {}).get("NAME"):
        database.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("database") / "test.sqlite3")


@pytest.fixture(scope="session", autouse=True)
def _flush_lifts_audit_guard():
    from django.db import connection

    ops_class = connection.ops.__class__
    original = ops_class.sql_flush
    before, after = FLUSH_GUARD.get(connection.vendor, ([], []))

    def sql_flush(self, style, tables, **kwargs):
        statements = original(self, style, tables, **kwargs)
        if "audit_auditevent" not in tables or not statements:
            return statements
        return before + statements + after

    ops_class.sql_flush = sql_flush
    yield
    ops_class.sql_flush = original


@pytest.fixture(scope="session", autouse=True)
def _end_stray_database_sessions(django_db_setup, django_db_blocker):
    """Live-server request threads can leave PostgreSQL sessions open; end them so the test
    database can be dropped when the run ends."""
    yield
    from django.db import connection

    if connection.vendor == "postgresql":
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                           "WHERE datname = current_database() AND pid <> pg_backend_pid()")


@pytest.fixture(scope="session", autouse=True)
def _live_server_backlog():
    """The live server's listen backlog is 10: the parallel-client tests open 24+ connections
    at once, and an overflowing backlog answers some of them with a connection reset."""
    from django.core.servers.basehttp import WSGIServer

    WSGIServer.request_queue_size = 128


@pytest.fixture(scope="session", autouse=True)
def _fresh_presence():
    """RFQ ids repeat between runs on a fresh test database; connections a previous run
    recorded in Redis (they expire after 90 s) must not count as present."""
    if django_settings.REDIS_URL:
        import redis

        client = redis.Redis.from_url(django_settings.REDIS_URL)
        keys = list(client.scan_iter("quayside:presence:*"))
        if keys:
            client.delete(*keys)


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from auctions.bidders import BIDDERS

    BIDDERS.clear()  # rows a worker remembered belong to the test that wrote them (rolled back)


def _transactional(item) -> bool:
    names = getattr(item, "fixturenames", ())
    marker = item.get_closest_marker("django_db")
    return ("transactional_db" in names or "live_server" in names
            or bool(marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences"))))


@pytest.fixture(scope="module")
def _demo_world(request, django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo world seeded once per test module instead of once per test.

    seed_demo runs ~900 queries; per test that dominated the suite's run time. The world is
    seeded inside an outer transaction that is rolled back when the module ends, and every
    test still runs in its own savepoint (pytest-django's `db`), so what a test writes is
    undone after it, exactly as if it had seeded its own world. A module holding
    transactional tests (live server, real parallel clients) cannot keep a transaction open
    around them — their flush would undo it — so there every test seeds its own: yields None.
    Yields the media directory holding the world's KYC documents.
    """
    from django.core.management import call_command
    from django.db import transaction
    from django.test import override_settings

    if any(_transactional(item) for item in request.session.items if item.module is request.module):
        yield None
        return
    media = tmp_path_factory.mktemp("demo-media")
    # The autouse `_test_settings` are function-scoped; the world is seeded under the same ones.
    test_settings = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
                                      MEDIA_ROOT=media,
                                      EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
    with django_db_blocker.unblock(), test_settings:
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("seed_demo", "--without-finished-auction", verbosity=0)
            yield media
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def demo(_demo_world, db, settings):
    """The seed_demo world: buyer, buyer2, compliance, supplier1…supplier6 and example RFQs."""
    import shutil

    from django.core.management import call_command

    if _demo_world is None:
        call_command("seed_demo", "--without-finished-auction", verbosity=0)
    else:
        shutil.copytree(_demo_world, settings.MEDIA_ROOT, dirs_exist_ok=True)
    return DemoWorld()


def module_demo() -> "DemoWorld":
    """The demo world for module-scoped fixtures (which cannot request `demo`): request
    `_demo_world` and `django_db_blocker`, and build inside `django_db_blocker.unblock()`."""
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
        return token_client(self.user(username) if username else None)


def token_client(user):
    """A DRF client authenticated by token as `user` (None: anonymous)."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def api(demo):
    """api("buyer").get(...) — a token-authenticated client per demo user."""
    return demo.client


@pytest.fixture
def api_as(db):
    """api_as(user).get(...) — a token-authenticated client for any user (factory-built ones too)."""
    return token_client


@pytest.fixture
def login(demo):
    """login("buyer") → a Django test client signed in as that demo user (None: anonymous)."""
    from django.test import Client

    def make(username: str | None):
        client = Client()
        if username:
            client.force_login(demo.user(username))
        return client
    return make


@pytest.fixture
def suppliers(db):
    """Three supplier users, each of its own verified company qualified for provisions
    (factory-built; a test module may define its own `suppliers`)."""
    from tests.factories import SupplierFactory

    return SupplierFactory.create_batch(3)


@pytest.fixture
def s1(suppliers):
    return suppliers[0]


@pytest.fixture
def s2(suppliers):
    return suppliers[1]
