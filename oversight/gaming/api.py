"""GET /api/v1/rfqs/{id}/alerts/ (api.md): an RFQ's gaming alerts with their evidence."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .selectors import gaming_alerts_for


class GamingAlertOutput(serializers.Serializer):
    id = serializers.IntegerField()
    rfq = serializers.IntegerField(source="rfq_id")
    detector = serializers.CharField()
    key = serializers.CharField()
    severity = serializers.CharField()
    summary = serializers.CharField()
    supplier_ids = serializers.ListField(child=serializers.IntegerField())
    evidence = serializers.JSONField()
    phase = serializers.CharField()
    raised_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class GamingAlertsApi(APIView):
    @extend_schema(responses=GamingAlertOutput(many=True))
    def get(self, request, pk: int):
        return Response(GamingAlertOutput(gaming_alerts_for(user=request.user, rfq_id=pk), many=True).data)
