"""The apps' services, selectors, rules and mechanisms type-check (mypy with django-stubs,
configured in pyproject.toml: [tool.mypy] lists the files).

mypy runs in its own process (its Django plugin sets Django up from config.settings, which
must not touch this process's test settings), with its cache in .mypy_cache (git-ignored):
a first run takes about 20 s on 2 cores, a run with the cache 3 to 5 s. The types do not
depend on the database, so the PostgreSQL run of the suite leaves this to the embedded run,
as test_front_door does, and the two CI runs never write the cache at once.
"""
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

REPO = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(
    "sqlite" not in settings.DATABASES["default"]["ENGINE"],
    reason="the type check does not depend on the database; checked in the embedded run",
)


def test_mypy_finds_nothing():
    result = subprocess.run([sys.executable, "-m", "mypy"], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
