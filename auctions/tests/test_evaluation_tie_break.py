"""Tie-breaking chain and fallbacks, reserve status, second-price payment, port distance."""
import math
import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from auctions.evaluation import Quote, break_ties, great_circle_km, rank, reserve_status, winner_payment
from auctions.evaluation.quotes import EARTH_RADIUS_KM

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def quote(bid_id, total="100.00", **fields):
    fields.setdefault("submitted_at", T0)
    return Quote(bid_id=bid_id, supplier_id=100 + bid_id, supplier_name=f"S{bid_id}", total=Decimal(total), **fields)


# For each criterion, a winner and a loser differing only there. The winner always has the
# higher bid id, so ordering by id (the default listing) can never pass for the criterion.
DECIDERS = {
    "earliest_submission": ({"submitted_at": T0}, {"submitted_at": T0 + timedelta(seconds=1)}),
    "higher_tier": ({"tier": "GOLD"}, {"tier": "SILVER"}),
    "better_performance": ({"performance_score": Decimal("91.50")}, {"performance_score": Decimal("91.49")}),
    "closer_to_port": ({"port_distance_km": 120.0}, {"port_distance_km": 950.0}),
    "more_items_quoted": ({"items_quoted": 5, "items_total": 5}, {"items_quoted": 4, "items_total": 5}),
}


@pytest.mark.parametrize("name", DECIDERS)
def test_each_criterion_decides_when_it_separates(name):
    winner_fields, loser_fields = DECIDERS[name]
    loser, winner = quote(1, **loser_fields), quote(2, **winner_fields)
    for given in ([loser, winner], [winner, loser]):
        result = break_ties(given, [name], "manual_selection", seed=1)
        assert [q.bid_id for q in result.ordered] == [2, 1]
        assert (result.applied, result.decided_by, result.seed, result.tied_bid_ids) == (True, name, None, [1, 2])


@pytest.mark.parametrize("name", DECIDERS)
def test_a_criterion_that_does_not_separate_passes_to_the_next(name):
    # Equal on `name` (both keep its default); the next criterion in the chain decides for bid 2.
    following = "higher_tier" if name != "higher_tier" else "better_performance"
    winner_fields, loser_fields = DECIDERS[following]
    result = break_ties([quote(1, **loser_fields), quote(2, **winner_fields)], [name, following],
                        "manual_selection", seed=1)
    assert [q.bid_id for q in result.ordered] == [2, 1]
    assert result.decided_by == following


def test_higher_tier_orders_gold_silver_bronze_pending():
    quotes = [quote(i, tier=t) for i, t in enumerate(["PENDING", "BRONZE", "GOLD", "SILVER"], start=1)]
    result = break_ties(quotes, ["higher_tier"], "random", seed=0)
    assert [q.tier for q in result.ordered] == ["GOLD", "SILVER", "BRONZE", "PENDING"]


def test_an_unknown_port_distance_comes_last():
    result = break_ties([quote(1, port_distance_km=None), quote(2, port_distance_km=12000.0)],
                        ["closer_to_port"], "manual_selection", seed=0)
    assert [q.bid_id for q in result.ordered] == [2, 1]


def test_the_chain_order_is_respected():
    early_silver = quote(1, submitted_at=T0, tier="SILVER")
    late_gold = quote(2, submitted_at=T0 + timedelta(hours=1), tier="GOLD")
    first = break_ties([early_silver, late_gold], ["earliest_submission", "higher_tier"], "random", seed=3)
    second = break_ties([early_silver, late_gold], ["higher_tier", "earliest_submission"], "random", seed=3)
    assert ([q.bid_id for q in first.ordered], first.decided_by) == ([1, 2], "earliest_submission")
    assert ([q.bid_id for q in second.ordered], second.decided_by) == ([2, 1], "higher_tier")


def test_decided_by_names_the_criterion_that_singled_out_the_top():
    # Tier narrows {1, 2, 3} to the two GOLD quotes; performance then picks 2 over 1.
    quotes = [quote(1, tier="GOLD", performance_score=Decimal("70")),
              quote(2, tier="GOLD", performance_score=Decimal("80")),
              quote(3, tier="SILVER", performance_score=Decimal("99"))]
    result = break_ties(quotes, ["higher_tier", "better_performance"], "random", seed=0)
    assert [q.bid_id for q in result.ordered] == [2, 1, 3]
    assert result.decided_by == "better_performance"


def test_criteria_outside_the_chain_are_ignored():
    gold, bronze = quote(1, tier="BRONZE"), quote(2, tier="GOLD")
    result = break_ties([gold, bronze], ["earliest_submission"], "manual_selection", seed=0)
    assert result.decided_by == "manual_selection"
    assert [[q.bid_id for q in place] for place in result.places] == [[1, 2]]


def test_random_replays_from_the_recorded_seed_and_differs_across_seeds():
    quotes = [quote(i) for i in (14, 3, 27, 8, 5)]
    outcomes = set()
    for seed in range(20):
        result = break_ties(quotes, ["earliest_submission"], "random", seed=seed)
        replay = sorted(q.bid_id for q in quotes)
        random.Random(seed).shuffle(replay)  # the documented replay: shuffle of the sorted ids
        assert [q.bid_id for q in result.ordered] == replay
        assert (result.decided_by, result.seed, result.draws) == ("random", seed, [replay])
        assert break_ties(list(reversed(quotes)), ["earliest_submission"], "random", seed=seed) == result
        outcomes.add(tuple(replay))
    assert len(outcomes) > 10  # 120 orders possible: the seed matters
    assert len({order[0] for order in outcomes}) > 1  # and so does the winner


def test_random_only_draws_among_quotes_the_chain_left_tied():
    quotes = [quote(1, tier="SILVER"), quote(2, tier="GOLD"), quote(3, tier="GOLD"), quote(4, tier="GOLD")]
    result = break_ties(quotes, ["higher_tier"], "random", seed=42)
    replay = [2, 3, 4]
    random.Random(42).shuffle(replay)
    assert [q.bid_id for q in result.ordered] == [*replay, 1]


def test_manual_selection_leaves_the_choice_to_the_buyer():
    tied = [quote(2), quote(1)]
    result = break_ties(tied, ["earliest_submission"], "manual_selection", seed=9)
    assert (result.decided_by, result.seed) == ("manual_selection", None)
    assert [[q.bid_id for q in place] for place in result.places] == [[1, 2]]
    evaluation = rank(tied, method="PRICE", seed=9, tie_breaking={"criteria": [], "final_fallback": "manual_selection"})
    assert (evaluation.recommended_bid_id, evaluation.outcome) == (None, "MANUAL_SELECTION")
    assert [r["rank"] for r in evaluation.rankings] == [1, 1]
    assert evaluation.tie_break == {"applied": True, "decided_by": "manual_selection", "tied_bid_ids": [1, 2],
                                    "shared_by": [1, 2]}
    assert evaluation.pricing == {"rule": "FIRST_PRICE", "winner_payment": None}


def test_split_award_shares_the_award_among_the_tied():
    tied = [quote(1), quote(2), quote(3, total="150.00")]
    evaluation = rank(tied, method="PRICE", seed=9, tie_breaking={"criteria": ["earliest_submission"],
                                                                 "final_fallback": "split_award"})
    assert (evaluation.outcome, evaluation.recommended_bid_id, evaluation.recommended_bid_ids) == (
        "SPLIT_AWARD", 1, [1, 2])
    assert [(r["bid_id"], r["rank"]) for r in evaluation.rankings] == [(1, 1), (2, 1), (3, 3)]
    assert evaluation.tie_break["decided_by"] == "split_award"
    assert evaluation.pricing["payments"] == [{"bid_id": 1, "amount": "100.00"}, {"bid_id": 2, "amount": "100.00"}]


def test_a_lone_quote_needs_no_tie_break():
    result = break_ties([quote(1)], ["earliest_submission"], "random", seed=0)
    assert (result.applied, result.decided_by, result.seed) == (False, None, None)
    assert rank([quote(1)], method="PRICE", seed=0).tie_break == {"applied": False, "decided_by": None}


def test_equal_totals_in_a_price_ranking_are_broken_by_the_chain():
    later, earlier = quote(1, submitted_at=T0 + timedelta(seconds=30)), quote(2)
    evaluation = rank([later, earlier, quote(3, total="99.99")], method="PRICE", seed=5)
    assert [r["bid_id"] for r in evaluation.rankings] == [3, 2, 1]
    assert evaluation.tie_break == {"applied": False, "decided_by": None}  # the top was not tied
    assert evaluation.tie_groups == [{"applied": True, "decided_by": "earliest_submission", "tied_bid_ids": [1, 2]}]


def test_mathematically_equal_scores_tie_even_when_the_floats_differ():
    # Equal weights; (5, 8, 3) and (8, 3, 5) on a 0–10 range both score 100·16/30 exactly, but
    # summed in floating point they differ in the last bit (the later quote's is larger).
    criteria = [{"id": c, "name": c, "weight": 20, "type": "NUMERIC"} for c in ("c1", "c2", "c3")]
    quotes = [quote(1, criteria={"c1": 5, "c2": 8, "c3": 3}),
              quote(2, criteria={"c1": 8, "c2": 3, "c3": 5}, submitted_at=T0 + timedelta(minutes=1)),
              quote(3, criteria={"c1": 0, "c2": 0, "c3": 0}), quote(4, criteria={"c1": 10, "c2": 10, "c3": 10})]
    evaluation = rank(quotes, method="WEIGHTED_SUM", criteria=criteria, price_weight=0, seed=0)
    assert [r["bid_id"] for r in evaluation.rankings] == [4, 1, 2, 3]
    assert evaluation.tie_groups == [{"applied": True, "decided_by": "earliest_submission", "tied_bid_ids": [1, 2]}]
    assert evaluation.rankings[1]["score"] == evaluation.rankings[2]["score"] == round(1600 / 30, 6)


def test_bad_chains_are_refused():
    with pytest.raises(ValueError, match="distinct"):
        break_ties([quote(1), quote(2)], ["cheapest_lunch"], "random", seed=0)
    with pytest.raises(ValueError, match="distinct"):
        break_ties([quote(1), quote(2)], ["higher_tier", "higher_tier"], "random", seed=0)
    with pytest.raises(ValueError, match="final_fallback"):
        break_ties([quote(1), quote(2)], [], "coin", seed=0)


# Reserve: the most the buyer will pay; met when the best total is at or below it.

@pytest.mark.parametrize("best, status, met, gap", [
    ("9500.00", "met", True, "-500.00"),
    ("10000.00", "met", True, "0.00"),
    ("10500.50", "not_met", False, "500.50"),
])
def test_reserve_met_or_not_with_the_gap(best, status, met, gap):
    assert reserve_status(True, Decimal("10000.00"), Decimal(best)) == {
        "applicable": True, "met": met, "gap": gap, "status": status}


def test_reserve_with_no_bids_or_disabled():
    assert reserve_status(True, "10000.00", None) == {"applicable": True, "met": None, "gap": None,
                                                      "status": "no_bids"}
    assert reserve_status(False, None, Decimal("1")) == {"applicable": False, "met": None, "gap": None,
                                                         "status": "not_applicable"}


def test_an_unmet_reserve_means_no_award():
    evaluation = rank([quote(1, "10500.00"), quote(2, "11000.00")], method="PRICE", seed=0,
                      reserve={"enabled": True, "amount": "10000.00"})
    assert (evaluation.recommended_bid_id, evaluation.outcome) == (None, "NO_AWARD")
    assert evaluation.reserve == {"applicable": True, "met": False, "gap": "500.00", "status": "not_met"}
    assert [r["within_reserve"] for r in evaluation.rankings] == [False, False]
    assert evaluation.pricing["winner_payment"] is None


def test_no_quotes_means_no_award():
    evaluation = rank([], method="PRICE", seed=0, reserve={"enabled": True, "amount": "10000.00"})
    assert (evaluation.rankings, evaluation.recommended_bid_id, evaluation.outcome) == ([], None, "NO_AWARD")
    assert evaluation.reserve["status"] == "no_bids"


def test_the_best_scored_quote_within_the_reserve_is_recommended():
    # Multi-attribute: quote 1 scores best but costs more than the reserve; quote 2 is within it.
    criteria = [{"id": "warranty", "name": "W", "weight": 80, "type": "NUMERIC", "higher_is_better": True}]
    quotes = [quote(1, "12000.00", criteria={"warranty": 60}), quote(2, "9000.00", criteria={"warranty": 12})]
    evaluation = rank(quotes, method="WEIGHTED_SUM", criteria=criteria, price_weight=20, seed=0,
                      reserve={"enabled": True, "amount": "10000.00"})
    assert [r["bid_id"] for r in evaluation.rankings] == [1, 2]
    assert (evaluation.recommended_bid_id, evaluation.outcome) == (2, "AWARD")
    assert evaluation.reserve == {"applicable": True, "met": True, "gap": "-1000.00", "status": "met"}


def test_the_reserve_can_settle_a_tie_on_score():
    # Price and warranty weigh 50 each: 100.00/10 months and 200.00/20 months both score 50.
    # The chain prefers the earlier quote 2, but it is above the reserve, so quote 1 is recommended.
    criteria = [{"id": "warranty", "name": "W", "weight": 50, "type": "NUMERIC", "higher_is_better": True}]
    quotes = [quote(1, "100.00", criteria={"warranty": 10}, submitted_at=T0 + timedelta(minutes=1)),
              quote(2, "200.00", criteria={"warranty": 20})]
    evaluation = rank(quotes, method="WEIGHTED_SUM", criteria=criteria, price_weight=50, seed=0,
                      reserve={"enabled": True, "amount": "150.00"})
    assert [(r["bid_id"], r["score"], r["within_reserve"]) for r in evaluation.rankings] == [
        (2, 50.0, False), (1, 50.0, True)]
    assert (evaluation.recommended_bid_id, evaluation.outcome) == (1, "AWARD")
    assert evaluation.tie_break == {"applied": True, "decided_by": "reserve", "tied_bid_ids": [1, 2]}


# Pricing.

def test_second_price_pays_the_winner_the_second_lowest_total():
    quotes = [quote(1, "120.00"), quote(2, "100.00"), quote(3, "150.00")]
    second = rank(quotes, method="PRICE", seed=0, pricing="SECOND_PRICE")
    first = rank(quotes, method="PRICE", seed=0, pricing="FIRST_PRICE")
    assert (second.recommended_bid_id, second.pricing) == (2, {"rule": "SECOND_PRICE", "winner_payment": "120.00"})
    assert first.pricing == {"rule": "FIRST_PRICE", "winner_payment": "100.00"}


def test_second_price_edge_cases():
    lone = rank([quote(1, "100.00")], method="PRICE", seed=0, pricing="SECOND_PRICE")
    assert lone.pricing["winner_payment"] == "100.00"
    tied = rank([quote(1, "100.00"), quote(2, "100.00")], method="PRICE", seed=0, pricing="SECOND_PRICE")
    assert tied.pricing["winner_payment"] == "100.00"
    # A partial quote prices fewer items: it is not a valid second price for a complete winner.
    partial = quote(3, "50.00", items_quoted=1, items_total=2)
    mixed = rank([quote(1, "100.00", items_total=2, items_quoted=2), partial], method="PRICE", seed=0,
                 pricing="SECOND_PRICE")
    assert (mixed.recommended_bid_id, mixed.pricing["winner_payment"]) == (1, "100.00")
    assert winner_payment("SECOND_PRICE", Decimal("100"), [Decimal("130"), Decimal("110")]) == Decimal("110")
    with pytest.raises(ValueError, match="price only"):
        rank([quote(1)], method="TOPSIS", seed=0, pricing="SECOND_PRICE")


# Port distance for closer_to_port.

def test_great_circle_distances():
    assert great_circle_km(0, 0, 0, 1) == pytest.approx(2 * math.pi * EARTH_RADIUS_KM / 360, rel=1e-12)
    assert great_circle_km(0, 0, 90, 0) == pytest.approx(math.pi * EARTH_RADIUS_KM / 2, rel=1e-12)
    assert great_circle_km(0, 0, 0, 180) == pytest.approx(math.pi * EARTH_RADIUS_KM, rel=1e-12)
    assert great_circle_km(10, 170, 10, -170) == pytest.approx(great_circle_km(10, -10, 10, 10), rel=1e-12)
    singapore, rotterdam = (1.264, 103.84), (51.95, 4.14)
    assert great_circle_km(*singapore, *rotterdam) == pytest.approx(great_circle_km(*rotterdam, *singapore))
    assert great_circle_km(*singapore, *singapore) == 0.0


def test_second_price_never_exceeds_the_reserve():
    from decimal import Decimal

    from auctions.evaluation.pricing import winner_payment

    assert winner_payment("SECOND_PRICE", Decimal("900"), [Decimal("1200")], Decimal("1000")) == Decimal("1000")
    assert winner_payment("SECOND_PRICE", Decimal("900"), [Decimal("950")], Decimal("1000")) == Decimal("950")
    assert winner_payment("SECOND_PRICE", Decimal("900"), [], Decimal("1000")) == Decimal("1000")
    assert winner_payment("FIRST_PRICE", Decimal("900"), [Decimal("950")], Decimal("1000")) == Decimal("900")


@pytest.mark.parametrize("visibility", ["hidden", None, "disclosed", "disclosed_as_starting"])
def test_only_a_reserve_the_suppliers_know_caps_the_second_price(visibility):
    """A hidden reserve decides whether there is a winner, never what it is paid: a payment
    equal to it would tell the winner its amount (product.md §4.4)."""
    from decimal import Decimal

    from auctions.evaluation import rank

    reserve = {"enabled": True, "amount": "1000.00", **({"visibility": visibility} if visibility else {})}
    known = visibility not in ("hidden", None)

    def paid(*totals):
        quotes = [quote(i + 1, total) for i, total in enumerate(totals)]
        return rank(quotes, method="PRICE", seed=1, reserve=reserve, pricing="SECOND_PRICE").pricing["winner_payment"]

    assert Decimal(paid("900.00", "1200.00")) == (Decimal("1000.00") if known else Decimal("1200.00"))
    assert Decimal(paid("900.00")) == (Decimal("1000.00") if known else Decimal("900.00"))  # a lone bid
    assert Decimal(paid("900.00", "950.00")) == Decimal("950.00")
