"""bid_throughput.py's report says whether each target is met: issue 17's against pgbench
batched as the Django transaction, the first one against pgbench per statement."""
import sys
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
