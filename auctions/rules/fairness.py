"""Price rules that keep the auction fair: ceiling, decrement, reserve, withdrawals."""
from decimal import Decimal

from django.conf import settings

from auctions.mechanisms.reverse import minimum_next_bid
from auctions.selectors.bidding import WITHDRAWAL_LIMIT, withdrawals_used
from common.money import format_money, money_text

from .context import BidContext
from .engine import Finding, RuleResult, rule
from .format import SEALED_TYPES

REVERSE = ("REVERSE_AUCTION",)


def _amount(ctx: BidContext) -> Decimal | None:
    """The attempt's price: the reverse bid's amount, or a quote's total (None if unparseable,
    or not above zero: amount_format refuses it, and no price rule has more to say about it —
    "100% below the current best" for a negative bid is noise)."""
    if ctx.draft.amount is not None:
        value = ctx.draft.amount.value
    else:
        try:
            value = ctx.total()
        except (TypeError, KeyError, ArithmeticError):
            return None
    return value if value is not None and value.is_finite() and value > 0 else None


def _leading_bid_shown(ctx: BidContext) -> bool:
    """Whether suppliers may know the best bid; if not, no message or metadata may carry it."""
    return ctx.settings.get("show_leading_bid", True)


@rule("starting_price_ceiling", name="At most the starting price", category="fairness", phase="locked",
      auction_types=REVERSE)
def starting_price_ceiling(ctx: BidContext) -> RuleResult:
    ceiling = ctx.ceiling
    amount = _amount(ctx)
    if ceiling is not None and amount is not None and amount > ceiling:
        return Finding(f"Bids may not exceed the starting price of {money_text(ceiling, ctx.rfq.currency)}.",
                       metadata={"starting_price": format_money(ceiling, ctx.rfq.currency), "amount": str(amount)})
    return None


@rule("minimum_decrement", name="Beats the best bid by the minimum decrement", category="fairness",
      phase="locked", auction_types=REVERSE)
def minimum_decrement(ctx: BidContext) -> RuleResult:
    amount, best = _amount(ctx), ctx.best_amount
    if getattr(ctx.rfq, "sealed_fallback_at", None):
        return None  # sealed collection: no bidder can see a best to beat
    if amount is None or best is None:
        return None  # the first bid only has to respect the ceiling
    limit = minimum_next_bid(ctx.settings, best, ctx.digits)
    if amount > limit:
        if limit <= 0:
            return Finding("No bid can beat the current best by the minimum decrement any more.",
                           metadata={"amount": str(amount)})
        if not _leading_bid_shown(ctx):
            return Finding("Your bid does not beat the current best bid by the minimum decrement.",
                           metadata={"amount": str(amount)})
        currency = ctx.rfq.currency
        return Finding(f"Bid at most {money_text(limit, currency)}: the current best is {money_text(best, currency)} "
                       f"and each bid must beat it by the minimum decrement.",
                       metadata={"best": str(best), "maximum_allowed": str(limit), "amount": str(amount)})
    return None


@rule("reserve_disclosed_as_starting", name="Below a reserve disclosed as the starting price",
      category="fairness", phase="locked")
def reserve_disclosed_as_starting(ctx: BidContext) -> RuleResult:
    rfq = ctx.rfq
    reserve = rfq.reserve_amount  # set whenever the reserve is enabled (checked at publish)
    if not (rfq.reserve_enabled and rfq.reserve_visibility == "disclosed_as_starting") or reserve is None:
        return None
    amount = _amount(ctx)
    if amount is not None and amount >= reserve:
        # Violations are stored and shown to others: a sealed quote's total must not be in them.
        sealed = rfq.auction_type in SEALED_TYPES
        return Finding(f"Bids must be below the reserve of {money_text(reserve, rfq.currency)}.",
                       metadata={} if sealed else {"amount": str(amount)})
    return None


@rule("unusual_drop", name="Unusually large price drop", category="fairness", severity="warn", phase="locked",
      auction_types=REVERSE)
def unusual_drop(ctx: BidContext) -> RuleResult:
    amount, best = _amount(ctx), ctx.best_amount
    if getattr(ctx.rfq, "sealed_fallback_at", None):
        return None
    if amount is not None and best and amount < best * Decimal("0.7"):
        if not _leading_bid_shown(ctx):
            return Finding("Your bid is far below the current best; check it is right.",
                           metadata={"amount": str(amount)})
        return Finding(f"Your bid is {((1 - amount / best) * 100):.0f}% below the current best; check it is right.",
                       metadata={"best": str(best), "amount": str(amount)})
    return None


@rule("implausible_drop", name="Not an implausible price drop", category="fairness", phase="locked",
      auction_types=REVERSE)
def implausible_drop(ctx: BidContext) -> RuleResult:
    """A bid far below the best it competes with is almost always a typing error (".5" for
    "7,500"); accepted, it would also leave nobody a bid to make. Refused, with the figure.

    Only against a standing best: a starting price is a ceiling, often set loosely, and the
    first bid far below it is no sign of a typo."""
    amount, best = _amount(ctx), ctx.best_amount
    if getattr(ctx.rfq, "sealed_fallback_at", None) or amount is None or not best:
        return None
    percent = Decimal(settings.QUAYSIDE["IMPLAUSIBLE_DROP_PERCENT"])
    if amount < best * (100 - percent) / 100:
        figure = f" of {money_text(best, ctx.rfq.currency)}" if _leading_bid_shown(ctx) else ""
        return Finding(f"Your bid is more than {percent:f}% below the current best{figure}; check the amount "
                       "(a decimal point in the wrong place?).",
                       metadata={"amount": str(amount), "maximum_drop_percent": f"{percent:f}"})
    return None


@rule("bid_withdrawal_limit", name="At most three withdrawals per auction", category="fairness", phase="locked",
      actions=("withdraw",))
def bid_withdrawal_limit(ctx: BidContext) -> RuleResult:
    used = withdrawals_used(ctx.own_bids)
    if used >= WITHDRAWAL_LIMIT:
        return Finding(f"You have used all {WITHDRAWAL_LIMIT} withdrawals for this auction.",
                       metadata={"withdrawals": used})
    return None
