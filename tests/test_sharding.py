"""CI's split of the suite (tests/sharding.py): together the four runs are the whole suite."""
from tests import sharding

COUNTS = {
    "tests/api/test_schema_fuzz.py": 1, "tests/api/test_production_settings.py": 8,
    "tests/api/test_schema_fuzz_smoke.py": 40, "tests/test_lint.py": 2,
    "tests/browser/test_a_journey.py": 1, "tests/browser/test_b_journey.py": 2, "tests/browser/test_new.py": 1,
    "tests/engine/test_sealed.py": 21, "tests/new/test_unmeasured.py": 30, "auctions/tests/allocation/test_x.py": 4,
}
DURATIONS = {
    "postgres": {"tests/api/test_schema_fuzz.py": 90.0, "tests/engine/test_sealed.py": 25.0,
                 "tests/browser/test_a_journey.py": 20.0},
    "embedded": {"tests/engine/test_sealed.py": 18.0, "tests/browser/test_b_journey.py": 15.0},
}


def kept(once, shard, monkeypatch):
    monkeypatch.setattr(sharding, "measured", lambda: DURATIONS)
    return sharding.kept_files(COUNTS, once=once, shard=shard, backend=once or "postgres")


def test_the_four_runs_hold_every_file_and_each_share_a_file_once(monkeypatch):
    runs = {(once, k): kept(once, f"{k}/2", monkeypatch) for once in sharding.CI_RUNS for k in (1, 2)}
    for once in sharding.CI_RUNS:
        assert not runs[once, 1] & runs[once, 2]
    assert set().union(*runs.values()) == set(COUNTS)
    postgres, embedded = runs["postgres", 1] | runs["postgres", 2], runs["embedded", 1] | runs["embedded", 2]
    assert "tests/test_lint.py" in embedded - postgres  # touches no backend: once, embedded
    assert "tests/api/test_production_settings.py" in postgres - embedded
    assert "tests/api/test_schema_fuzz_smoke.py" in embedded - postgres  # the full fuzz runs on PostgreSQL
    assert "tests/api/test_schema_fuzz.py" in postgres  # marked postgres: skipped in the embedded run
    assert {"tests/engine/test_sealed.py", "tests/new/test_unmeasured.py"} <= postgres & embedded
    browser = {path for path in COUNTS if path.startswith(sharding.BROWSER)}
    assert not browser & postgres & embedded and browser <= postgres | embedded


def test_without_the_variables_every_file_runs(monkeypatch):
    assert kept(None, None, monkeypatch) == set(COUNTS)


def test_a_file_takes_its_backend_figure_then_the_other_then_an_estimate():
    assert sharding.file_seconds("tests/engine/test_sealed.py", 21, "embedded", DURATIONS) == 18.0
    assert sharding.file_seconds("tests/browser/test_b_journey.py", 2, "postgres", DURATIONS) == 15.0
    assert sharding.file_seconds("tests/new/test_unmeasured.py", 30, "postgres", DURATIONS) == 12.0
    assert sharding.file_seconds("tests/browser/test_new.py", 1, "postgres", DURATIONS) == 12


def test_shares_are_balanced_by_the_measured_seconds():
    counts = {f"t/test_{n}.py": 1 for n in range(6)}
    durations = {"postgres": {f"t/test_{n}.py": seconds for n, seconds in enumerate([50, 40, 30, 20, 10, 10])}}
    first, second = sharding.shares(counts, 2, "postgres", durations)
    assert sorted(sum(durations["postgres"][path] for path in share) for share in (first, second)) == [80, 80]


def test_recorded_figures_merge_into_the_file(tmp_path, monkeypatch):
    monkeypatch.setattr(sharding, "measured", lambda: {"postgres": {"a.py": 1.0, "b.py": 2.0}})
    recorder = sharding.DurationRecorder(str(tmp_path), "postgres")

    class Report:
        def __init__(self, path, duration):
            self.location, self.duration = (path, 1, "test"), duration

    for report in (Report("b.py", 0.25), Report("b.py", 1.0), Report("c.py", 3.0)):
        recorder.pytest_runtest_logreport(report)
    recorder.pytest_sessionfinish(None)
    assert sharding.merge(str(tmp_path)) == {"postgres": {"a.py": 1.0, "b.py": 1.2, "c.py": 3.0}}
