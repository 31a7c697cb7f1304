"""Whether a quote may stand: validity period, revisions."""
from .context import BidContext
from .engine import RuleResult, rule
from .format import SEALED_TYPES


# Locked: the deadline is the auction row's live state (an amendment moves it).
@rule("quote_validity", name="Quote valid until bidding closes", category="validity", phase="locked",
      auction_types=SEALED_TYPES)
def quote_validity(ctx: BidContext) -> RuleResult:
    valid_until = ctx.draft.valid_until
    if valid_until is not None and valid_until < ctx.rfq.bidding_deadline.date():
        return "The quote must stay valid at least until bidding closes."
    return None


@rule("revision_allowed", name="Revisions allowed by the auction", category="validity", phase="locked",
      auction_types=SEALED_TYPES)
def revision_allowed(ctx: BidContext) -> RuleResult:
    if ctx.own_bids and not ctx.settings.get("allow_multiple_submissions", True):
        return "This auction takes one quote per supplier; yours is already in."
    return None


@rule("bid_withdrawable", name="Only the latest standing bid can be withdrawn", category="validity",
      phase="locked", actions=("withdraw",))
def bid_withdrawable(ctx: BidContext) -> RuleResult:
    standing = ctx.own_standing
    line = getattr(ctx.bid, "line_item_id", None)
    if ctx.bid is not None and line is not None:  # per-line bidding: the latest on its line
        standing = [bid for bid in standing if bid.line_item_id == line]
        if not standing or standing[-1].pk != ctx.bid.pk:
            return "Only your latest standing bid on a line can be withdrawn."
        return None
    if not standing or ctx.bid is None or standing[-1].pk != ctx.bid.pk:
        return "Only your latest standing bid can be withdrawn."
    return None
