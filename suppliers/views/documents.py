"""KYC document download: private files, served only to who may read them."""
from __future__ import annotations

from django.http import FileResponse, Http404

from common.pages import page_view

from ..models import KycDocument


def _document_visible_to(user, pk: int) -> KycDocument:
    """The owning supplier's users and compliance officers may read a KYC document; for
    anybody else it does not exist (404, so its existence is not leaked).

    This would sit in suppliers/selectors.py beside supplier_get; it lives here until that
    module is open for changes.
    """
    documents = KycDocument.objects.select_related("supplier")
    if user.is_compliance:
        pass
    elif user.is_supplier:
        documents = documents.filter(supplier_id=user.supplier_id)
    else:
        documents = documents.none()
    try:
        return documents.get(pk=pk)
    except KycDocument.DoesNotExist:
        raise Http404("Document not found.") from None


@page_view
def kyc_document_download(request, pk: int):
    document = _document_visible_to(request.user, pk)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404("The stored file is missing.") from None
    # Always a download, never rendered inline: the content came from outside.
    response = FileResponse(handle, as_attachment=True, filename=document.original_name,
                            content_type=document.content_type)
    response["Cache-Control"] = "private, no-store"
    return response
