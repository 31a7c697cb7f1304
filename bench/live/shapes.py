"""Live messages as a supplier receives them from Quayside (auctions/live.py): the fields and
their types, with made-up values. For the stand-ins of the servers: follower_cost.py's
broadcaster and the bare baseline's same-messages replay (live/bare.py)."""
from __future__ import annotations

from datetime import datetime


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")  # as DRF's encoder writes datetimes


def bid_placed(seq: int, prev_seq: int, rfq: int, at: str, leading_bid: str, bid_count: int) -> dict:
    return {"type": "bid_placed", "seq": seq, "prev_seq": prev_seq, "rfq": rfq, "at": at,
            "leading_bid": leading_bid, "bid_count": bid_count}


def rank_changed(seq: int, rfq: int, at: str) -> dict:
    """Without `your_rank`, which the caller adds (Quayside encodes the rest once per bid)."""
    return {"type": "rank_changed", "private": True, "seq": seq, "rfq": rfq, "at": at}


def deadline_extended(seq: int, prev_seq: int, rfq: int, at: str, bidding_deadline: str, extension_number: int,
                      max_extensions: int) -> dict:
    return {"type": "deadline_extended", "seq": seq, "prev_seq": prev_seq, "rfq": rfq, "at": at,
            "bidding_deadline": bidding_deadline, "extension_number": extension_number,
            "max_extensions": max_extensions}
