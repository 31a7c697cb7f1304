"""Quayside's supplier-side client: the REST API, live events with reconnect and replay,
Ed25519-signed bids, and an auto-bidder (api.md is the contract; no server code here)."""
from .autobid import AutoBidder, Decision, Market, PerLineBidder, WrongBidder
from .autorun import AutoReport, AutoRunner, Pacer
from .backoff import Backoff
from .client import AsyncQuaysideClient, RetryPolicy
from .clock import ServerClock
from .errors import (
    ApiError,
    BadRequest,
    BidRejected,
    Conflict,
    ConnectionFailed,
    Forbidden,
    NotAuthenticated,
    NotFound,
    QuaysideError,
    RateLimited,
    ServiceUnavailable,
    Violation,
)
from .follow import Follower, FollowOptions, TransportUnavailable
from .sequencer import Event, Sequencer
from .signing import RequestSigner, generate_key, load_private_key, public_key_base64, save_private_key
from .sync import QuaysideClient

__all__ = [
    "ApiError", "AsyncQuaysideClient", "AutoBidder", "AutoReport", "AutoRunner", "Backoff", "BadRequest",
    "BidRejected", "Conflict", "ConnectionFailed", "Decision", "Event", "FollowOptions", "Follower", "Forbidden",
    "Market", "NotAuthenticated", "NotFound", "Pacer", "PerLineBidder", "QuaysideClient", "QuaysideError",
    "RateLimited", "RequestSigner", "RetryPolicy", "Sequencer", "ServerClock", "ServiceUnavailable",
    "TransportUnavailable", "Violation", "WrongBidder", "generate_key", "load_private_key", "public_key_base64",
    "save_private_key",
]
__version__ = "0.1.0"
