"""Check 3, second half: the RFQ row and its bids against the state rebuilt from the events.

The one module of the audit app that reads procurement's and auctions' tables for
verification (audit sits below those apps: it reads their rows here, never calls their
code). A difference is reported at the event whose record the table contradicts, or at the
stream's last seq when no event accounts for the row (changed without an event).
"""
from __future__ import annotations

from collections import Counter
from decimal import Decimal

from auctions.models import AwardLine, AwardPayment, Bid
from audit.chain import Problem, normalise_payload
from common.money import format_money
from rfqs.models import RFQ, LineItem

from .replay import AuctionState, BidFacts, replay

RFQ_FIELDS = {"status": "status", "bidding_deadline": "deadline", "extensions": "extension count",
              "bid_count": "bid count", "best_amount": "best amount", "best_bid_id": "best bid",
              "awarded_bid_id": "awarded bid"}
BID_FIELDS = ["id", "supplier_id", "version", "submitted_at", "amount", "sealed_commitment", "status"]


def rfq_exists(rfq_id: int) -> bool:
    return RFQ.objects.filter(pk=rfq_id).exists()


def rfq_ids() -> list[int]:
    return list(RFQ.objects.values_list("pk", flat=True))


def _comparable(value, currency: str):
    """Both sides as the events carry them: times as their JSON text, money at the currency's digits."""
    if isinstance(value, Decimal):
        return format_money(value, currency)
    return normalise_payload({"v": value})["v"]


def _rfq_problems(rfq: RFQ, state: AuctionState, stream: str) -> list[Problem]:
    problems = []
    for name, label in RFQ_FIELDS.items():
        stored, expected = (_comparable(v, rfq.currency) for v in (getattr(rfq, name), state.values[name]))
        if stored != expected:
            seq = state.set_at.get(name, state.last_seq)
            problems.append(Problem(seq, "state", f"the RFQ row's {label} is {stored}, the events say {expected} "
                                                  f"(as of seq {seq})", stream))
    return problems


def _line_problems(rfq: RFQ, state: AuctionState, stream: str) -> list[Problem]:
    """Per-line bidding (lots): each line's best and count against the events' (lines no bid named are
    left alone: their live state is empty)."""
    problems = []
    for line in LineItem.objects.filter(rfq_id=rfq.pk, pk__in=state.lines).order_by("position"):
        expected = state.lines[line.pk]
        for name, label in (("best_amount", "best amount"), ("best_bid_id", "best bid"), ("bid_count", "bid count")):
            stored, wanted = (_comparable(v, rfq.currency) for v in (getattr(line, name), expected[name]))
            if stored != wanted:
                problems.append(Problem(expected["seq"], "state", f"line {line.pk}'s {label} is {stored}, the events "
                                                                  f"say {wanted} (as of seq {expected['seq']})", stream))
    return problems


def _money(value, currency: str) -> str | None:
    """An amount from either side (a Decimal column, a decimal string of an event) at the currency's digits."""
    return None if value in (None, "") else format_money(Decimal(str(value)), currency)


def _number(value) -> str | None:
    return None if value in (None, "") else format(Decimal(str(value)).normalize(), "f")


LINE_WORDS = ("supplier", "bid", "line", "quantity", "unit price", "amount", "bundle")
PAYMENT_WORDS = ("supplier", "bid", "pay as bid", "payment")


def _differences(what: str, words: tuple[str, ...], stored: list[tuple], recorded: list[tuple], seq: int,
                 stream: str) -> list[Problem]:
    def said(row: tuple) -> str:
        return ", ".join(f"{word} {value}" for word, value in zip(words, row, strict=True) if value is not None)

    extra, missing = Counter(stored) - Counter(recorded), Counter(recorded) - Counter(stored)
    return [*(Problem(seq, "state", f"the award tables hold {what} ({said(row)}) that the award event (seq {seq}) "
                                    "does not record", stream) for row in sorted(extra, key=repr)),
            *(Problem(seq, "state", f"the award event (seq {seq}) records {what} ({said(row)}) that the award "
                                    "tables do not hold", stream) for row in sorted(missing, key=repr))]


def _award_rows(rfq: RFQ) -> tuple[list[tuple], list[tuple]]:
    currency = rfq.currency
    lines = [(s, b, line, _number(q), _money(u, currency), _money(a, currency), bundle)
             for s, b, line, q, u, a, bundle in AwardLine.objects.filter(rfq_id=rfq.pk).values_list(
                 "supplier_id", "bid_id", "line_item_id", "quantity", "unit_price", "amount", "bundle")]
    paid = [(s, b, _money(p, currency), _money(q, currency)) for s, b, p, q in AwardPayment.objects.filter(
        rfq_id=rfq.pk).values_list("supplier_id", "bid_id", "pay_as_bid", "payment")]
    return lines, paid


def _award_problems(rfq: RFQ, state: AuctionState, stream: str) -> list[Problem]:
    """The stored award (its lines and what each winner is paid) against the award's event: the
    allocation and payments it records, or for a whole award its bid, total and payment."""
    lines, paid = _award_rows(rfq)
    award, seq, currency = state.award, state.award_seq, rfq.currency
    if award is None:
        if lines or paid:
            return [Problem(state.last_seq, "state", f"the award tables hold {len(lines)} line(s) and {len(paid)} "
                                                     "payment(s), but no rfq.award event records an award", stream)]
        return []
    if award.get("mode") == "allocation":
        expected_lines = [(a.get("supplier_id"), a.get("bid_id"), a.get("line_item_id"), _number(a.get("quantity")),
                           _money(a.get("unit_price"), currency), _money(a.get("amount"), currency), a.get("bundle"))
                          for a in award.get("allocation", [])]
        expected_paid = [(p.get("supplier_id"), p.get("bid_id"), _money(p.get("pay_as_bid"), currency),
                          _money(p.get("payment"), currency)) for p in award.get("payments", [])]
    else:  # one bid won the whole RFQ: its lines are the bid's own, as the quote has them
        winner = (award.get("supplier_id"), award.get("bid_id"))
        expected_lines = [line for line in lines if line[:2] == winner]
        payment = _money(award["payment"], currency) if "payment" in award else (paid[0][3] if paid else None)
        expected_paid = [(*winner, _money(award.get("total"), currency), payment)]
    return (_differences("a line", LINE_WORDS, lines, expected_lines, seq, stream)
            + _differences("a payment", PAYMENT_WORDS, paid, expected_paid, seq, stream))


def _bid_problems(row: dict, facts: BidFacts | None, currency: str, last_seq: int, stream: str) -> list[Problem]:
    if facts is None:
        return [Problem(last_seq, "state", f"bid {row['id']} is in the bids table, but no event records it", stream)]
    recorded = {"supplier_id": facts.supplier_id, "version": facts.version, "submitted_at": facts.submitted_at,
                "amount": facts.amount, "sealed_commitment": facts.commitment, "status": facts.status}
    return [Problem(facts.seq, "state", f"bid {row['id']}'s {name} is {stored} in the bids table, "
                                        f"{expected} in the events (placed at seq {facts.seq})", stream)
            for name, value in recorded.items()
            if (stored := _comparable(row[name], currency)) != (expected := _comparable(value, currency))]


def state_problems(rfq_id: int, events: list, stream: str) -> list[Problem]:
    """Every difference between the tables and the events of RFQ `rfq_id`'s stream."""
    state = replay(events)
    rfq = RFQ.objects.filter(pk=rfq_id).first()
    if rfq is None:
        return [Problem(state.last_seq, "state", f"the events record RFQ {rfq_id}, but its row is missing",
                        stream)] if state.created else []
    if not state.created:
        return [Problem(1, "state", f"RFQ {rfq_id} exists, but no rfq.created event records it", stream)]
    problems = _rfq_problems(rfq, state, stream) + _line_problems(rfq, state, stream) + _award_problems(rfq, state, stream)
    rows = {row["id"]: row for row in Bid.objects.filter(rfq_id=rfq_id).values(*BID_FIELDS)}
    for bid_id, row in rows.items():
        problems += _bid_problems(row, state.bids.get(bid_id), rfq.currency, state.last_seq, stream)
    problems += [Problem(facts.seq, "state", f"bid {bid_id}, placed at seq {facts.seq}, is missing from the "
                                             "bids table", stream)
                 for bid_id, facts in state.bids.items() if bid_id not in rows]
    return problems
