"""Gap detection and dedupe: whatever arrives, in whatever order and however often, each
public event comes out exactly once and in seq order (api.md "WebSocket": seq, prev_seq,
private events)."""
import random

from quayside_client import Sequencer


def event(seq, prev, kind="bid_placed", **extra):
    return {"type": kind, "seq": seq, "prev_seq": prev, "rfq": 1, "at": "2026-12-01T10:00:00Z", **extra}


def state(seq, status="open", **extra):
    return {"type": "state", "rfq": 1, "seq": seq, "status": status, "server_time": "2026-12-01T10:00:00Z", **extra}


def private(seq, rank):
    return {"type": "rank_changed", "private": True, "seq": seq, "rfq": 1, "your_rank": rank}


# Live events at seqs 3, 4, 7, 9, 12: the seqs between belong to audit events that are not
# live (a refused bid, a checkpoint), so they are no loss.
CHAIN = [event(3, 0), event(4, 3), event(7, 4), event(9, 7), event(12, 9, "auction_closed", status="closed")]


def seqs(events, kind=None):
    return [e.seq for e in events if e.type != "state" and not e.private and (kind is None or e.type == kind)]


def feed(sequencer, messages):
    out = []
    for message in messages:
        out += sequencer.offer(message)
    return out


def test_events_in_order_pass_through_and_jumps_in_seq_alone_are_no_gap():
    sequencer = Sequencer(since=0)
    assert seqs(feed(sequencer, CHAIN)) == [3, 4, 7, 9, 12]
    assert not sequencer.needs_resume and sequencer.finished


def test_a_repeated_event_is_dropped():
    sequencer = Sequencer(since=0)
    assert seqs(feed(sequencer, CHAIN[:3] + CHAIN[1:3] + CHAIN[3:])) == [3, 4, 7, 9, 12]
    assert sequencer.duplicates == 2


def test_a_gap_asks_for_a_resume_and_holds_later_events_until_the_replay_fills_it():
    sequencer = Sequencer(since=0)
    out = feed(sequencer, [CHAIN[0], CHAIN[2], CHAIN[3]])  # 4 was lost
    assert seqs(out) == [3]
    assert sequencer.has_gap and sequencer.needs_resume and sequencer.last_seq == 3
    sequencer.resume_sent()
    assert not sequencer.needs_resume  # one resume at a time
    # The replay after 3, then the state; 7 and 9 arrive twice (held, then replayed).
    out = feed(sequencer, [CHAIN[1], CHAIN[2], CHAIN[3], state(10)])
    assert seqs(out) == [4, 7, 9]
    assert not sequencer.has_gap and not sequencer.needs_resume


def test_without_since_the_first_state_is_the_starting_point():
    sequencer = Sequencer()
    # A message can come before the state (held): the state covers seq 7 already.
    out = feed(sequencer, [CHAIN[2], state(8), CHAIN[3], CHAIN[4]])
    assert [e.type for e in out] == ["state", "bid_placed", "auction_closed"]
    assert seqs(out) == [9, 12]


def test_a_later_state_never_moves_the_starting_point():
    # An event committed between a replay and the state read may still be on its way.
    sequencer = Sequencer(since=4)
    out = feed(sequencer, [state(8), CHAIN[2]])
    assert seqs(out) == [7]


def test_resync_from_the_server_asks_for_a_resume():
    sequencer = Sequencer(since=0)
    feed(sequencer, CHAIN[:2])
    assert not sequencer.needs_resume
    sequencer.offer({"type": "resync"})
    assert sequencer.needs_resume and not sequencer.finished
    sequencer.resume_sent()
    sequencer.offer(state(5))
    assert not sequencer.needs_resume


def test_private_events_follow_their_public_event_once_and_take_no_part_in_the_chain():
    sequencer = Sequencer(since=0)
    out = feed(sequencer, [CHAIN[0], private(4, 2), CHAIN[1], private(4, 2), CHAIN[2]])
    assert [(e.type, e.seq) for e in out] == [("bid_placed", 3), ("bid_placed", 4), ("rank_changed", 4),
                                              ("bid_placed", 7)]
    assert not sequencer.needs_resume


def test_the_auction_is_finished_only_when_nothing_is_missing():
    sequencer = Sequencer(since=0)
    feed(sequencer, [CHAIN[0], CHAIN[4]])  # the close came, the events before it did not
    assert sequencer.status is None or not sequencer.finished
    assert sequencer.needs_resume
    sequencer.resume_sent()
    out = feed(sequencer, CHAIN[1:] + [state(12, status="closed")])
    assert seqs(out) == [4, 7, 9, 12] and sequencer.finished


def test_pong_error_and_unknown_messages_are_ignored():
    sequencer = Sequencer(since=0)
    assert feed(sequencer, [{"type": "pong"}, {"type": "error", "error": {}}, {"no": "type"}]) == []


def test_any_arrival_order_with_losses_and_repeats_ends_as_the_chain():
    """Random deliveries: events dropped, repeated and reordered; whenever the sequencer asks,
    a resume replays everything after its last seq. The output is always the chain."""
    chain, prev = [], 0
    for seq in range(5, 400, 3):
        chain.append(event(seq, prev))
        prev = seq
    for seed in range(200):
        rng = random.Random(seed)
        sequencer, out = Sequencer(since=0), []
        wire = [m for m in chain if rng.random() > 0.2] + rng.sample(chain, 15)
        rng.shuffle(wire)
        for message in wire:
            out += sequencer.offer(message)
            if sequencer.needs_resume and rng.random() < 0.3:
                sequencer.resume_sent()
                out += feed(sequencer, [m for m in chain if m["seq"] > sequencer.last_seq][:rng.randint(0, 40)])
                out += sequencer.offer(state(sequencer.last_seq))
        sequencer.resume_sent()
        out += feed(sequencer, [m for m in chain if m["seq"] > sequencer.last_seq])
        assert seqs(out) == [m["seq"] for m in chain], seed


def test_a_state_that_says_closed_is_not_the_end_while_events_before_the_close_are_missing():
    # Polling: the events were read before the last bids, the state after the close.
    sequencer = Sequencer(since=0)
    feed(sequencer, CHAIN[:2] + [state(14, status="closed")])
    assert not sequencer.finished
    feed(sequencer, CHAIN[2:])
    assert sequencer.finished


def test_following_an_auction_that_closed_before_is_over_at_once():
    sequencer = Sequencer()
    assert [e.type for e in sequencer.offer(state(14, status="awarded"))] == ["state"]
    assert sequencer.finished
