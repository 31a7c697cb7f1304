"""Each live publish can log its commit moment (`quayside.live.commits` at DEBUG, off by
default): bench/live_auction.py measures delivery from it, and reads exactly this line."""
from __future__ import annotations

import logging
import sys
import time
from pathlib import Path
from types import SimpleNamespace

from common import realtime

BENCH = str(Path(__file__).resolve().parents[2] / "bench")
if BENCH not in sys.path:
    sys.path.append(BENCH)  # after the project: bench's packages shadow nothing

from live.verify import commit_moments  # noqa: E402


def test_a_publish_logs_when_its_events_committed_in_the_line_the_benchmark_reads(caplog, settings):
    settings.REDIS_URL = ""  # delivered in-process: nothing listens here
    family = realtime.LiveFamily("commit-log-test", {}, lambda event: [])
    events = [SimpleNamespace(rfq_id=41, seq=seq, stream="rfq:41") for seq in (17, 18)]
    before = time.time()
    with caplog.at_level(logging.DEBUG, logger="quayside.live.commits"):
        realtime._publish([(family, event) for event in events])
    lines = [r.getMessage() for r in caplog.records if r.name == "quayside.live.commits"]
    moments = commit_moments(lines, 41)
    assert sorted(moments) == [17, 18] and moments[17] == moments[18]
    assert before - 0.001 <= moments[17] <= time.time()
    assert commit_moments(lines, 42) == {}


def test_the_commit_log_is_off_unless_asked_for():
    assert not logging.getLogger("quayside.live.commits").isEnabledFor(logging.DEBUG)
