"""bench/live_auction.py's and bench/soak.py's counting (bench/live/verify.py, plan.py, the
follower that notes replays, harness.stats.slope) notice what they are there to notice: an
event a client never got, got twice or out of order, an extension or a close the audit trail
does not bear out, a bid after the deadline, a 5xx; and a leak's slope. Backend-independent:
plain data, no database."""
import asyncio
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

BENCH = str(Path(__file__).resolve().parent.parent / "bench")
if BENCH not in sys.path:
    sys.path.append(BENCH)  # after the project: bench's packages (harness, live) shadow nothing

from harness.stats import slope  # noqa: E402
from live.bare import BareClient, replay_schedule  # noqa: E402
from live.client import CountingFollower, LiveClient  # noqa: E402
from live.plan import Role, make_roles, snipe_moment  # noqa: E402
from live.verify import (  # noqa: E402
    bid_samples,
    commit_moments,
    live_problems,
    loss_problems,
    losses,
    server_errors,
    summarise,
)
from quayside_client import FollowOptions  # noqa: E402

from tests.ports import free_port  # noqa: E402

DEADLINE = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def run(coroutine):
    """asyncio.run in a thread of its own: in a session with the browser tests, Playwright's
    sync API leaves an event loop running in the test thread, where asyncio.run refuses."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def record(i, start, seqs, **extra):
    return {"i": i, "start": start, "seqs": seqs, "lat": [0.01] * len(seqs), "bids": [], "error": None,
            "closed": True, "recovered": 0, "resumes": 0, "connections": 1, "failures": 0, "duplicates": 0,
            "private": 0, **extra}


def test_every_client_with_every_event_after_its_start_loses_nothing():
    counted = losses([3, 5, 8], [record(0, 2, [3, 5, 8]), record(1, 5, [8])])
    assert counted["lost"] == 0 and counted["expected"] == 4 and loss_problems(counted) == []


def test_a_missing_event_a_repeat_a_reordering_and_an_unknown_seq_are_each_counted():
    counted = losses([3, 5, 8], [record(0, 2, [3, 8]), record(1, 2, [3, 5, 5, 8]), record(2, 2, [5, 3, 8]),
                                 record(3, 2, [3, 5, 8, 9]), record(4, None, [])])
    assert counted["lost"] == 1 + 3  # client 0 missed 5; client 4 never connected and missed all three
    assert counted["clients_with_loss"] == [0, 4]
    assert (counted["duplicates"], counted["out_of_order"], counted["unknown"], counted["never_connected"]) == (1, 2, 1, 1)
    assert len(loss_problems(counted)) == 5
    failed = losses([3], [record(0, 2, [3], error="no auction_closed before the time limit")])
    assert failed["failed"] == 1 and loss_problems(failed)


def facts(**change):
    one = {"at": DEADLINE - timedelta(seconds=10), "old": DEADLINE, "new": DEADLINE + timedelta(seconds=15)}
    base = {"status": "closed", "extensions": 1, "max_extensions": 2, "trigger_seconds": 15,
            "deadline": DEADLINE + timedelta(seconds=15), "initial_deadline": DEADLINE, "extended": [one],
            "closes": [DEADLINE + timedelta(seconds=16)], "accepted": [DEADLINE - timedelta(seconds=1)]}
    return {**base, **change}


def test_the_live_checks_pass_a_consistent_auction_and_flag_each_breach():
    assert live_problems(facts()) == []
    assert live_problems(facts(status="open"))
    assert live_problems(facts(extensions=2))  # the row counts one the audit trail does not hold
    assert live_problems(facts(max_extensions=0))
    assert live_problems(facts(deadline=DEADLINE + timedelta(seconds=30)))  # not the last extension's deadline
    early = {"at": DEADLINE - timedelta(seconds=40), "old": DEADLINE, "new": DEADLINE + timedelta(seconds=15)}
    assert live_problems(facts(extended=[early]))
    assert live_problems(facts(closes=[]))
    assert live_problems(facts(closes=[DEADLINE + timedelta(seconds=16)] * 2))
    assert live_problems(facts(closes=[DEADLINE + timedelta(seconds=5)]))  # before the final deadline
    assert live_problems(facts(accepted=[DEADLINE + timedelta(seconds=20)]))


def test_5xx_in_either_servers_access_log_are_counted():
    lines = ['127.0.0.1 - - [04/Dec/2026:10:00:00 +0000] "POST /api/v1/rfqs/7/bids/ HTTP/1.1" 201 310 "-" "q"',
             '127.0.0.1 - - [04/Dec/2026:10:00:00 +0000] "POST /api/v1/rfqs/7/bids/ HTTP/1.1" 503 10 "-" "q"',
             'INFO:     127.0.0.1:5000 - "GET /ws/rfqs/7/ HTTP/1.1" 500 Internal Server Error',
             'INFO:     127.0.0.1:5000 - "WebSocket /ws/rfqs/7/" [accepted]']
    assert dict(server_errors(lines)) == {"503": 1, "500": 1}


def test_answers_become_samples_and_summaries():
    records = [record(0, 1, [2], bids=[[100.5, 0.05, 201, 9, []], [111.0, 0.02, 422, None, ["minimum_decrement"]]],
                      resumes=1, recovered=1, connections=2),
               record(1, 1, [2], bids=[[101.0, 1.0, 0, None, ["ConnectionFailed"]]])]
    samples = bid_samples(records, 100.0)
    assert [(s.started, s.status, s.bid_id) for s in samples] == [(0.5, 201, 9), (11.0, 422, None), (1.0, 0, None)]
    summary = summarise(records)
    assert summary["bid_latency"] == [0.05, 0.02]  # no answer, no latency
    assert summary["bid_rules"]["minimum_decrement"] == 1
    assert (summary["recovered"], summary["reconnects"], summary["clients_resumed"]) == (1, 1, 1)


def test_a_leak_has_a_slope_and_a_flat_line_none():
    assert slope([1, 2, 3, 4], [100, 102, 104, 106]) == 2.0
    assert slope([1, 2, 3], [50, 50, 50]) == 0.0
    assert slope([1], [50]) != slope([1], [50])  # NaN: one cycle tells nothing


def test_the_plan_is_seeded_and_keeps_its_shares():
    tokens = [f"t{i}" for i in range(200)]
    roles = make_roles(tokens, bidders=0.25, react=0.5, snipers=0.5, window_start=1000.0, seconds=60, burst=15, seed=3)
    assert roles == make_roles(tokens, bidders=0.25, react=0.5, snipers=0.5, window_start=1000.0, seconds=60,
                               burst=15, seed=3)
    bidders = [r for r in roles if r.bidder]
    assert len(bidders) == 50 and not any(r.sniper or r.opening_at for r in roles if not r.bidder)
    assert all(1000.0 <= r.opening_at <= 1000.0 + 22.5 for r in bidders)
    import random

    assert all(1985.0 <= snipe_moment(2000.0, 15, random.Random(n)) <= 1999.0 for n in range(50))


class Socket:
    def __init__(self):
        self.sent = []

    async def send(self, text):
        self.sent.append(text)


def test_the_follower_counts_as_recovered_only_what_first_came_in_a_resume_answer():
    client = SimpleNamespace(clock=SimpleNamespace(observe=lambda value: None))
    follower = CountingFollower(client, 7, since=None, options=FollowOptions())

    def take(*messages):
        return [e for m in messages for e in follower._take(m)]

    take({"type": "state", "seq": 10}, {"type": "bid_placed", "seq": 12, "prev_seq": 10})
    take({"type": "bid_placed", "seq": 15, "prev_seq": 13})  # 13 missing: a gap
    run(follower._send_resume(Socket()))
    events = take({"type": "bid_placed", "seq": 13, "prev_seq": 12}, {"type": "bid_placed", "seq": 15, "prev_seq": 13},
                  {"type": "state", "seq": 15}, {"type": "bid_placed", "seq": 16, "prev_seq": 15})
    assert [e.seq for e in events if e.type == "bid_placed"] == [13, 15, 16]
    assert follower.replayed == {13}  # 15 came live first, 16 after the replay's state


def test_a_quiet_resume_and_a_gap_resume_are_told_apart_and_live_news_is_not_recovered():
    client = SimpleNamespace(clock=SimpleNamespace(observe=lambda value: None))
    follower = CountingFollower(client, 7, since=None, options=FollowOptions())
    follower._take({"type": "state", "seq": 10})
    run(follower._send_resume(Socket()))  # nothing missing: a keep-alive resume
    follower._take({"type": "state", "seq": 10})
    follower._take({"type": "bid_placed", "seq": 14, "prev_seq": 12})  # 12 missing
    run(follower._send_resume(Socket()))
    for message in ({"type": "bid_placed", "seq": 16, "prev_seq": 14}, {"type": "bid_placed", "seq": 12, "prev_seq": 10},
                    {"type": "state", "seq": 16}):
        follower._take(message)
    assert follower.reasons == {"quiet": 1, "gap": 1}
    assert follower.replayed == {12}  # 16 is newer than anything seen at the resume: it came live


def test_delivery_is_the_bids_and_the_other_live_events_are_counted_apart():
    """The bare baseline replays the accepted bids only: the headline delivery latency is
    theirs; a close's (whose `at` is stamped where the close begins) is reported by type."""
    records = [record(0, 1, [2, 3, 4]), record(1, 1, [2, 4])]
    records[0]["lat"] = [0.010, 0.020, 0.300]
    records[1]["lat"] = [0.012, 0.250]
    summary = summarise(records, {2: "bid.placed", 3: "deadline.extended", 4: "rfq.close"})
    assert sorted(summary["delivery"]) == [0.010, 0.012]
    assert summary["delivery_other"] == {"deadline.extended": [0.020], "rfq.close": [0.300, 0.250]}
    assert sorted(summarise(records)["delivery"]) == [0.010, 0.012, 0.020, 0.250, 0.300]  # bare: all are bids


def test_delivery_from_the_commit_takes_off_what_came_before_the_commit_and_only_where_it_is_known():
    lines = ["127.0.0.1 - - \"POST /api/v1/rfqs/7/bids/ HTTP/1.1\" 201 310",
             "committed 1764930000.004000 rfq 7 seqs 2,3", "committed 1764930000.100000 rfq 8 seqs 4",
             "committed 1764930001.250000 rfq 7 seqs 5"]
    assert commit_moments(lines, 7) == {2: 1764930000.004, 3: 1764930000.004, 5: 1764930001.25}
    records = [record(0, 1, [2, 3, 5, 6]), record(1, 1, [2, 6])]
    records[0]["lat"] = [0.010, 0.020, 0.030, 0.040]
    records[1]["lat"] = [0.012, 0.050]
    types = {2: "bid.placed", 3: "deadline.extended", 5: "bid.placed", 6: "bid.placed"}
    summary = summarise(records, types, {2: 0.004, 3: 0.004, 5: 0.001})  # 6: its publish was not logged
    assert sorted(round(x, 6) for x in summary["delivery_from_commit"]) == [0.006, 0.008, 0.029]
    assert sorted(summary["delivery"]) == [0.010, 0.012, 0.030, 0.040, 0.050]  # from `at`: every bid
    bare = summarise(records)
    assert bare["delivery_from_commit"] == bare["delivery"]  # the bare server's broadcast is its commit


def test_the_bare_replay_carries_each_bids_extension_and_ranks_as_the_quayside_run_delivered_them():
    """live.bare.replay_schedule: by send time; a refused bid is not broadcast and carries no
    ranks; an accepted one carries the clients that got a rank_changed naming its seq."""
    records = [record(0, 0, [], bids=[[10.0, 0.02, 201, 7, []], [12.0, 0.02, 422, None, ["minimum_decrement"]]],
                      ranks=[30]),
               record(1, 0, [], bids=[[11.0, 0.02, 201, 8, []]], ranks=[30, 31]),
               record(2, 0, [], ranks=[31])]
    schedule = replay_schedule(records, {7: 30, 8: 31}, extending={8})
    assert schedule == [[10.0, 0, True, [0, 1], False], [11.0, 1, True, [1, 2], True], [12.0, 0, False, [], False]]
    bids_only = replay_schedule(records, {}, set())
    assert [row[3:] for row in bids_only] == [[[], False]] * 3


def test_the_bare_server_sends_the_same_messages_to_the_clients_named():
    """bench/live/bare.py --same-messages: every client gets the shaped bid_placed (its latency
    counted), every one the extension, and only the named ones a rank_changed."""
    port = free_port()
    server = subprocess.Popen([sys.executable, str(Path(BENCH) / "live" / "bare.py"), str(port), "--same-messages"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout.readline().strip() == "ready"

        async def scenario():
            clients = [BareClient(i, f"ws://127.0.0.1:{port}/") for i in range(3)]
            tasks = [asyncio.ensure_future(c.run(time.time() + 20)) for c in clients]
            await asyncio.wait_for(asyncio.gather(*(c.ready.wait() for c in clients)), timeout=10)
            await clients[0].bid_at(time.time(), True, [1, 2], True)
            await asyncio.sleep(0.3)
            for c in clients:
                c.stop()
            await asyncio.gather(*tasks)
            return [c.record() for c in clients]

        got = run(scenario())
    finally:
        server.kill()
        server.wait(timeout=10)
    assert [r["seqs"] for r in got] == [[1], [1], [1]]
    assert [r["private"] for r in got] == [0, 1, 1]
    assert all(0 <= r["lat"][0] < 5 for r in got) and got[0]["bids"][0][2] == 201


def test_a_client_records_its_ranks_seqs_and_only_a_bidder_follows_the_leading_bid():
    """What the bare replay joins (the seq each rank_changed names) is recorded by every
    client; a watcher records the events' seqs and latencies and nothing a bidder needs."""
    def client(bidder):
        return LiveClient(Role(i=1, token="t", bidder=bidder, react=0.0, sniper=False, opening_at=None, seed=1),
                          http="http://x", ws="http://x", rfq_id=1, burst=15.0)

    at = "2026-12-04T12:00:00Z"
    for bidder in (False, True):
        c = client(bidder)
        c.on_event("bid_placed", {"seq": 4, "at": at, "leading_bid": "990.00"}, False)
        c.on_event("rank_changed", {"seq": 4, "at": at, "private": True, "your_rank": 3}, True)
        assert c.seqs == [4] and len(c.latencies) == 1 and c.ranks == [4]
        assert (c.leading is not None) is bidder
