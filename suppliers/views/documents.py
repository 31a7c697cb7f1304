"""KYC document download: private files, served only to who may read them."""
from __future__ import annotations

from django.http import FileResponse, Http404

from common.pages import page_view

from ..selectors import kyc_document_get


@page_view
def kyc_document_download(request, pk: int):
    document = kyc_document_get(user=request.user, pk=pk)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404("The stored file is missing.") from None
    # Always a download, never rendered inline: the content came from outside.
    response = FileResponse(handle, as_attachment=True, filename=document.original_name,
                            content_type=document.content_type)
    response["Cache-Control"] = "private, no-store"
    return response
