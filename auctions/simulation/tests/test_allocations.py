"""Split and bundle formats of the simulation, checked against independent computations: per
line second prices for VCG on separable lines, and brute force over every allocation of the
bundles (winner determination and VCG payments) on small instances."""
import dataclasses
import itertools
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from auctions.mechanisms import get_mechanism
from auctions.rules import REGISTRY, rule
from auctions.simulation import allocations, lines, phantoms
from auctions.simulation.costs import CostModel
from auctions.simulation.engine import simulate

from .spec_helpers import by_format, spec

SPLIT = {"award_mode": "SPLIT", "pricing": "VCG"}
WHOLE_FORMATS = [("SEALED_BID", "FIRST_PRICE"), ("SEALED_BID", "SECOND_PRICE"), ("REVERSE_AUCTION", "FIRST_PRICE")]


def line_spec(*, formats, quantities=(10, 5, 1), sealed=None, combinatorial=None, **kwargs):
    base = spec(formats=formats, **kwargs)
    settings = {**base.settings, "SEALED_BID": get_mechanism("SEALED_BID").validate_settings(sealed or SPLIT),
                "COMBINATORIAL": get_mechanism("COMBINATORIAL").validate_settings(combinatorial or {})}
    return dataclasses.replace(base, settings=settings, quantities=tuple(quantities))


def prepared(kind, auction_type, pricing, the_spec):
    """One format as the engine builds it, with the engine's draws."""
    model = CostModel(the_spec.baseline, the_spec.spread, the_spec.bidders, 2)
    rng = np.random.default_rng(the_spec.seed)
    costs = model.draw(rng, the_spec.runs)
    seeds = rng.integers(0, 2**31, size=the_spec.runs)
    line_costs = lines.line_costs(costs, the_spec.quantities, model, the_spec.seed)
    rfq = phantoms.phantom_rfq(auction_type=auction_type, settings=the_spec.settings[auction_type], currency="USD",
                               reserve=the_spec.reserve,
                               quantities={i + 1: Decimal(q) for i, q in enumerate(the_spec.quantities)})
    fmt = kind(auction_type, pricing, rfq, costs, model, the_spec.reserve, seeds, lines=line_costs)
    fmt.prepare()
    return fmt


def test_split_vcg_on_independent_lines_pays_each_line_its_second_lowest_quote():
    """Without supplier limits each line is its own auction: VCG pays the winner of a line the
    second-lowest quote for it, and the winners are the cheapest supplier of each line."""
    the_spec = line_spec(formats=[("SEALED_BID", "VCG")], runs=200, bidders=5)
    fmt = prepared(allocations.Split, "SEALED_BID", "VCG", the_spec)
    quantities = np.array(the_spec.quantities)
    for i in range(the_spec.runs):
        quotes = -(-fmt.lines.line[i] // quantities) * quantities  # each line's whole price, unit rounded up
        order = np.argsort(quotes, axis=0, kind="stable")
        second = sum(int(quotes[order[1, line], line]) for line in range(len(quantities)))
        winners = {int(order[0, line]) for line in range(len(quantities))}
        cost = sum(int(fmt.lines.line[i, order[0, line], line]) for line in range(len(quantities)))
        outcome = fmt.run(i)
        assert outcome.payment == Decimal(second).scaleb(-2)
        assert outcome.winners == len(winners)
        assert outcome.winner_cost == cost


def test_split_pay_as_bid_and_vcg_cost_the_buyer_the_same_on_average():
    """Revenue equivalence, line by line: the first-price equilibrium of each line against
    truthful VCG bids, on the same draws; pay as bid never pays a winner below its cost."""
    results = by_format(simulate(line_spec(formats=[("SEALED_BID", "FIRST_PRICE"), ("SEALED_BID", "VCG")],
                                           runs=1500, seed=2025)))
    first, vcg = (Decimal(results[("SEALED_BID", p)]["expected_total"]) for p in ("FIRST_PRICE", "VCG"))
    assert abs(first - vcg) / vcg < Decimal("0.01")
    assert Decimal(results[("SEALED_BID", "FIRST_PRICE")]["mean_winner_margin"]) > 0
    assert results[("SEALED_BID", "VCG")]["award_mode"] == "SPLIT"
    assert 1 < results[("SEALED_BID", "VCG")]["mean_winners"] <= 3


def brute_force(bundles: list[tuple[int, frozenset, int]], lines_count: int) -> tuple[int | None, dict]:
    """The cheapest choice of at most one bundle per supplier covering every line exactly once,
    by enumeration: (cost, {supplier: its bundle's price}), or (None, {}) when there is none."""
    best, chosen = None, {}
    everything = frozenset(range(1, lines_count + 1))
    for size in range(1, len(bundles) + 1):
        for combo in itertools.combinations(bundles, size):
            suppliers = [b[0] for b in combo]
            covered = [line for b in combo for line in b[1]]
            if len(set(suppliers)) < size or len(covered) != len(set(covered)) or set(covered) != everything:
                continue
            cost = sum(b[2] for b in combo)
            if best is None or cost < best:
                best, chosen = cost, {b[0]: b[2] for b in combo}
    return best, chosen


def bundle_offers(fmt, i):
    offers = []
    for bidder in range(fmt.model.bidders):
        for ids, cost in fmt.offers(i, bidder):
            offers.append((bidder, frozenset(ids), int(np.ceil(cost * fmt.markup[i, bidder]))))
    return offers


@pytest.mark.parametrize("pricing", ["VCG", "FIRST_PRICE"])
def test_bundles_match_brute_force_winner_determination_and_vcg(pricing):
    the_spec = line_spec(formats=[("COMBINATORIAL", pricing)], quantities=(3, 2, 7), runs=60, bidders=3, seed=11)
    fmt = prepared(allocations.Bundles, "COMBINATORIAL", pricing, the_spec)
    for i in range(the_spec.runs):
        offers = bundle_offers(fmt, i)
        optimum, chosen = brute_force(offers, 3)
        if pricing == "VCG":
            expected = 0
            for supplier, price in chosen.items():
                without, _ = brute_force([b for b in offers if b[0] != supplier], 3)
                expected += without - (optimum - price)
        else:
            expected = optimum
        outcome = fmt.run(i)
        assert outcome.payment == Decimal(expected).scaleb(-2), i
        assert outcome.winners == len(chosen)


def test_adding_line_formats_leaves_the_whole_formats_results_alone():
    whole = simulate(spec(formats=WHOLE_FORMATS, runs=200, seed=5))
    mixed = simulate(line_spec(formats=[*WHOLE_FORMATS, ("COMBINATORIAL", "VCG")], sealed={"award_mode": "WHOLE"},
                               runs=200, seed=5))
    assert mixed[:3] == whole and mixed[3]["award_mode"] == "BUNDLES"


def test_a_bundle_shares_the_draws_of_the_whole_award():
    """Every phantom's package costs at most the total cost the whole formats give it."""
    the_spec = line_spec(formats=[("COMBINATORIAL", "VCG")], runs=100, seed=3)
    fmt = prepared(allocations.Bundles, "COMBINATORIAL", "VCG", the_spec)
    assert (fmt.lines.line.sum(axis=2) == fmt.costs).all()
    assert (fmt.lines.package <= fmt.costs).all() and (fmt.lines.package >= fmt.costs * 0.925 - 1).all()


@example(totals=[5], count=5, spread=0.75, seed=622)  # a share floored to 0, raised to 1: 6 units of 5
@given(totals=st.lists(st.integers(min_value=1, max_value=10**9), min_size=1, max_size=8),
       count=st.integers(min_value=1, max_value=12), spread=st.floats(min_value=0.01, max_value=0.99),
       seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_line_costs_add_up_to_the_total_and_are_positive(totals, count, spread, seed):
    costs = np.array([totals], dtype=np.int64)
    split = lines.split_costs(costs, count, spread, np.random.default_rng(seed))
    assert split.shape == (1, len(totals), count) and (split >= 1).all()
    enough = costs[0] >= count
    assert (split.sum(axis=2)[0][enough] == costs[0][enough]).all()


@pytest.fixture
def no_packages():
    """A new blocking rule, registered as any rule is: no bundle of more than one line."""
    @rule("test_simulation_no_packages", name="Test: single lines only", category="format",
          auction_types=("COMBINATORIAL",))
    def single_lines(ctx):
        if any(len(bundle.line_item_ids) > 1 for bundle in ctx.draft.bundles):
            return "Single lines only in this test."
    yield
    del REGISTRY["test_simulation_no_packages"]


def test_every_bundle_quote_goes_through_the_rule_engine(no_packages):
    """With packages refused, every phantom quoting a package is out, and so every run."""
    results = simulate(line_spec(formats=[("COMBINATORIAL", "VCG")], runs=50))
    assert results[0]["no_award_rate"] == 1.0 and results[0]["expected_total"] is None
