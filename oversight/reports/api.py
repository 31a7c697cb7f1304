"""GET /rfqs/{id}/fairness-report/ (JSON, or the PDF with ?format=pdf) and POST …/certify/.

`?format=pdf` (or `Accept: application/pdf`) picks `PDFRenderer`; any other format, an empty
one included, is a 400 naming json and pdf, as on every download (common.renderers). Errors
are always api.md's JSON body, whatever format was asked for.
"""
from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.renderers import BaseRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.models import Recommendation
from common.api import body_object
from common.fields import StrictCharField, StrictIntegerField
from common.renderers import DownloadFormatsMixin
from common.schema import api_errors

from .gate import award_gate
from .pdf import report_pdf
from .selectors import certification_as_dict, rfq_for_certification, rfq_for_fairness_report
from .services import fairness_certify, fairness_report_current


class PDFRenderer(BaseRenderer):
    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data  # the view hands over the finished document


def report_body(report) -> dict:
    return {"rfq_id": report.rfq_id, "version": report.version,
            "generated_at": report.generated_at.isoformat().replace("+00:00", "Z"),
            "content_hash": report.content_hash, **report.data}


# product.md §5: the report's sections follow these keys (each an object or list of its own).
REPORT_SCHEMA = inline_serializer("FairnessReport", {
    "rfq_id": serializers.IntegerField(), "version": serializers.IntegerField(min_value=1),
    "generated_at": serializers.DateTimeField(), "content_hash": serializers.CharField()})


class FairnessReportApi(DownloadFormatsMixin, APIView):
    download_renderers = (PDFRenderer,)

    @extend_schema(
        parameters=[OpenApiParameter("format", str, enum=["json", "pdf"], required=False,
                                     description="pdf: the report as a PDF document with its charts")],
        responses={(200, "application/json"): REPORT_SCHEMA, (200, "application/pdf"): OpenApiTypes.BINARY},
        summary="The fairness-audit report of a closed auction (buyer, compliance)")
    @api_errors(409)
    def get(self, request, pk: int):
        rfq = rfq_for_fairness_report(user=request.user, pk=pk)
        report = fairness_report_current(rfq=rfq)
        if getattr(request.accepted_renderer, "format", "") == "pdf":
            response = Response(report_pdf(report, report.data), content_type="application/pdf")
            response["Content-Disposition"] = (f'inline; filename="fairness-report-{rfq.reference}-'
                                               f'v{report.version}.pdf"')
            return response
        return Response(report_body(report))


class CertifyInput(serializers.Serializer):
    recommendation = serializers.ChoiceField(choices=Recommendation.values)
    findings = serializers.ListField(child=StrictCharField(max_length=2000, allow_blank=False),
                                     max_length=100, required=False, default=list)
    # The report version the officer read: refused with 409 if new facts made a newer one.
    report_version = StrictIntegerField(required=False, min_value=1, max_value=2**31 - 1, default=None)


CertifyOutput = inline_serializer("Certification", {
    "certification": inline_serializer("CertificationRecord", {
        "id": serializers.IntegerField(), "rfq": serializers.IntegerField(), "officer": serializers.CharField(),
        "at": serializers.DateTimeField(), "recommendation": serializers.CharField(),
        "findings": serializers.ListField(child=serializers.CharField()),
        "report_version": serializers.IntegerField()}),
    "award_gate": serializers.JSONField()})


class FairnessCertifyApi(APIView):
    @extend_schema(request=CertifyInput, responses={200: CertifyOutput, 409: OpenApiResponse(
        description="Bidding has not closed yet, or the report read is no longer the current one")},
        summary="Certify the fairness audit (compliance)")
    def post(self, request, pk: int):
        rfq = rfq_for_certification(user=request.user, pk=pk)
        serializer = CertifyInput(data=body_object(request))
        serializer.is_valid(raise_exception=True)
        certification = fairness_certify(rfq=rfq, officer=request.user, **serializer.validated_data)
        return Response({"certification": certification_as_dict(certification),
                         "award_gate": award_gate(rfq=rfq).as_dict()})
