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


@rule("bid_signature", name="Bid signature is valid", category="eligibility", actions=BID_ACTIONS)
def bid_signature(ctx: BidContext) -> RuleResult:
    """api.md "Signed bids": a signature present must verify (auctions/signing.py decided,
    before the rules ran); where the RFQ or the supplier's company requires one, it must be there."""
    if ctx.user is None:  # a phantom bidder of the what-if simulation signs as required
        return None
    check = ctx.signature
    if check is not None:
        if check.verified:
            return None
        return Finding(check.problem or "The signature was refused.", reason=check.reason,
                       metadata={"key_id": check.key_id, "reason": check.reason})
    if ctx.settings.get("require_signed_bids"):
        return Finding("This RFQ accepts only signed bids: sign the request with your company's registered key "
                       "(quayside-bid does), or ask the buyer.", reason="unsigned",
                       metadata={"required_by": "rfq", "reason": "unsigned"})
    if ctx.supplier.require_signed_bids:
        return Finding("Your company accepts only signed bids from its users: sign the request with a registered "
                       "key (your company's administrator set this).", reason="unsigned",
                       metadata={"required_by": "supplier", "reason": "unsigned"})
    return None
