"""Supplier pages (mounted at /supplier/)."""
from django.urls import path

from .views import bidding, documents, invitations, profile, rfqs

urlpatterns = [
    path("invitations/", invitations.invitation_list, name="supplier-invitations"),
    path("invitations/<int:pk>/", invitations.invitation_detail, name="supplier-invitation"),
    path("invitations/<int:pk>/accept/", invitations.invitation_accept, name="supplier-invitation-accept"),
    path("invitations/<int:pk>/decline/", invitations.invitation_decline, name="supplier-invitation-decline"),
    path("rfqs/<int:pk>/", rfqs.rfq_detail, name="supplier-rfq"),
    path("rfqs/<int:pk>/bid/", bidding.bid_submit, name="supplier-rfq-bid"),
    path("rfqs/<int:pk>/bids/<int:bid_id>/withdraw/", bidding.bid_withdraw_view, name="supplier-rfq-bid-withdraw"),
    path("profile/", profile.profile, name="supplier-profile"),
    path("profile/submit/", profile.kyc_submit, name="supplier-kyc-submit"),
    path("documents/<int:pk>/", documents.kyc_document_download, name="kyc-document-download"),
]
