"""What-if simulation speed: runs per second through the real rules and evaluation.

    .venv/bin/python bench/simulation_speed.py [runs] [bidders]

Reported, never asserted (architecture.md "Testing")."""
import os
import sys
import time
from decimal import Decimal

import django

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from auctions.mechanisms import get_mechanism  # noqa: E402
from auctions.simulation.engine import Spec, simulate  # noqa: E402

FORMATS = [("SEALED_BID", "FIRST_PRICE"), ("SEALED_BID", "SECOND_PRICE"), ("REVERSE_AUCTION", "FIRST_PRICE")]


def main(runs: int, bidders: int) -> None:
    settings = {t: get_mechanism(t).default_settings() for t in ("SEALED_BID", "REVERSE_AUCTION")}
    spec = Spec(Decimal("12000.00"), Decimal("0.15"), bidders, runs, 42, FORMATS, "USD", 2, settings=settings)
    started = time.perf_counter()
    results = simulate(spec)
    elapsed = time.perf_counter() - started
    print(f"{runs} runs × {len(FORMATS)} formats, {bidders} bidders: {elapsed:.2f} s, "
          f"{runs * len(FORMATS) / elapsed:,.0f} runs/s")
    for row in results:
        print(f"  {row['auction_type']:16} {row['pricing']:13} expected {row['expected_total']}  "
              f"p5–p95 {row['p5']}–{row['p95']}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000, int(sys.argv[2]) if len(sys.argv) > 2 else 6)
