"""Every benchmark's main() runs through bench/harness/runner.py: whatever ends the run (its own
status, a setup error, Ctrl-C or SIGTERM), what it started is stopped, last started first, and
its logs are kept exactly when the run failed or they were asked for."""
import os
import signal
import sys
from pathlib import Path

import pytest

BENCH = str(Path(__file__).resolve().parent.parent / "bench")
if BENCH not in sys.path:
    sys.path.append(BENCH)  # after the project: bench's packages (harness) shadow nothing

from harness.runner import run_main  # noqa: E402
from harness.setup import SetupError  # noqa: E402


@pytest.fixture(autouse=True)
def restore_signals():
    saved = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    yield
    signal.signal(signal.SIGTERM, saved[0])
    signal.signal(signal.SIGINT, saved[1])


def run(outcome, *, keep_logs=False):
    """Run a body that starts two things, writes a log and then ends by `outcome`."""
    seen = {"stopped": []}

    def body(tmpdir: Path, on_exit) -> int:
        seen["tmpdir"] = tmpdir
        on_exit(lambda: seen["stopped"].append("servers"))
        on_exit(lambda: seen["stopped"].append("clients"))
        (tmpdir / "server.log").write_text("log")
        if isinstance(outcome, int):
            return outcome
        if outcome == "sigterm":
            os.kill(os.getpid(), signal.SIGTERM)
        raise outcome

    status = run_main("quayside-test-runner-", body, keep_logs=keep_logs)
    return status, seen


@pytest.mark.parametrize(("outcome", "status"), [
    (0, 0), (1, 1), (SetupError("no database"), 2), (KeyboardInterrupt(), 130), ("sigterm", 130)])
def test_whatever_ends_the_run_everything_started_is_stopped_last_first(outcome, status, capsys):
    got, seen = run(outcome)
    assert got == status
    assert seen["stopped"] == ["clients", "servers"]
    kept = seen["tmpdir"].exists()
    assert kept == (status != 0)  # the logs of a failed run stay, and where they are is printed
    assert (f"[logs] {seen['tmpdir']}" in capsys.readouterr().err) == kept
    if kept:
        assert (seen["tmpdir"] / "server.log").read_text() == "log"
        for path in seen["tmpdir"].iterdir():
            path.unlink()
        seen["tmpdir"].rmdir()


def test_logs_are_kept_when_asked_even_after_success():
    status, seen = run(0, keep_logs=True)
    assert status == 0 and (seen["tmpdir"] / "server.log").exists()
    (seen["tmpdir"] / "server.log").unlink()
    seen["tmpdir"].rmdir()


def test_an_unexpected_error_propagates_after_stopping_and_keeping_the_logs():
    with pytest.raises(RuntimeError):
        run(RuntimeError("bench bug"))


@pytest.mark.parametrize(("db", "redis_url", "ok"), [
    ("quayside_bench", "redis://127.0.0.1:6379/13", True),
    ("postgres", "redis://127.0.0.1:6379/13", False),  # never drop a real database
    ("Bad-Name", "redis://127.0.0.1:6379/13", False),
    ("quayside_bench", "redis://127.0.0.1:6379", False),  # no database number: FLUSHDB would hit 0
])
def test_only_a_scratch_database_and_a_numbered_redis_database_are_accepted(db, redis_url, ok):
    import argparse

    from harness.setup import check_scratch_targets

    parser = argparse.ArgumentParser()
    args = argparse.Namespace(db=db, redis_url=redis_url)
    if ok:
        check_scratch_targets(parser, args)
    else:
        with pytest.raises(SystemExit):
            check_scratch_targets(parser, args)
