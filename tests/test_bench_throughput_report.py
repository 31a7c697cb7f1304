"""bid_throughput.py's report says whether each target is met: issue 17's against pgbench
batched as the Django transaction, the first one against pgbench per statement."""
import sys
from collections import Counter
from pathlib import Path

BENCH = str(Path(__file__).resolve().parent.parent / "bench")
if BENCH not in sys.path:
    sys.path.append(BENCH)  # after the project: bench's packages (harness) shadow nothing

from throughput.report import BATCHED_TARGET_RATIO, reference_lines  # noqa: E402

RUN = {"latency_ms": 40.0, "processed": 7000, "failed": 0}


def ratio_line(tps: float, accepted_s: float, target=BATCHED_TARGET_RATIO) -> str:
    return reference_lines("batched", {**RUN, "tps": tps}, accepted_s, "the Django transaction's round trips",
                           target=target)[-1]


def test_the_batched_ratio_is_judged_against_sixty_percent():
    assert BATCHED_TARGET_RATIO == 0.60
    assert ratio_line(700.0, 455.0).endswith("= 65.0%  (target ≥ 60%: met)")
    assert ratio_line(700.0, 420.0).endswith("= 60.0%  (target ≥ 60%: met)")
    assert ratio_line(800.0, 455.0).endswith("= 56.9%  (target ≥ 60%: MISSED)")


def test_a_reference_without_a_target_gives_its_ratio_alone():
    assert ratio_line(800.0, 455.0, target=None).endswith("= 56.9%")


def test_a_pgbench_run_that_failed_is_reported_as_such():
    assert reference_lines("batched", {"error": "pgbench: not found"}, 455.0, "x", target=0.6) == [
        "pgbench, batched   ERROR: pgbench: not found"]


def pgbench_round(tps: float, processed: int, latency: float = 40.0) -> dict:
    cpu = {"wall": processed / tps, "postgres": 1.0, "busy": 2.0, "total": 3.0}
    return {"tps": tps, "processed": processed, "failed": 1, "latency_ms": latency, "cpu": cpu, "command": "pgbench"}


def test_batched_rounds_combine_over_their_total_time():
    """Three rounds of 5 s: 3 500 + 3 000 + 4 000 transactions in 15 s are 700 tps, not the
    mean of the rounds' tps weighted otherwise; latency is weighted by transactions."""
    from throughput.pgbench import combine_rounds

    combined = combine_rounds([pgbench_round(700.0, 3500, 40.0), pgbench_round(600.0, 3000, 50.0),
                               pgbench_round(800.0, 4000, 30.0)])
    assert combined["tps"] == 700.0 and combined["processed"] == 10500 and combined["failed"] == 3
    assert combined["latency_ms"] == round((40 * 3500 + 50 * 3000 + 30 * 4000) / 10500, 3)
    assert combined["rounds"] == [700.0, 600.0, 800.0]
    assert combined["cpu"] == {"wall": 15.0, "postgres": 3.0, "busy": 6.0, "total": 9.0}


def test_a_failed_round_fails_the_batched_figure():
    from throughput.pgbench import combine_rounds

    assert combine_rounds([pgbench_round(700.0, 3500), {"error": "pgbench failed (1)"}]) == {
        "error": "pgbench failed (1)"}


def test_http_rounds_merge_onto_one_clock_and_each_round_is_reported():
    from throughput.load import LoadResult, Sample, merge_rounds
    from throughput.report import Outcome, round_lines, rounds_note

    def load(accepted: int, wall: float) -> LoadResult:
        samples = [Sample(started=0.1 * n, latency=0.05, status=201, kind="bid") for n in range(accepted)]
        cpu = {"wall": wall, "server": 2.0, "postgres": 1.0, "client": 0.5, "busy": 4.0, "total": 2 * wall}
        return LoadResult(samples, errors=Counter({"x": 1}), cpu=cpu, wall=wall, skipped=0, capped=False,
                          rounds=[(accepted, wall)])

    merged = merge_rounds([load(2500, 5.0), load(2000, 5.0)])
    assert merged.wall == 10.0 and len(merged.samples) == 4500 and merged.errors == Counter({"x": 2})
    assert merged.samples[2500].started == 5.0  # the second round's first sample, after the first round
    assert merged.cpu["server"] == 4.0 and merged.rounds == [(2500, 5.0), (2000, 5.0)]
    outcome = Outcome(load=merged, problems=[], facts={}, server_info="",
                      pg={"batched": {"rounds": [800.0, 500.0]}})
    assert rounds_note(outcome) == " in 2 rounds, each followed by pgbench batched"
    assert round_lines(outcome) == ["             by round (accepted/s / batched tps): "
                                    "500.0 / 800.0 = 62.5%; 400.0 / 500.0 = 80.0%"]
