"""Who may bid at all."""
from auctions.selectors.bidding import amendment_refusal, invitation_refusal
from suppliers.models import KycStatus

from .context import BidContext
from .engine import Finding, RuleResult, rule

BID_ACTIONS = ("place", "withdraw")


@rule("supplier_kyc_valid", name="Supplier KYC is valid", category="eligibility", actions=BID_ACTIONS)
def supplier_kyc_valid(ctx: BidContext) -> RuleResult:
    if ctx.supplier.kyc_status != KycStatus.VERIFIED:
        return f"Your company's KYC is {ctx.supplier.get_kyc_status_display().lower()}; only verified suppliers may bid."
    return None


@rule("supplier_invited", name="Supplier accepted the invitation", category="eligibility", actions=BID_ACTIONS)
def supplier_invited(ctx: BidContext) -> RuleResult:
    refusal = invitation_refusal(ctx.invitation_status)
    return refusal.message if refusal else None


@rule("category_qualified", name="Supplier qualified for the category", category="eligibility")
def category_qualified(ctx: BidContext) -> RuleResult:
    if not ctx.category_qualified:
        return f"Your company is not qualified for {ctx.rfq.category.name}."
    return None


# Locked: an amendment committed while this bid waited for the row is seen (its count is on
# the row), so nobody bids on terms they have not read.
@rule("amendment_acknowledged", name="Supplier acknowledged every amendment", category="eligibility",
      phase="locked")
def amendment_acknowledged(ctx: BidContext) -> RuleResult:
    refusal = amendment_refusal(ctx.rfq, ctx.supplier.pk)
    return Finding(refusal.message, metadata=refusal.metadata) if refusal else None
