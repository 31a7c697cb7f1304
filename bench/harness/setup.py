"""The scratch database and the environment every Django process of a benchmark runs with."""
from __future__ import annotations

import fcntl
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
VENV_BIN = Path(sys.executable).parent
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432"

_LOCKS = []


class SetupError(RuntimeError):
    """The run could not start (no PostgreSQL, no pgbench, server did not come up…)."""


def check_scratch_targets(parser, args) -> None:
    """--db and --redis-url name what the run drops and empties: refuse anything else early."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", args.db) or args.db in ("postgres", "template0", "template1"):
        parser.error("--db must be a plain lower-case name of a scratch database")
    if not re.fullmatch(r"redis://[^/]+/\d+", args.redis_url):
        parser.error("--redis-url must name a database number (it is emptied): redis://host:port/N")


def bench_env(args, tmpdir: Path) -> dict[str, str]:
    """The environment of every Django process of the run (manage.py, servers, this one)."""
    url = f"{args.pg_url}/{args.db}"
    if args.conn_max_age is not None:
        url += f"?conn_max_age={args.conn_max_age}"
    env = dict(os.environ)
    for name in ("DJANGO_ENV", "DJANGO_SETTINGS_MODULE", "DEBUG", "CONN_MAX_AGE"):
        env.pop(name, None)
    env.update({
        "DATABASE_URL": url,
        "REDIS_URL": args.redis_url,
        "DEBUG": "False",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        # seed_demo writes KYC PDFs: keep them out of the work tree.
        "MEDIA_ROOT": str(tmpdir / "media"),
        "PYTHONUNBUFFERED": "1",
        # This tree's code, whatever the virtualenv's editable install points at.
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH", "")])),
        # Invitations e-mail on commit during setup; nothing in the bid path sends mail.
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
    })
    return env


def hold_database_lock(db: str) -> None:
    """One run per scratch database at a time: a second run would drop the first one's."""
    handle = open(Path(tempfile.gettempdir()) / f"quayside-bench-{db}.lock", "w")  # noqa: SIM115 (held to exit)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        raise SetupError(f"another benchmark run is using database {db} (pass --db to use another)") from None
    _LOCKS.append(handle)


def recreate_database(args) -> None:
    import psycopg

    try:
        with psycopg.connect(f"{args.pg_url}/postgres", autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{args.db}"')
    except psycopg.OperationalError as exc:
        raise SetupError(f"PostgreSQL is not reachable at {args.pg_url}: {exc}") from None


def manage(env: dict, *command: str) -> None:
    result = subprocess.run([sys.executable, "manage.py", *command], cwd=REPO, env=env,
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise SetupError(f"manage.py {' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")


def django_setup(env: dict) -> None:
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "REDIS_URL", "DEBUG", "DJANGO_SETTINGS_MODULE",
                                            "MEDIA_ROOT", "EMAIL_BACKEND")})
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    import django

    django.setup()


def prepare(args, tmpdir: Path, *, say=lambda message: None) -> dict[str, str]:
    """Lock, drop and recreate `args.db`, migrate, seed the demo, set Django up in this process;
    returns the environment for the run's other Django processes. `say` gets the progress."""
    hold_database_lock(args.db)
    env = bench_env(args, tmpdir)
    say(f"[setup] recreating database {args.db}")
    recreate_database(args)
    say("[setup] migrate + seed_demo")
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "seed_demo")
    django_setup(env)
    return env
