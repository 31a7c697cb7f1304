"""Supplier pages about the company (mounted at /supplier/): profile, KYC documents. Its
invitations and its pages on an RFQ are procurement.supplier_urls."""
from django.urls import path

from .views import documents, profile

urlpatterns = [
    path("profile/", profile.profile, name="supplier-profile"),
    path("profile/submit/", profile.kyc_submit, name="supplier-kyc-submit"),
    path("documents/<int:pk>/", documents.kyc_document_download, name="kyc-document-download"),
]
