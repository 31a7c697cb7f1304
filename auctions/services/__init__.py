"""Writes of the auction engine: placing and withdrawing bids, opening sealed quotes at close.
The evaluation they rank by is a read: auctions.selectors.evaluation."""
from .bids import BidRejected, PlacedBid, bid_place, bid_withdraw
from .closing import auction_close_open_quotes

__all__ = ["BidRejected", "PlacedBid", "auction_close_open_quotes", "bid_place", "bid_withdraw"]
