"""/api/v1/ routes, exactly as api.md names them."""
from django.urls import path

from accounts.api import MeApi, TokenApi
from auctions.api import (
    AuctionStateApi,
    BidsApi,
    BidWithdrawApi,
    EvaluationApi,
    EventsApi,
    EventStreamApi,
    OutcomeApi,
)
from auctions.simulation.urls import api_urlpatterns as simulation_api_urls
from oversight.api import AuditEventListApi, AuditVerifyApi
from oversight.gaming.api import GamingAlertsApi
from oversight.reports.api import FairnessCertifyApi, FairnessReportApi
from procurement.amendments_api import AmendmentAcknowledgeApi, AmendmentsApi
from procurement.api import (
    AWARD_REQUEST,
    AuctionTemplatesApi,
    AwardInput,
    CancelInput,
    ReopenInput,
    RFQDetailApi,
    RFQInvitationRevokeApi,
    RFQInvitationsApi,
    RFQListCreateApi,
    transition_view,
)
from procurement.attachments_api import (
    QuoteAttachmentDownloadApi,
    QuoteAttachmentsApi,
    RFQAttachmentDownloadApi,
    RFQAttachmentsApi,
)
from procurement.clarifications_api import ClarificationAnswerApi, ClarificationsApi
from procurement.ocds.api import OcdsRecordApi, OcdsReleasePackageApi
from suppliers.api import (
    InvitationInboxApi,
    InvitationRespondApi,
    KycApproveApi,
    KycDocumentApi,
    KycRejectApi,
    KycSubmitApi,
    SupplierDetailApi,
    SupplierListApi,
    SupplierMeApi,
)
from suppliers.keys_api import SigningKeyApi, SigningKeysApi

urlpatterns = [
    path("auth/token/", TokenApi.as_view(), name="api-token"),
    path("auth/me/", MeApi.as_view(), name="api-me"),
    path("suppliers/", SupplierListApi.as_view(), name="api-suppliers"),
    path("suppliers/me/", SupplierMeApi.as_view(), name="api-supplier-me"),
    path("suppliers/me/kyc-documents/", KycDocumentApi.as_view(), name="api-kyc-documents"),
    path("suppliers/me/kyc/submit/", KycSubmitApi.as_view(), name="api-kyc-submit"),
    path("suppliers/me/keys/", SigningKeysApi.as_view(), name="api-signing-keys"),
    path("suppliers/me/keys/<int:pk>/", SigningKeyApi.as_view(), name="api-signing-key"),
    path("suppliers/<int:pk>/", SupplierDetailApi.as_view(), name="api-supplier"),
    path("suppliers/<int:pk>/kyc/approve/", KycApproveApi.as_view(), name="api-kyc-approve"),
    path("suppliers/<int:pk>/kyc/reject/", KycRejectApi.as_view(), name="api-kyc-reject"),
    path("auction-templates/", AuctionTemplatesApi.as_view(), name="api-auction-templates"),
    path("rfqs/", RFQListCreateApi.as_view(), name="api-rfqs"),
    path("rfqs/<int:pk>/", RFQDetailApi.as_view(), name="api-rfq"),
    path("rfqs/<int:pk>/publish/", transition_view("publish"), name="api-rfq-publish"),
    path("rfqs/<int:pk>/open/", transition_view("open"), name="api-rfq-open"),
    path("rfqs/<int:pk>/pause/", transition_view("pause"), name="api-rfq-pause"),
    path("rfqs/<int:pk>/resume/", transition_view("resume"), name="api-rfq-resume"),
    path("rfqs/<int:pk>/close/", transition_view("close"), name="api-rfq-close"),
    path("rfqs/<int:pk>/evaluate/", transition_view("evaluate"), name="api-rfq-evaluate"),
    path("rfqs/<int:pk>/cancel/", transition_view("cancel", CancelInput), name="api-rfq-cancel"),
    path("rfqs/<int:pk>/fallback/", transition_view("fallback"), name="api-rfq-fallback"),
    path("rfqs/<int:pk>/reopen/", transition_view("reopen", ReopenInput), name="api-rfq-reopen"),
    path("rfqs/<int:pk>/award/", transition_view("award", AwardInput, AWARD_REQUEST), name="api-rfq-award"),
    path("rfqs/<int:pk>/attachments/", RFQAttachmentsApi.as_view(), name="api-rfq-attachments"),
    path("rfqs/<int:pk>/attachments/<int:attachment_id>/", RFQAttachmentDownloadApi.as_view(),
         name="api-rfq-attachment"),
    path("rfqs/<int:pk>/bids/", BidsApi.as_view(), name="api-rfq-bids"),
    path("rfqs/<int:pk>/bids/<int:bid_id>/attachments/", QuoteAttachmentsApi.as_view(),
         name="api-rfq-bid-attachments"),
    path("rfqs/<int:pk>/bids/<int:bid_id>/attachments/<int:attachment_id>/", QuoteAttachmentDownloadApi.as_view(),
         name="api-rfq-bid-attachment"),
    path("rfqs/<int:pk>/bids/<int:bid_id>/withdraw/", BidWithdrawApi.as_view(), name="api-rfq-bid-withdraw"),
    path("rfqs/<int:pk>/state/", AuctionStateApi.as_view(), name="api-rfq-state"),
    path("rfqs/<int:pk>/events/", EventsApi.as_view(), name="api-rfq-events"),
    path("rfqs/<int:pk>/events/stream/", EventStreamApi.as_view(), name="api-rfq-event-stream"),
    path("rfqs/<int:pk>/evaluation/", EvaluationApi.as_view(), name="api-rfq-evaluation"),
    path("rfqs/<int:pk>/outcome/", OutcomeApi.as_view(), name="api-rfq-outcome"),
    path("rfqs/<int:pk>/fairness-report/", FairnessReportApi.as_view(), name="api-rfq-fairness-report"),
    path("rfqs/<int:pk>/fairness-report/certify/", FairnessCertifyApi.as_view(), name="api-rfq-fairness-certify"),
    path("rfqs/<int:pk>/alerts/", GamingAlertsApi.as_view(), name="api-rfq-alerts"),
    path("rfqs/<int:pk>/ocds/", OcdsReleasePackageApi.as_view(), name="api-rfq-ocds"),
    path("rfqs/<int:pk>/ocds/record/", OcdsRecordApi.as_view(), name="api-rfq-ocds-record"),
    path("rfqs/<int:pk>/amendments/", AmendmentsApi.as_view(), name="api-rfq-amendments"),
    path("rfqs/<int:pk>/amendments/<int:number>/acknowledge/", AmendmentAcknowledgeApi.as_view(),
         name="api-rfq-amendment-acknowledge"),
    path("rfqs/<int:pk>/clarifications/", ClarificationsApi.as_view(), name="api-rfq-clarifications"),
    path("rfqs/<int:pk>/clarifications/<int:cid>/answer/", ClarificationAnswerApi.as_view(),
         name="api-rfq-clarification-answer"),
    path("rfqs/<int:pk>/invitations/", RFQInvitationsApi.as_view(), name="api-rfq-invitations"),
    path("rfqs/<int:pk>/invitations/<int:invitation_id>/revoke/", RFQInvitationRevokeApi.as_view(),
         name="api-rfq-invitation-revoke"),
    path("invitations/", InvitationInboxApi.as_view(), name="api-invitations"),
    path("invitations/<int:pk>/accept/", InvitationRespondApi.as_view(accept=True), name="api-invitation-accept"),
    path("invitations/<int:pk>/decline/", InvitationRespondApi.as_view(accept=False),
         name="api-invitation-decline"),
    path("audit/events/", AuditEventListApi.as_view(), name="api-audit-events"),
    path("audit/verify/", AuditVerifyApi.as_view(), name="api-audit-verify"),
    *simulation_api_urls,
]
