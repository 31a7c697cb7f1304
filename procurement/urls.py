"""Buyer pages (mounted at the site root)."""
from django.urls import path

from .views import actions, amendments, attachments, bids, buyer, clarifications, evaluation, fairness, picker

urlpatterns = [
    path("rfqs/", buyer.rfq_list_page, name="buyer-rfq-list"),
    path("rfqs/new/", buyer.rfq_create, name="buyer-rfq-create"),
    path("rfqs/<int:pk>/", buyer.rfq_detail, name="buyer-rfq-detail"),
    path("rfqs/<int:pk>/edit/", buyer.rfq_edit, name="buyer-rfq-edit"),
    path("rfqs/<int:pk>/attachments/", attachments.rfq_attachment_upload, name="buyer-rfq-attachment-upload"),
    path("rfqs/<int:pk>/amendments/", amendments.amend, name="buyer-rfq-amend"),
    path("rfqs/<int:pk>/suppliers/", picker.rfq_suppliers, name="buyer-rfq-suppliers"),
    path("rfqs/<int:pk>/bids/live/", bids.rfq_bids_live, name="buyer-rfq-bids-live"),
    path("rfqs/<int:pk>/evaluation/", evaluation.rfq_evaluation, name="buyer-rfq-evaluation"),
    path("rfqs/<int:pk>/award/", evaluation.rfq_award, name="buyer-rfq-award"),
    path("rfqs/<int:pk>/reopen/", evaluation.rfq_reopen, name="buyer-rfq-reopen"),
    path("rfqs/<int:pk>/fairness-report/", fairness.rfq_fairness_report, name="rfq-fairness-report"),
    path("rfqs/<int:pk>/fairness-report/certify/", fairness.rfq_fairness_certify, name="rfq-fairness-certify"),
    path("rfqs/<int:pk>/clarifications/<int:cid>/answer/", clarifications.question_answer,
         name="buyer-rfq-clarification-answer"),
    path("rfqs/<int:pk>/invitations/<int:invitation_id>/revoke/", picker.invitation_revoke,
         name="buyer-invitation-revoke"),
] + [
    # One URL per workflow step: /rfqs/<pk>/publish/, …/cancel/ (POST only).
    path(f"rfqs/<int:pk>/{name}/", actions.rfq_transition, {"action": name}, name=f"buyer-rfq-{name}")
    for name in actions.TRANSITIONS
]
