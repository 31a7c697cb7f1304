"""When a bid may come: the bidding window, and how often one supplier may bid."""
import math
from datetime import datetime, timedelta

from auctions.mechanisms.reverse import FINAL_PHASE_MIN_INTERVAL_SECONDS, FINAL_PHASE_SECONDS, active_tier
from auctions.selectors.bidding import bidding_window_refusal

from .context import BidContext
from .engine import Finding, RuleResult, rule

REVERSE = ("REVERSE_AUCTION",)


@rule("within_bidding_window", name="Within the bidding window", category="timing", phase="locked",
      actions=("place", "withdraw"))
def within_bidding_window(ctx: BidContext) -> RuleResult:
    refusal = bidding_window_refusal(ctx.rfq, ctx.now)
    if refusal is None:
        return None
    return Finding(refusal.message, metadata=refusal.metadata) if refusal.metadata else refusal.message


def _wait(ctx: BidContext, since: datetime, seconds: float) -> int | None:
    ready = since + timedelta(seconds=seconds)
    if ctx.now < ready:
        wait = max(1, math.ceil((ready - ctx.now).total_seconds()))
        return wait
    return None


@rule("cool_down", name="Cool-down between one supplier's bids", category="timing", phase="locked",
      auction_types=REVERSE)
def cool_down(ctx: BidContext) -> RuleResult:
    remaining = (ctx.rfq.bidding_deadline - ctx.now).total_seconds()
    tier = active_tier(ctx.settings, remaining)
    seconds = tier["cool_down_seconds"] if tier else ctx.settings.get("cool_down_seconds", 0)
    if seconds and ctx.own_bids:
        wait = _wait(ctx, ctx.own_bids[-1].submitted_at, seconds)
        if wait:
            return Finding(f"Wait {wait} s before bidding again (cool-down of {seconds} s).",
                           metadata={"retry_after": wait, "cool_down_seconds": seconds})
    return None


@rule("rate_limit", name="Bid rate limit", category="timing", phase="locked")
def rate_limit(ctx: BidContext) -> RuleResult:
    per_minute = ctx.settings.get("rate_limit_bids_per_minute", 6)
    recent = [bid.submitted_at for bid in ctx.own_bids if bid.submitted_at > ctx.now - timedelta(minutes=1)]
    if len(recent) >= per_minute:
        wait = _wait(ctx, recent[-per_minute], 60)
        return Finding(f"At most {per_minute} bids a minute; try again in {wait} s.",
                       metadata={"retry_after": wait, "limit_per_minute": per_minute})
    remaining = (ctx.rfq.bidding_deadline - ctx.now).total_seconds()
    if ctx.rfq.auction_type in REVERSE and remaining <= FINAL_PHASE_SECONDS and recent:
        wait = _wait(ctx, recent[-1], FINAL_PHASE_MIN_INTERVAL_SECONDS)
        if wait:
            return Finding(f"In the final minutes, one bid per {FINAL_PHASE_MIN_INTERVAL_SECONDS} s; "
                           f"try again in {wait} s.", metadata={"retry_after": wait})
    return None
