"""bench/fanout.py's subscribers (bench/harness/subscribers.py) follow the chain as api.md asks
and its verification notices what it is there to notice: an event lost, delivered twice or not
expected; a gap or a `resync` answered by one resume, and what that resume brought counted as
recovered. A checker that passed everything would make the benchmark's "0 lost" worthless."""
import sys
from pathlib import Path

BENCH = str(Path(__file__).resolve().parent.parent / "bench")
if BENCH not in sys.path:
    sys.path.append(BENCH)  # after the project: bench's packages (harness) shadow nothing

from harness.subscribers import Follower, verify  # noqa: E402

AT = "2026-12-04T12:00:00Z"


def event(seq, prev, kind="bid_placed", **extra):
    return {"type": kind, "seq": seq, "prev_seq": prev, "rfq": 1, "at": AT, **extra}


def test_an_unbroken_chain_is_accepted_with_its_latencies():
    sub = Follower()
    assert sub.offer({"type": "state", "seq": 10}, 0) is None
    for seq in (11, 12, 13):
        assert sub.offer(event(seq, seq - 1), 1_796_385_600.5) is None
    assert sub.bid_seqs == [11, 12, 13] and sub.latencies == [0.5] * 3 and sub.resumes == 0
    assert verify(sub.bid_seqs, {9, 11, 12, 13}, sub.start_seq) == {"lost": 0, "duplicated": 0, "unexpected": 0}


def test_a_gap_asks_for_one_resume_and_the_replay_is_counted_as_recovered():
    sub = Follower()
    sub.offer({"type": "state", "seq": 10}, 0)
    sub.offer(event(11, 10), 0)
    assert sub.offer(event(14, 13), 0) == {"type": "resume", "since": 11}  # 12 and 13 missing
    assert sub.offer(event(15, 14), 0) is None  # still waiting for the replay: no second resume
    for seq in (12, 13, 14, 15):  # the replay
        sub.offer(event(seq, seq - 1), 0)
    sub.offer({"type": "state", "seq": 15}, 0)
    sub.offer(event(15, 14), 0)  # a live copy of what the replay brought: skipped
    sub.offer(event(16, 15, kind="deadline_extended"), 0)  # part of the chain, not a bid
    sub.offer(event(17, 16), 0)
    assert sub.bid_seqs == [11, 12, 13, 14, 15, 17] and sub.recovered == 4 and sub.resumes == 1
    assert sub.stale == 1 and not sub.resuming


def test_resync_asks_for_a_resume_and_private_messages_stay_out_of_the_chain():
    sub = Follower()
    sub.offer({"type": "state", "seq": 3}, 0)
    assert sub.offer({"type": "rank_changed", "private": True, "seq": 9, "rfq": 1, "at": AT, "your_rank": 1}, 0) is None
    assert sub.offer({"type": "resync"}, 0) == {"type": "resume", "since": 3}
    assert sub.resyncs == 1 and sub.bid_seqs == []


def test_the_bare_server_cannot_resume_so_a_gap_is_just_a_loss():
    sub = Follower(can_resume=False)
    sub.offer({"type": "hello"}, 0)
    for seq in (1, 2, 4):
        assert sub.offer({"type": "bid_placed", "seq": seq, "prev_seq": seq - 1, "sent": 0.0}, 0.01) is None
    assert verify(sub.bid_seqs, {1, 2, 3, 4}, sub.start_seq) == {"lost": 1, "duplicated": 0, "unexpected": 0}


def test_verify_flags_lost_duplicated_and_unexpected_events():
    assert verify([11, 12, 12, 20], {5, 11, 12, 13}, 10) == {"lost": 1, "duplicated": 1, "unexpected": 1}
