"""The KYC expiry notice every supplier page shows while a document is near expiry."""
from django import template
from django.utils import timezone

from suppliers.expiry import kyc_documents_near_expiry

register = template.Library()


@register.inclusion_tag("suppliers/_kyc_expiry_notice.html")
def kyc_expiry_notice(user):
    if not (getattr(user, "is_supplier", False) and user.supplier_id):
        return {"documents": []}
    today = timezone.localdate()
    return {"documents": [{"document": doc, "days_left": (doc.expires_on - today).days}
                          for doc in kyc_documents_near_expiry(user.supplier, today=today)]}
