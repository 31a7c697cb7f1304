"""Which test files a CI run keeps: its backend's once-only files and its share (.ci/run).

CI runs the suite on PostgreSQL + Redis and on the embedded default, each as two shares side
by side (QUAYSIDE_TEST_SHARD=k/n), and QUAYSIDE_CI_ONCE=postgres|embedded says which run
this is. Some files need to run only once there:
- files whose tests touch no database, cache, channel layer or server (pure computations:
  mechanisms, rules over in-memory stand-ins, money; lint, types, the layering, the client's
  unit tests) give the same result on both: they run in the embedded run;
- the production settings' checks are about a deployment, which runs PostgreSQL: they run
  in the PostgreSQL run;
- the in-process schema fuzz (test_schema_fuzz_smoke.py) is the embedded default's fuzz: on
  PostgreSQL + Redis the full fuzz (test_schema_fuzz.py) sends every operation more examples,
  over HTTP, with the smoke's checks among its own, so the smoke runs in the embedded run;
- each browser journey runs once, the journeys dealt between the two runs so that both end
  together, and both backends carry pages in Chromium.
Without these variables (the README's command as anyone runs it) every file runs.

Shares are dealt by the seconds each file took in a CI run on each backend, kept in
`tests/durations.json`; a file not in it is estimated from its test count. To refresh the
figures, run the suite with QUAYSIDE_RECORD_DURATIONS=DIR (.ci/run does: it says where),
then `python tests/sharding.py DIR`.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DURATIONS = Path(__file__).with_name("durations.json")
BACKEND_INDEPENDENT = (
    "auctions/tests/allocation/", "auctions/tests/test_evaluation_", "auctions/tests/test_mechanisms.py",
    "auctions/tests/test_rules_", "auctions/tests/test_bid_input_parse.py", "tests/test_bench_lean_http.py",
    "auctions/simulation/tests/test_engine.py", "auctions/simulation/tests/test_allocations.py",
    "auctions/simulation/tests/test_equilibrium.py", "common/tests/test_money.py", "common/tests/test_local_format.py",
    "common/tests/test_charts.py", "common/tests/test_errors.py", "oversight/tests/test_gaming_detectors.py",
    "tests/architecture/", "tests/test_lint.py", "tests/test_types.py", "tests/api/test_leak_helper.py",
    "tests/test_front_door.py", "clients/python/tests/", "tests/test_bench_fanout_verify.py",
    "tests/test_bench_live.py", "tests/test_sharding.py",
)
POSTGRES_ONCE = ("tests/api/test_production_settings.py",)
EMBEDDED_ONCE = ("tests/api/test_schema_fuzz_smoke.py",)  # PostgreSQL runs the full fuzz
BROWSER = "tests/browser/"
CI_RUNS = ("postgres", "embedded")
SECONDS_PER_TEST = 0.4  # a file not measured yet
BROWSER_FILE_SECONDS = 12  # a journey file not measured yet


def relative(path) -> str:
    return os.path.relpath(str(path), ROOT).replace(os.sep, "/")


def measured() -> dict[str, dict[str, float]]:
    try:
        return json.loads(DURATIONS.read_text())
    except (OSError, ValueError):
        return {}


def file_seconds(path: str, tests: int, backend: str, durations: dict[str, dict[str, float]]) -> float:
    """What a file takes on a backend: measured, else the other backend's figure, else estimated."""
    for run in (backend, *CI_RUNS):
        if path in durations.get(run, {}):
            return durations[run][path]
    estimate = tests * SECONDS_PER_TEST
    return max(estimate, BROWSER_FILE_SECONDS) if path.startswith(BROWSER) else estimate


def ci_run_of(path: str, browser_deal: dict[str, str]) -> str | None:
    """The one CI run a file belongs to, or None: both."""
    if path.startswith(BACKEND_INDEPENDENT) or path in EMBEDDED_ONCE:
        return "embedded"
    if path in POSTGRES_ONCE:
        return "postgres"
    return browser_deal.get(path)


def browser_deal(counts: dict[str, int], durations) -> dict[str, str]:
    """Browser files dealt heaviest first to the run with less to do so far (the same deal in
    both runs: both collect the same files). Each run starts with what it runs anyway."""
    loads = [sum(file_seconds(path, tests, run, durations) for path, tests in counts.items()
                 if not path.startswith(BROWSER) and ci_run_of(path, {}) in (None, run)) for run in CI_RUNS]
    deal = {}
    browser = [path for path in counts if path.startswith(BROWSER)]
    for path in sorted(browser, key=lambda p: (-file_seconds(p, counts[p], "postgres", durations), p)):
        run = loads.index(min(loads))
        loads[run] += file_seconds(path, counts[path], CI_RUNS[run], durations)
        deal[path] = CI_RUNS[run]
    return deal


def shares(counts: dict[str, int], n: int, backend: str, durations) -> list[set[str]]:
    """Whole files (a module's fixtures built once), heaviest first to the lightest share."""
    loads, dealt = [0.0] * n, [set() for _ in range(n)]
    for path in sorted(counts, key=lambda p: (-file_seconds(p, counts[p], backend, durations), p)):
        share = loads.index(min(loads))
        loads[share] += file_seconds(path, counts[path], backend, durations)
        dealt[share].add(path)
    return dealt


def kept_files(counts: dict[str, int], *, once: str | None, shard: str | None, backend: str) -> set[str]:
    """The files this run keeps, of those collected (relative path → number of tests)."""
    durations = measured()
    if once:
        assert once in CI_RUNS, f"QUAYSIDE_CI_ONCE is one of {CI_RUNS}"
        deal = browser_deal(counts, durations)
        counts = {path: tests for path, tests in counts.items() if ci_run_of(path, deal) in (None, once)}
    if not shard:
        return set(counts)
    k, n = (int(part) for part in shard.split("/"))
    return shares(counts, n, backend, durations)[k - 1]


class DurationRecorder:
    """Adds up each file's setup, call and teardown seconds; written when the session ends."""

    def __init__(self, directory: str, backend: str):
        self.directory, self.backend, self.seconds = Path(directory), backend, {}

    def pytest_runtest_logreport(self, report):
        path = report.location[0].replace(os.sep, "/")
        self.seconds[path] = self.seconds.get(path, 0.0) + report.duration

    def pytest_sessionfinish(self, session):
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"{self.backend}-{os.getpid()}.json"
        (self.directory / name).write_text(json.dumps({self.backend: self.seconds}))


def merge(directory: str) -> dict[str, dict[str, float]]:
    """tests/durations.json updated with every file's figure recorded in DIRECTORY."""
    durations = measured()
    for recorded in sorted(Path(directory).glob("*.json")):
        for backend, seconds in json.loads(recorded.read_text()).items():
            durations.setdefault(backend, {}).update({path: round(value, 1) for path, value in seconds.items()})
    return {backend: dict(sorted(files.items())) for backend, files in sorted(durations.items())}


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python tests/sharding.py DIR  (DIR: a run's QUAYSIDE_RECORD_DURATIONS)")
    DURATIONS.write_text(json.dumps(merge(sys.argv[1]), indent=1) + "\n")
    print(f"updated {relative(DURATIONS)}")
