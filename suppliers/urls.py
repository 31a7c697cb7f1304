"""Supplier pages about the company (mounted at /supplier/): profile, KYC documents. Its
invitations and its pages on an RFQ are procurement.supplier_urls."""
from django.urls import path

from .views import documents, keys, profile

urlpatterns = [
    path("profile/", profile.profile, name="supplier-profile"),
    path("profile/submit/", profile.kyc_submit, name="supplier-kyc-submit"),
    path("profile/keys/", keys.key_register, name="supplier-signing-key-register"),
    path("profile/keys/<int:pk>/revoke/", keys.key_revoke, name="supplier-signing-key-revoke"),
    path("profile/signing-policy/", keys.signing_policy, name="supplier-signing-policy"),
    path("documents/<int:pk>/", documents.kyc_document_download, name="kyc-document-download"),
]
