"""What-if simulation speed: runs per second through the real rules, evaluation and allocation.

    .venv/bin/python bench/simulation_speed.py [runs] [bidders] [lines]

Whole-award formats first, then split lines and bundles over `lines` lines (quantity 5 each),
each format on its own with the work the service estimates for it (auctions/simulation/
catalogue.py: whole-award runs; a simulation above INLINE_WORK runs as a task, above MAX_WORK
it is refused) against the time it took, so the estimate's weights can be checked on a
machine. Reported, never asserted (architecture.md "Testing")."""
import os
import sys
import time
from decimal import Decimal

import django

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from auctions.mechanisms import get_mechanism  # noqa: E402
from auctions.simulation.catalogue import run_work  # noqa: E402
from auctions.simulation.engine import Spec, simulate  # noqa: E402

WHOLE = [("SEALED_BID", "FIRST_PRICE"), ("SEALED_BID", "SECOND_PRICE"), ("REVERSE_AUCTION", "FIRST_PRICE")]
LINES = [("SEALED_BID", "FIRST_PRICE"), ("SEALED_BID", "VCG"), ("COMBINATORIAL", "FIRST_PRICE"),
         ("COMBINATORIAL", "VCG")]


def timed(formats, settings, runs: int, bidders: int, lines: int) -> tuple[float, list[dict]]:
    spec = Spec(Decimal("12000.00"), Decimal("0.15"), bidders, runs, 42, formats, "USD", 2, settings=settings,
                quantities=(5,) * lines)
    started = time.perf_counter()
    results = simulate(spec)
    return time.perf_counter() - started, results


def main(runs: int, bidders: int, lines: int) -> None:
    whole = {t: get_mechanism(t).default_settings() for t in ("SEALED_BID", "REVERSE_AUCTION")}
    elapsed, results = timed(WHOLE, whole, runs, bidders, lines)
    print(f"{runs} runs × {len(WHOLE)} whole-award formats, {bidders} bidders: {elapsed:.2f} s, "
          f"{runs * len(WHOLE) / elapsed:,.0f} runs/s")
    for row in results:
        print(f"  {row['auction_type']:16} {row['pricing']:13} expected {row['expected_total']}  "
              f"p5–p95 {row['p5']}–{row['p95']}")
    split = {"SEALED_BID": get_mechanism("SEALED_BID").validate_settings({"award_mode": "SPLIT", "pricing": "VCG"}),
             "COMBINATORIAL": get_mechanism("COMBINATORIAL").default_settings()}
    line_runs = max(1, runs // 50)
    print(f"{line_runs} runs per split or bundle format, {bidders} bidders, {lines} lines:")
    for fmt in LINES:
        elapsed, results = timed([fmt], split, line_runs, bidders, lines)
        row, work = results[0], run_work([fmt], split, bidders, lines)
        print(f"  {fmt[0]:16} {fmt[1]:13} {row['award_mode']:8} {elapsed / line_runs * 1000:8.1f} ms/run  "
              f"estimated work {work:8.1f} ({work * 0.1:7.1f} ms at 0.1 ms per whole run)  "
              f"expected {row['expected_total']}  winners {row['mean_winners']}")


if __name__ == "__main__":
    arguments = [int(a) for a in sys.argv[1:4]]
    defaults = [5000, 6, 3]
    main(*(arguments + defaults[len(arguments):]))
