"""The first-price equilibrium bid function, computed numerically, against closed forms."""
import numpy as np
import pytest
from scipy import integrate, stats

from auctions.simulation.equilibrium import first_price_bids

LOW, HIGH = 10_200.0, 13_800.0
UNIFORM = stats.uniform(loc=LOW, scale=HIGH - LOW)
COSTS = np.linspace(LOW, HIGH, 997)  # off the grid's points


@pytest.mark.parametrize("bidders", [1, 2, 6, 50, 200])
def test_uniform_costs_match_the_closed_form(bidders):
    bids = first_price_bids(COSTS, UNIFORM.cdf, LOW, HIGH, bidders)
    closed_form = COSTS + (HIGH - COSTS) / bidders
    assert np.max(np.abs(bids - closed_form)) < 0.05  # under 5 cents on 10 000s, even with 200 bidders


def test_a_known_reserve_caps_the_bids_as_the_closed_form_says():
    reserve, n = 12_500.0, 6
    costs = COSTS[COSTS <= reserve]
    bids = first_price_bids(costs, UNIFORM.cdf, LOW, reserve, n)
    # Uniform costs with a reserve r: β(c) = c + (c_hi − c)/n · (1 − ((c_hi − r)/(c_hi − c))^n).
    closed_form = costs + (HIGH - costs) / n * (1 - ((HIGH - reserve) / (HIGH - costs)) ** n)
    assert np.max(np.abs(bids - closed_form)) < 0.05
    assert bids.max() <= reserve + 1e-9


def test_any_cost_distribution_not_only_uniform():
    """A triangular distribution has no simple closed form: compare with scipy's quad."""
    dist, n = stats.triang(c=0.3, loc=LOW, scale=HIGH - LOW), 4

    def beta(c):
        survival = lambda t: (1 - dist.cdf(t)) ** (n - 1)  # noqa: E731
        return c + integrate.quad(survival, c, HIGH)[0] / survival(c)

    costs = np.array([10_300.0, 11_000.0, 12_000.0, 13_500.0])
    expected = np.array([beta(c) for c in costs])
    assert np.allclose(first_price_bids(costs, dist.cdf, LOW, HIGH, n), expected, atol=0.05)


def test_bids_rise_with_cost_and_never_fall_below_it():
    bids = first_price_bids(COSTS, UNIFORM.cdf, LOW, HIGH, 6)
    assert np.all(np.diff(bids) > 0) and np.all(bids >= COSTS)
