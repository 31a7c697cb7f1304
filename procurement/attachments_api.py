"""/rfqs/{id}/attachments/: the buyer uploads (multipart), whoever may see the RFQ lists and
downloads. A download is the stored bytes, always as an attachment, never rendered inline."""
from __future__ import annotations

from django.http import FileResponse, Http404, HttpResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from auctions.models import QuoteAttachment
from common.fields import StrictCharField
from rfqs.models import RFQAttachment

from .attachments import ALLOWED_ATTACHMENTS, rfq_attachment_add, rfq_attachment_get, rfq_attachments
from .quote_attachments import quote_attachment_add, quote_attachment_content, quote_attachment_get, quote_attachments

DOWNLOAD_MEDIA_TYPES = [*ALLOWED_ATTACHMENTS, "text/csv"]


class AttachmentInput(serializers.Serializer):
    title = StrictCharField(max_length=200)
    file = serializers.FileField(allow_empty_file=True, help_text=(
        "PDF, PNG, JPEG, XLSX, DOCX or plain text/CSV, checked by content; size limited "
        "(QUAYSIDE_ATTACHMENT_MAX_UPLOAD_BYTES, 20 MB by default)."))


class AttachmentOutput(serializers.ModelSerializer):
    uploaded_by = serializers.CharField(source="uploaded_by.username")
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = RFQAttachment
        fields = ["id", "title", "original_name", "content_type", "size", "sha256", "uploaded_by", "uploaded_at",
                  "download_url"]

    def get_download_url(self, attachment: RFQAttachment) -> str:
        return reverse("api-rfq-attachment", args=[attachment.rfq_id, attachment.pk])


class RFQAttachmentsApi(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(responses=AttachmentOutput(many=True))
    def get(self, request, pk: int):
        return Response(AttachmentOutput(rfq_attachments(user=request.user, rfq_id=pk), many=True).data)

    @extend_schema(request={"multipart/form-data": AttachmentInput}, responses={201: AttachmentOutput})
    def post(self, request, pk: int):
        serializer = AttachmentInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        attachment = rfq_attachment_add(user=request.user, rfq_id=pk, title=data["title"], upload=data["file"])
        return Response(AttachmentOutput(attachment).data, status=status.HTTP_201_CREATED)


class RFQAttachmentDownloadApi(APIView):
    def perform_content_negotiation(self, request, force=False):
        # The body is a file of its own type whatever the Accept header; errors are JSON.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(responses={(200, media_type): OpenApiTypes.BINARY for media_type in DOWNLOAD_MEDIA_TYPES})
    def get(self, request, pk: int, attachment_id: int):
        attachment = rfq_attachment_get(user=request.user, rfq_id=pk, pk=attachment_id)
        return attachment_file_response(attachment)


class QuoteAttachmentOutput(serializers.ModelSerializer):
    uploaded_by = serializers.CharField(source="uploaded_by.username")
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = QuoteAttachment
        fields = ["id", "title", "original_name", "content_type", "size", "sha256", "uploaded_by", "uploaded_at",
                  "download_url"]

    def get_download_url(self, attachment: QuoteAttachment) -> str:
        return reverse("api-rfq-bid-attachment", args=[attachment.bid.rfq_id, attachment.bid_id, attachment.pk])


class QuoteAttachmentsApi(APIView):
    """A quote's attachments: the supplier's own at any time; the buyer's side only once the
    quote is opened at the close (404 before, as for anybody else)."""

    parser_classes = [MultiPartParser]

    @extend_schema(responses=QuoteAttachmentOutput(many=True))
    def get(self, request, pk: int, bid_id: int):
        attachments = quote_attachments(user=request.user, rfq_id=pk, bid_id=bid_id).select_related("bid", "uploaded_by")
        return Response(QuoteAttachmentOutput(attachments, many=True).data)

    @extend_schema(request={"multipart/form-data": AttachmentInput}, responses={201: QuoteAttachmentOutput})
    def post(self, request, pk: int, bid_id: int):
        serializer = AttachmentInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        attachment = quote_attachment_add(user=request.user, rfq_id=pk, bid_id=bid_id, title=data["title"],
                                          upload=data["file"])
        return Response(QuoteAttachmentOutput(attachment).data, status=status.HTTP_201_CREATED)


class QuoteAttachmentDownloadApi(APIView):
    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(responses={(200, media_type): OpenApiTypes.BINARY for media_type in DOWNLOAD_MEDIA_TYPES})
    def get(self, request, pk: int, bid_id: int, attachment_id: int):
        attachment = quote_attachment_get(user=request.user, rfq_id=pk, bid_id=bid_id, pk=attachment_id)
        try:
            content = quote_attachment_content(attachment)
        except FileNotFoundError:
            raise Http404("The stored file is missing.") from None
        response = HttpResponse(content, content_type=attachment.content_type)
        response["Content-Disposition"] = content_disposition_header(True, attachment.original_name)
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response


def attachment_file_response(attachment: RFQAttachment) -> FileResponse:
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("The stored file is missing.") from None
    response = FileResponse(handle, as_attachment=True, filename=attachment.original_name,
                            content_type=attachment.content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
