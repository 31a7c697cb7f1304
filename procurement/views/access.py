"""Who may open the buyer-side RFQ pages at all (what they see is the selectors' business)."""
from django.core.exceptions import PermissionDenied


def may_view_rfqs(user) -> None:
    """Buyers run RFQs and compliance reads them all; suppliers have their own pages."""
    if not (user.is_buyer or user.is_compliance):
        raise PermissionDenied("The RFQ pages are for buyers; suppliers find their RFQs under Invitations.")
