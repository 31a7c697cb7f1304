"""bench/sealed_burst.py's verification (bench/sealed/verify.py) notices what it is there to
notice: a quote answered 201 but not stored, opened twice or not at all, opened to another
total than sent, a superseded version ranked, a standing one not ranked, a late quote accepted.
A checker that passed everything would make the benchmark's "0 violations" worthless."""
import sys
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

BENCH = str(Path(__file__).resolve().parent.parent / "bench")
if BENCH not in sys.path:
    sys.path.append(BENCH)  # after the project: bench's packages (harness, sealed) shadow nothing

from sealed.burst import Answer  # noqa: E402
from sealed.plan import Submission  # noqa: E402
from sealed.verify import opening, ranking, responses, stored, versions  # noqa: E402

DEADLINE = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def world():
    """Supplier 0 quotes twice (bid 1 superseded by bid 2), supplier 1 once (bid 3)."""
    plan = [Submission(n=n, supplier=s, token="t", kind=kind, at=0.0, prices=("1.00",), total=total, key=f"k{n}")
            for n, (s, kind, total) in enumerate([(0, "first", "100.00"), (0, "revision", "97.00"),
                                                  (1, "first", "120.00")])]
    answers = [Answer(n=n, supplier=sub.supplier, kind=sub.kind, scheduled=0, taken=0, sent=0, finished=0,
                      latency=0.1, status=201, bid_id=n + 1) for n, sub in enumerate(plan)]
    at = [DEADLINE - timedelta(seconds=s) for s in (30, 10, 20)]
    bids = {pk: {"id": pk, "supplier_id": s, "version": v, "status": st, "amount": Decimal(total),
                 "submitted_at": t, "opened_at": DEADLINE, "sealed_commitment": f"c{pk}", "audit_seq": pk}
            for pk, s, v, st, total, t in [(1, 0, 1, "superseded", "100.00", at[0]), (2, 0, 2, "accepted", "97.00", at[1]),
                                           (3, 1, 1, "accepted", "120.00", at[2])]}
    placed = [{"seq": pk, "type": "bid.placed", "payload": {"bid_id": pk, "commitment": f"c{pk}"}} for pk in bids]
    quotes = [{"bid_id": pk, "status": b["status"], "total": str(b["amount"])} for pk, b in bids.items()]
    return plan, answers, bids, placed, quotes


def accepted_of(answers):
    return {a.bid_id: a for a in answers if a.status == 201}


def test_a_consistent_run_passes():
    plan, answers, bids, placed, quotes = world()
    by_n = {s.n: s for s in plan}
    ranked = [{"payload": {"rankings": [{"bid_id": 2, "total": "97.00", "rank": 1},
                                        {"bid_id": 3, "total": "120.00", "rank": 2}]}}]
    assert responses(answers) == []
    assert stored(bids, accepted_of(answers), answers, {"bid.placed": placed}) == []
    assert versions(bids, SimpleNamespace(bidding_deadline=DEADLINE)) == []
    assert opening(bids, [{"payload": {"quotes": quotes}}], accepted_of(answers), by_n) == []
    assert ranking({2, 3}, ranked, {"rankings": [{"bid_id": 2}, {"bid_id": 3}], "recommended_bid_id": 2}) == ([], 2)


def test_each_kind_of_loss_or_double_count_is_a_violation():
    plan, answers, bids, placed, quotes = world()
    by_n = {s.n: s for s in plan}
    lost = {pk: b for pk, b in bids.items() if pk != 3}
    assert stored(lost, accepted_of(answers), answers, {"bid.placed": placed})  # answered 201, not stored
    assert opening(bids, [{"payload": {"quotes": quotes + quotes[:1]}}], accepted_of(answers), by_n)  # opened twice
    assert opening(bids, [{"payload": {"quotes": quotes[1:]}}], accepted_of(answers), by_n)  # one never opened
    assert opening(bids, [], accepted_of(answers), by_n)  # no opening at all
    wrong = {**bids, 2: {**bids[2], "amount": Decimal("96.00")}}
    assert opening(wrong, [{"payload": {"quotes": quotes}}], accepted_of(answers), by_n)  # not what was sent
    superseded_ranked = [{"payload": {"rankings": [{"bid_id": 1, "total": "100.00", "rank": 1},
                                                   {"bid_id": 3, "total": "120.00", "rank": 2}]}}]
    assert ranking({2, 3}, superseded_ranked, None)[0]
    assert ranking({2, 3}, [{"payload": {"rankings": [{"bid_id": 2, "total": "97.00", "rank": 1}]}}], None)[0]
    both_standing = {**bids, 1: {**bids[1], "status": "accepted"}}
    assert versions(both_standing, SimpleNamespace(bidding_deadline=DEADLINE))
    late = Answer(n=9, supplier=1, kind="late", scheduled=0, taken=0, sent=0, finished=0, latency=0.1, status=201,
                  bid_id=9)
    assert responses([*answers, late])
