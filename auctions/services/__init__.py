"""Writes of the auction engine: placing and withdrawing bids, opening sealed quotes at close."""
from .bids import BidRejected, PlacedBid, bid_place, bid_withdraw
from .closing import auction_on_close
from .evaluation import rfq_evaluation

__all__ = ["BidRejected", "PlacedBid", "auction_on_close", "bid_place", "bid_withdraw", "rfq_evaluation"]
