"""A supplier's invitations and its pages on one RFQ (mounted at /supplier/ beside
suppliers.urls): they show RFQs and take bids, so they sit in the top app, which may use
every app below it."""
from django.urls import path

from .views import amendments, attachments, clarifications, supplier_bidding, supplier_invitations, supplier_rfq

urlpatterns = [
    path("invitations/", supplier_invitations.invitation_list, name="supplier-invitations"),
    path("invitations/<int:pk>/", supplier_invitations.invitation_detail, name="supplier-invitation"),
    path("invitations/<int:pk>/accept/", supplier_invitations.invitation_accept, name="supplier-invitation-accept"),
    path("invitations/<int:pk>/decline/", supplier_invitations.invitation_decline,
         name="supplier-invitation-decline"),
    path("rfqs/<int:pk>/", supplier_rfq.rfq_detail, name="supplier-rfq"),
    path("rfqs/<int:pk>/questions/", clarifications.question_ask, name="supplier-rfq-clarification-ask"),
    path("rfqs/<int:pk>/amendments/<int:number>/acknowledge/", amendments.acknowledge,
         name="supplier-rfq-amendment-acknowledge"),
    path("rfqs/<int:pk>/bid/", supplier_bidding.bid_submit, name="supplier-rfq-bid"),
    path("rfqs/<int:pk>/bids/<int:bid_id>/attachments/", attachments.quote_attachment_upload,
         name="supplier-quote-attachment-upload"),
    path("rfqs/<int:pk>/bids/<int:bid_id>/withdraw/", supplier_bidding.bid_withdraw_view,
         name="supplier-rfq-bid-withdraw"),
]
