"""Evaluation mathematics of the auction engine: pure functions over plain data.

No ORM and no Django here: the evaluation service builds `Quote`s from the stored bids and
passes the stored settings; the same inputs always give the same evaluation.
"""
from .criteria import Criterion
from .pricing import winner_payment
from .quotes import Quote, great_circle_km
from .rank import Evaluation, rank
from .reserve import reserve_status
from .scoring import Score, ahp, price_scores, topsis, weighted_sum
from .tie_break import TieBreakResult, break_ties

__all__ = [
    "Criterion", "Evaluation", "Quote", "Score", "TieBreakResult", "ahp", "break_ties", "great_circle_km",
    "price_scores", "rank", "reserve_status", "topsis", "weighted_sum", "winner_payment",
]
