"""Each gaming detector on synthetic bid streams (product.md §5): the pattern raises exactly
its own alert with the bids as evidence; an honest stream of the same size raises nothing."""
from dataclasses import replace
from decimal import Decimal

import pytest

from oversight.gaming.base import DETECTORS, AlertSeverity
from oversight.gaming.services import gaming_detect

from .gaming_streams import at, fact, honest_bids, on, stream


def found(facts):
    return [(name, f) for name, f in gaming_detect(facts)]


def only(facts, detector):
    """The findings, asserting that every one of them is `detector`'s."""
    findings = found(facts)
    assert findings and {name for name, _ in findings} == {detector}, findings
    return [f for _, f in findings]


def ids(evidence_bids):
    return [b["id"] for b in evidence_bids]


def test_every_pattern_of_the_spec_has_a_detector():
    assert set(DETECTORS) == {"shared_ip_or_device", "bid_cycling", "withdrawal_abuse", "last_second_flooding",
                              "bot_reaction_timing", "identical_prices", "cover_bids"}


def test_an_honest_auction_raises_nothing():
    assert found(stream(honest_bids())) == []


def test_two_suppliers_on_one_ip_address_is_high():
    bids = on(on(honest_bids(), 2, ip="198.51.100.9"), 4, ip="198.51.100.9")
    [finding] = only(stream(bids), "shared_ip_or_device")
    assert (finding.key, finding.severity, finding.supplier_ids) == ("ip:198.51.100.9", "HIGH", [2, 4])
    shared = [b for b in bids if b.supplier_id in (2, 4)]
    assert ids(finding.evidence["bids"]) == [b.id for b in shared]
    assert {b["ip"] for b in finding.evidence["bids"]} == {"198.51.100.9"}
    assert finding.evidence["bids"][0]["at"] == shared[0].at.isoformat()
    assert "Triton" in finding.summary and "Proteus" in finding.summary


def test_two_suppliers_on_one_device_is_high():
    bids = on(on(honest_bids(), 1, fingerprint="fp-shared"), 3, fingerprint="fp-shared")
    [finding] = only(stream(bids), "shared_ip_or_device")
    assert (finding.key, finding.severity, finding.supplier_ids) == ("fingerprint:fp-shared", "HIGH", [1, 3])
    assert ids(finding.evidence["bids"]) == [b.id for b in bids if b.supplier_id in (1, 3)]
    assert {b["fingerprint"] for b in finding.evidence["bids"]} == {"fp-shared"}


def test_a_fingerprint_derived_from_a_shared_browser_build_is_not_evidence():
    # The client sent none, so the server derived one from the user agent: every supplier on
    # the same browser version has it. Only a client-sent fingerprint identifies a device.
    derived = "ua:0123456789abcdef0123456789abcdef"
    bids = on(on(honest_bids(), 1, fingerprint=derived), 3, fingerprint=derived)
    assert found(stream(bids)) == []


def test_loopback_addresses_are_not_evidence():
    # Every supplier on one host (the embedded default, a demo) shares 127.0.0.1 and the browser,
    # which sends no fingerprint: the server derives the same one for all.
    derived = "ua:0123456789abcdef0123456789abcdef"
    bids = [b for s in (1, 2, 3, 4) for b in on(honest_bids(), s, ip="127.0.0.1", fingerprint=derived)
            if b.supplier_id == s]
    assert found(stream(bids)) == []


def test_a_shared_device_is_evidence_whatever_the_address():
    # Behind a proxy that does not pass the client's address on, every bid comes from loopback;
    # a device fingerprint the client sent still identifies one machine.
    bids = [replace(b, ip="127.0.0.1") for b in on(honest_bids(), 3, fingerprint="fp-1")]
    [alert] = only(stream(bids), "shared_ip_or_device")
    assert alert.severity == AlertSeverity.HIGH and alert.supplier_ids == [1, 3]
    assert alert.evidence["fingerprint"] == "fp-1"


def cycling(step: str):
    """Poseidon and Triton taking turns ten times, at irregular pauses, in steps of `step` %."""
    gaps, bids, seconds, amount = [0, 41, 9, 73, 18, 55, 27, 88, 14, 62], [], 0, Decimal("10000")
    for n, gap in enumerate(gaps, start=1):
        seconds += gap
        amount = (amount * (1 - Decimal(step) / 100)).quantize(Decimal("0.01"))
        bids.append(fact(n, 1 if n % 2 else 2, amount, seconds))
    return bids


def test_alternating_in_minimal_steps_is_cycling():
    bids = cycling("0.1")
    [finding] = only(stream(bids), "bid_cycling")
    assert (finding.key, finding.severity, finding.supplier_ids) == ("suppliers:1,2", "MEDIUM", [1, 2])
    assert finding.evidence["run_length"] == 10 and finding.evidence["median_step_pct"] <= 0.5
    assert ids(finding.evidence["bids"]) == [b.id for b in bids]
    assert [b["at"] for b in finding.evidence["bids"]] == [b.at.isoformat() for b in bids]


def test_two_rivals_trading_real_price_moves_is_not_cycling():
    assert found(stream(cycling("2.5"))) == []


def test_repeated_withdrawals_with_quick_rebids():
    bids = honest_bids() + [
        fact(101, 3, "8050", 1000, status="withdrawn", withdrawn_at=at(1010)),
        fact(102, 3, "8040", 1040, status="withdrawn", withdrawn_at=at(1050)),
        fact(103, 3, "8020", 1100)]
    [finding] = only(stream(bids), "withdrawal_abuse")
    assert (finding.key, finding.severity, finding.supplier_ids) == ("supplier:3", "MEDIUM", [3])
    cycles = finding.evidence["cycles"]
    assert (finding.evidence["withdrawals"], finding.evidence["quick_rebids"]) == (2, 2)
    assert [(c["withdrawn"]["id"], c["rebid"]["id"], c["rebid_after_seconds"]) for c in cycles] == [
        (101, 102, 30.0), (102, 103, 50.0)]
    assert cycles[0]["withdrawn"]["withdrawn_at"] == at(1010).isoformat()


def test_one_withdrawal_is_a_correction():
    bids = honest_bids() + [fact(101, 3, "8050", 1000, status="withdrawn", withdrawn_at=at(1010)),
                            fact(102, 3, "8040", 1040)]
    assert found(stream(bids)) == []


def test_a_burst_in_the_final_seconds_is_flooding():
    deadline = at(1000)
    late = [fact(200 + n, 4, str(8090 - 10 * n), 1000 - s) for n, s in enumerate([8, 6.5, 5, 3.2, 2, 0.5])]
    [finding] = only(stream(honest_bids() + late, deadline=deadline), "last_second_flooding")
    assert (finding.key, finding.severity, finding.supplier_ids) == ("supplier:4", "LOW", [4])
    assert ids(finding.evidence["bids"]) == [b.id for b in late]
    assert finding.evidence["seconds_before_deadline"] == [8.0, 6.5, 5.0, 3.2, 2.0, 0.5]
    assert finding.evidence["late_bids"] == 6


def test_a_few_last_minute_bids_are_not_flooding():
    deadline = at(1000)
    late = [fact(201, 4, "8090", 991), fact(202, 1, "8080", 995), fact(203, 4, "8070", 998)]
    assert found(stream(honest_bids() + late, deadline=deadline)) == []


def reactive(delays):
    """Rivals bid at irregular times; Triton answers each after `delays[i]` seconds."""
    rivals, pauses = [1, 3, 4, 1, 3, 4], [0, 40, 95, 17, 60, 130]
    steps, bids, seconds, amount, n = [37, 52, 41, 66, 29, 48], [], 0, Decimal("10000"), 0
    for rival, pause, delay, step in zip(rivals, pauses, delays, steps, strict=True):
        seconds, amount, n = seconds + pause + (delay if n else 0), amount - 120, n + 1
        bids.append(fact(n * 2 - 1, rival, amount, seconds))
        bids.append(fact(n * 2, 2, amount - step, seconds + delay))
        seconds += delay
        amount -= step
    return bids


def test_answering_every_rival_after_the_same_delay_is_a_bot():
    bids = reactive([2.1, 2.05, 2.2, 1.95, 2.15, 2.0])
    [finding] = only(stream(bids), "bot_reaction_timing")
    assert (finding.key, finding.severity, finding.supplier_ids) == ("supplier:2", "LOW", [2])
    pairs = finding.evidence["pairs"]
    assert [(p["trigger"]["id"], p["reaction"]["id"], p["delay_seconds"]) for p in pairs] == [
        (1, 2, 2.1), (3, 4, 2.05), (5, 6, 2.2), (7, 8, 1.95), (9, 10, 2.15), (11, 12, 2.0)]
    assert finding.evidence["spread_seconds"] <= 0.5 and finding.evidence["reactions"] == 6


def test_a_person_answering_quickly_but_unevenly_is_not_a_bot():
    assert found(stream(reactive([3, 11, 6.5, 19, 2, 14]))) == []


def test_identical_quotes_from_different_suppliers():
    quotes = [fact(1, 1, "9500.00", 0), fact(2, 2, "9730.00", 50), fact(3, 3, "9500.0000", 90),
              fact(4, 4, "9615.00", 130)]
    [finding] = only(stream(quotes), "identical_prices")
    assert (finding.key, finding.severity, finding.supplier_ids) == ("amount:9500", "MEDIUM", [1, 3])
    assert ids(finding.evidence["bids"]) == [1, 3]
    assert finding.evidence["amount"] == "9500"


def test_distinct_quotes_are_not_identical():
    quotes = [fact(1, 1, "9500.00", 0), fact(2, 2, "9730.00", 50), fact(3, 3, "9512.40", 90),
              fact(4, 4, "9615.00", 130)]
    assert found(stream(quotes)) == []


def test_a_bid_landing_on_a_withdrawn_amount_is_not_identical():
    # Triton withdraws 9500; the best reverts to 9600 and Nereus's minimum step lands on 9500.
    bids = [fact(1, 1, "9600.00", 0), fact(2, 2, "9500.00", 40, status="withdrawn", withdrawn_at=at(70)),
            fact(3, 3, "9500.00", 95)]
    assert [name for name, _ in found(stream(bids))] == []


def sealed_revisions(cover_amounts):
    """Poseidon wins with three revisions; Triton's three quotes are `cover_amounts`."""
    winner = [fact(1, 1, "9000", 0, status="superseded"), fact(4, 1, "8800", 600, status="superseded"),
              fact(7, 1, "8700", 1200)]
    triton = [fact(2, 2, cover_amounts[0], 100, status="superseded"),
              fact(5, 2, cover_amounts[1], 700, status="superseded"), fact(8, 2, cover_amounts[2], 1300)]
    nereus = [fact(3, 3, "9400", 300, status="superseded"), fact(6, 3, "9200", 900)]
    return winner + triton + nereus


def test_a_loser_always_just_above_the_winner_is_a_cover():
    bids = sealed_revisions(["9050", "8840", "8760"])
    [finding] = only(stream(bids), "cover_bids")
    assert (finding.key, finding.severity, finding.supplier_ids) == ("supplier:2,leader:1", "MEDIUM", [2, 1])
    covers = finding.evidence["covers"]
    assert [(c["bid"]["id"], c["leader_amount"]) for c in covers] == [(2, "9000"), (5, "8800"), (8, "8700")]
    assert [c["gap_pct"] for c in covers] == [pytest.approx(0.5556, abs=1e-4), pytest.approx(0.4545, abs=1e-4),
                                              pytest.approx(0.6897, abs=1e-4)]
    assert finding.evidence["leader"]["bid_id"] == 7


def test_a_loser_competing_for_real_is_not_a_cover():
    assert found(stream(sealed_revisions(["9350", "9100", "8950"]))) == []


def test_the_leaders_revised_quote_replaces_its_earlier_one_even_when_dearer():
    # Poseidon revises 8500 up to 8700; Triton's quotes stay just above whatever Poseidon's stood at.
    winner = [fact(1, 1, "8500", 0, status="superseded"), fact(4, 1, "8700", 600)]
    triton = [fact(2, 2, "8540", 100, status="superseded"), fact(5, 2, "8740", 700, status="superseded"),
              fact(8, 2, "8760", 1300)]
    nereus = [fact(3, 3, "9400", 300)]
    [finding] = only(stream(winner + triton + nereus), "cover_bids")
    assert [c["leader_amount"] for c in finding.evidence["covers"]] == ["8500", "8700", "8700"]
