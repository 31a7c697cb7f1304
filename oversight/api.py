"""Audit trail endpoints (compliance only)."""
from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from common.errors import Forbidden, NotFound
from common.pagination import PAGE_PARAMETERS, list_response, list_schema
from common.schema import ID_MAX, ID_SCHEMA, api_errors

from .selectors import audit_events_for
from .verify import audit_verify, rfq_known


class AuditEventOutput(serializers.Serializer):
    seq = serializers.IntegerField()
    stream = serializers.CharField()
    rfq = serializers.IntegerField(source="rfq_id", allow_null=True)
    type = serializers.CharField()
    actor = serializers.CharField(source="actor_name")
    at = serializers.DateTimeField()
    payload = serializers.JSONField()
    prev_hash = serializers.CharField()
    hash = serializers.CharField()


def _require_compliance(user) -> None:
    if not user.is_compliance:
        raise Forbidden("Only compliance officers read the audit trail.")


def _rfq_param(request) -> int | None:
    raw = request.query_params.get("rfq")
    if raw is None:
        return None
    # An RFQ id as the schema says: a positive integer within the id range (empty is none).
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 19 and 0 < int(raw) <= ID_MAX):
        raise serializers.ValidationError({"rfq": ["An RFQ id is a positive whole number."]})
    return int(raw)


RFQ_PARAM = OpenApiParameter("rfq", ID_SCHEMA, required=False, description="Limit to one RFQ's stream")


class AuditEventListApi(APIView):
    @extend_schema(operation_id="audit_events_list", responses=list_schema(AuditEventOutput, "AuditEvent"),
                   parameters=[RFQ_PARAM, *PAGE_PARAMETERS])
    def get(self, request):
        _require_compliance(request.user)
        rfq_id = _rfq_param(request)
        return list_response(request, audit_events_for(rfq_id=rfq_id), AuditEventOutput)


ProblemOutput = inline_serializer("AuditProblem", many=True, fields={
    "seq": serializers.IntegerField(), "stream": serializers.CharField(),
    "kind": serializers.CharField(help_text="chain, missing, checkpoint or state"),
    "detail": serializers.CharField()})
CheckpointOutput = inline_serializer("AuditCheckpoint", {
    "format": serializers.CharField(), "stream": serializers.CharField(), "seq": serializers.IntegerField(),
    "head_hash": serializers.CharField(), "at": serializers.DateTimeField(), "key_fingerprint": serializers.CharField(),
    "public_key": serializers.CharField(), "signature": serializers.CharField()}, allow_null=True)


class AuditVerifyApi(APIView):
    @extend_schema(parameters=[RFQ_PARAM], responses=inline_serializer("AuditVerification", {
        "ok": serializers.BooleanField(), "checked": serializers.IntegerField(),
        "first_bad_seq": serializers.IntegerField(allow_null=True),
        "stream": serializers.CharField(allow_null=True), "problem": serializers.CharField(),
        "problems": ProblemOutput,
        # With ?rfq=: the stream's latest signed checkpoint outside the database, as stored.
        "checkpoint": CheckpointOutput}))
    @api_errors(404)  # ?rfq= naming no RFQ and nothing recorded of one
    def get(self, request):
        _require_compliance(request.user)
        rfq_id = _rfq_param(request)
        if rfq_id is not None and not rfq_known(rfq_id):
            raise NotFound(f"There is no RFQ {rfq_id} and nothing recorded of one.")
        result = audit_verify(rfq_id=rfq_id)
        return Response({"ok": result.ok, "checked": result.checked, "first_bad_seq": result.first_bad_seq,
                         "stream": result.stream, "problem": result.problem,
                         "problems": [problem.as_dict() for problem in result.problems],
                         "checkpoint": result.checkpoint})
