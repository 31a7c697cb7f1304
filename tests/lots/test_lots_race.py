"""Lots under real parallel HTTP clients on PostgreSQL (issue 15, acceptance "Lots"): many
suppliers bid at once on several lines of one per-line auction. Per line, no two bids are
accepted against the same best of that line — its accepted bids, in the audit trail's order,
form a chain strictly decreasing by the decrement — and the line's stored best and count are
that chain's; across lines there is still exactly one order, the audit trail's."""
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
import requests

from auctions.models import Bid, BidStatus
from audit.models import AuditEvent
from oversight.selectors import audit_verify
from rfqs.models import RFQ, LineItem
from tests.engine.helpers import items
from tests.engine.test_race import extra_bidders, token
from tests.factories import published_rfq
from tests.waiting import wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
EXTRA_SUPPLIERS = 24  # with supplier1…4 of the demo: 28 bidders on 4 lines
RACE_SECONDS = 5.0  # at least; longer (up to MAX_RACE_SECONDS) on a slow machine until
MIN_ACCEPTED = 24  # this many bids were accepted
MAX_RACE_SECONDS = 15.0
DECREMENT = Decimal("1.00")
STARTING_PRICES = [Decimal("5000.00"), Decimal("3000.00"), Decimal("800.00"), Decimal("120.00")]
LINES = [{"description": f"Stores lot {n + 1}", "quantity": "10", "unit": "pcs", "starting_price": str(price)}
         for n, price in enumerate(STARTING_PRICES)]


class Clock:
    """When the race ends: after RACE_SECONDS once MIN_ACCEPTED bids went in, or at the limit."""

    def __init__(self):
        self.started, self.accepted, self.lock = time.monotonic(), 0, threading.Lock()

    def count(self) -> None:
        with self.lock:
            self.accepted += 1

    def running(self) -> bool:
        elapsed = time.monotonic() - self.started
        return elapsed < MAX_RACE_SECONDS and (elapsed < RACE_SECONDS or self.accepted < MIN_ACCEPTED)

    def retry_after(self, response) -> None:
        until = time.monotonic() + float(response.headers.get("Retry-After", 0))
        wait_until(lambda: time.monotonic() >= until or not self.running(), MAX_RACE_SECONDS, "the race never ended")


@pytest.fixture
def lots(live_server, demo):
    """An open per-line reverse auction of four lines (decrement 1.00 each, 60 bids a minute),
    supplier1…4 and EXTRA_SUPPLIERS more taking part."""
    rfq_id = published_rfq(demo, suppliers=(1, 2, 3, 4), accept=(1, 2, 3, 4), reserve_price={"enabled": False},
                           line_items=LINES, auction={"type": "REVERSE_AUCTION", "settings": {
                               "bidding_basis": "PER_LINE", "minimum_decrement": str(DECREMENT),
                               "decrement_type": "AMOUNT", "rate_limit_bids_per_minute": 60}})
    users = [demo.user(f"supplier{n}") for n in (1, 2, 3, 4)]
    users += extra_bidders(rfq_id, demo.user("buyer"), EXTRA_SUPPLIERS)
    return live_server.url, rfq_id, dict(zip(items(rfq_id), STARTING_PRICES, strict=True)), users


def state_best(session, base: str, rfq_id: int, line_id: int, ceiling: Decimal) -> Decimal:
    """The line's best from /state/'s `lines` when it has them, else the ceiling plus one step
    (so the first bid is at most the starting price)."""
    state = session.get(f"{base}/api/v1/rfqs/{rfq_id}/state/", timeout=30)
    assert state.status_code == 200, state.text
    lines = {line["line_item_id"]: line for line in state.json().get("lines", [])}
    leading = lines.get(line_id, {}).get("leading_bid")
    return Decimal(leading) if leading else ceiling + DECREMENT


def bidder(base: str, rfq_id: int, ceilings: dict, headers: dict, start: threading.Barrier, clock: Clock) -> list:
    """Pick a line, bid just below the best this client last saw on it, again and again."""
    rng = random.Random()
    session = requests.Session()
    session.headers.update(headers)
    results, seen = [], {}
    start.wait()
    while clock.running():
        line = rng.choice(list(ceilings))
        if line not in seen:
            seen[line] = state_best(session, base, rfq_id, line, ceilings[line])
        # Mostly exactly at the limit, sometimes a step or a few cents deeper.
        amount = seen[line] - DECREMENT * rng.choice([1, 1, 1, 2, 3]) - rng.choice([Decimal("0"), Decimal("0.01")])
        response = session.post(f"{base}/api/v1/rfqs/{rfq_id}/bids/",
                                json={"line_item_id": line, "amount": str(amount)}, timeout=30)
        body = response.json() if response.headers.get("Content-Type", "").startswith("application/json") else None
        results.append((line, response.status_code, amount, body))
        if response.status_code == 201:
            clock.count()
            seen[line] = Decimal(body["amount"])
        elif response.status_code == 422:
            # Beaten meanwhile: the refusal names the line's best it was judged against.
            bests = [v["metadata"].get("best") for v in body["error"]["violations"] if v["rule"] == "minimum_decrement"]
            if bests:
                seen[line] = Decimal(bests[0]).quantize(Decimal("0.01"))
            else:
                del seen[line]
        else:
            clock.retry_after(response)
    return results


def race(lots) -> list:
    base, rfq_id, ceilings, users = lots
    start = threading.Barrier(len(users))
    headers = [token(user) for user in users]  # made before the clock starts
    clock = Clock()
    with ThreadPoolExecutor(len(users)) as pool:
        outcomes = list(pool.map(lambda h: bidder(base, rfq_id, ceilings, h, start, clock), headers))
    return [call for outcome in outcomes for call in outcome]


def assert_refusals_were_the_contest(calls: list, chains: dict) -> None:
    """Never a 5xx; every 422 a minimum_decrement against a best its own line really had."""
    statuses = {status for _, status, _, _ in calls}
    assert statuses <= {201, 422, 429}, [call for call in calls if call[1] not in (201, 422, 429)][:5]
    for line, status, amount, body in calls:
        if status not in (422, 429):
            continue
        rules = {v["rule"] for v in body["error"]["violations"] if v["severity"] == "block"}
        assert rules <= {"minimum_decrement", "rate_limit", "cool_down"}, body
        if status == 422:
            assert "minimum_decrement" in rules, body
            best = next(Decimal(v["metadata"]["best"]) for v in body["error"]["violations"]
                        if v["rule"] == "minimum_decrement")
            assert best in chains[line], (line, best)  # judged against this line's best, no other's
            assert amount > best - DECREMENT, (amount, best)


def assert_one_order(rfq_id: int, accepted: list, calls: list) -> None:
    """One order across all lines: the audit trail's, one seq per accepted bid, naming its line."""
    events = list(AuditEvent.objects.filter(rfq_id=rfq_id, type="bid.placed").order_by("seq"))
    answered = {body["id"]: body for _, status, _, body in calls if status == 201}
    assert len(answered) == len(accepted) == len(events) >= MIN_ACCEPTED
    assert set(answered) == {bid.pk for bid in accepted}
    assert all(bid.status == BidStatus.ACCEPTED and bid.line_item_id is not None for bid in accepted)
    assert [e.payload["bid_id"] for e in events] == [bid.pk for bid in accepted]
    assert [e.seq for e in events] == [bid.audit_seq for bid in accepted]
    assert len({bid.audit_seq for bid in accepted}) == len(accepted)
    assert [e.payload["line_item_id"] for e in events] == [bid.line_item_id for bid in accepted]
    assert [Decimal(e.payload["amount"]) for e in events] == [bid.amount for bid in accepted]
    assert all(answered[bid.pk]["amount"] == f"{bid.amount:.2f}" for bid in accepted)
    # Time was read under the lock: it never runs backwards along the order.
    assert [bid.submitted_at for bid in accepted] == sorted(bid.submitted_at for bid in accepted)


def test_parallel_bidders_on_several_lines_keep_one_chain_per_line(lots):
    _, rfq_id, ceilings, users = lots
    calls = race(lots)
    accepted = list(Bid.objects.filter(rfq_id=rfq_id).order_by("audit_seq"))
    chains = {line: [bid.amount for bid in accepted if bid.line_item_id == line] for line in ceilings}
    stored = {line.pk: line for line in LineItem.objects.filter(rfq_id=rfq_id)}

    for line, chain in chains.items():
        assert len(chain) >= 2, (line, chain)  # every line saw a contest
        # No two bids accepted against the same best of the line: each beat the one before.
        assert chain[0] <= ceilings[line]
        steps = [previous - current for previous, current in zip(chain, chain[1:], strict=False)]
        assert min(steps) >= DECREMENT, (line, min(steps))
        # The line's stored live state is its chain's.
        last = [bid for bid in accepted if bid.line_item_id == line][-1]
        assert (stored[line].best_amount, stored[line].best_bid_id) == (chain[-1], last.pk)
        assert stored[line].bid_count == len(chain)
    assert_refusals_were_the_contest(calls, chains)
    assert_one_order(rfq_id, accepted, calls)

    rfq = RFQ.objects.get(pk=rfq_id)
    assert rfq.bid_count == len(accepted) and rfq.best_amount is None and rfq.extensions == 0
    seqs = list(AuditEvent.objects.filter(rfq_id=rfq_id).order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    assert audit_verify(rfq_id=rfq_id).ok
    assert len({bid.supplier_id for bid in accepted}) >= 5  # many bidders won a turn
    assert sum(status == 422 for _, status, _, _ in calls) > len(accepted) / 2  # and many lost one
    assert len(users) == 4 + EXTRA_SUPPLIERS
