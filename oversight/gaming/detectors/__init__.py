"""Every gaming detector, one module each; importing this package registers them all."""
from . import (  # noqa: F401
    bid_cycling,
    bot_reaction_timing,
    cover_bids,
    identical_prices,
    last_second_flooding,
    shared_origin,
    withdrawal_abuse,
)
