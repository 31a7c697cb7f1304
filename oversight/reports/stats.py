"""Price statistics of the report, in Decimal (money never goes through float).

The counted amounts are the standing quotes at close — one per supplier, the quotes the
evaluation ranks. They are the whole population of this auction's final prices, not a sample
of some larger one, so the standard deviation is the population one (σ, divisor n).

Outliers follow Tukey's rule: below Q1 − 1.5·IQR or above Q3 + 1.5·IQR, with the quartiles by
the "inclusive" method of `statistics.quantiles` (linear interpolation between order statistics,
as spreadsheets and NumPy's default do). With fewer than four counted amounts quartiles say
nothing, so no outlier test is made and the report says so.
"""
from __future__ import annotations

import statistics
from decimal import ROUND_HALF_EVEN, Decimal

from common.money import round_money

TUKEY_K = Decimal("1.5")
MIN_FOR_OUTLIERS = 4
OUTLIER_RULE = ("Tukey fences: an amount below Q1 − 1.5 × IQR or above Q3 + 1.5 × IQR, quartiles by linear "
                "interpolation (statistics.quantiles, method 'inclusive'); tested only with at least "
                f"{MIN_FOR_OUTLIERS} counted amounts.")


def distribution(amounts: list[Decimal], *, decimals: int) -> tuple[dict, tuple[Decimal, Decimal] | None]:
    """(figures, fences): min, max, median, mean, σ, quartiles and fences of `amounts`, each
    rounded to the currency's minor unit for display; and the unrounded fences (None when no
    outlier test applies), against which `outlier_side` judges each amount."""
    def money(value: Decimal) -> str:
        return str(round_money(value, decimals, rounding=ROUND_HALF_EVEN))  # as the API's format_money

    n = len(amounts)
    figures = {"count": n, "min": None, "max": None, "median": None, "mean": None, "std_dev": None,
               "std_dev_kind": "population", "quartiles": None, "iqr": None, "fences": None,
               "outlier_rule": OUTLIER_RULE, "outlier_test_applied": False}
    if not n:
        return figures, None
    figures.update(min=money(min(amounts)), max=money(max(amounts)), median=money(statistics.median(amounts)),
                   mean=money(sum(amounts, Decimal(0)) / n), std_dev=money(statistics.pstdev(amounts)))
    if n < MIN_FOR_OUTLIERS:
        return figures, None
    q1, _, q3 = statistics.quantiles(amounts, n=4, method="inclusive")
    iqr = q3 - q1
    low, high = q1 - TUKEY_K * iqr, q3 + TUKEY_K * iqr
    figures.update(quartiles={"q1": money(q1), "q3": money(q3)}, iqr=money(iqr),
                   fences={"lower": money(low), "upper": money(high)}, outlier_test_applied=True)
    return figures, (low, high)


def outlier_side(amount: Decimal, fences: tuple[Decimal, Decimal] | None) -> str | None:
    """"low" or "high" when `amount` lies outside the fences; None inside them or with no test."""
    if fences is None:
        return None
    if amount < fences[0]:
        return "low"
    return "high" if amount > fences[1] else None
