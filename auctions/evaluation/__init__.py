"""Evaluation mathematics of the auction engine: pure functions over plain data.

No ORM and no Django here: the evaluation service builds `Quote`s from the stored bids and
passes the stored settings; the same inputs always give the same evaluation.
"""
from .criteria import Criterion
from .quotes import Quote, great_circle_km
from .scoring import Score, ahp, price_scores, topsis, weighted_sum

__all__ = ["Criterion", "Quote", "Score", "ahp", "great_circle_km", "price_scores", "topsis", "weighted_sum"]
