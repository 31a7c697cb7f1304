"""/api/v1/rfqs/{id}/amendments/ (api.md "Around the event"); rules in .amendments."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from auctions.access import rfq_get
from common.api import body_object
from common.fields import StrictCharField
from rfqs.models import Amendment

from .amendments.selectors import amendment_view, amendments_for
from .amendments.services import amendment_acknowledge, amendment_make
from .serializers import LineItemInput


class AmendmentInput(serializers.Serializer):
    reason = StrictCharField(max_length=Amendment.REASON_MAX)
    bidding_deadline = serializers.DateTimeField(required=False)
    description = StrictCharField(required=False, allow_blank=True, max_length=10000)
    line_items = LineItemInput(many=True, required=False, allow_empty=False, max_length=500)


class AcknowledgingSupplier(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class AcknowledgementOutput(serializers.Serializer):
    supplier = AcknowledgingSupplier()
    acknowledged_at = serializers.DateTimeField()


class AmendmentOutput(serializers.Serializer):
    """`acknowledged_at` for suppliers (their own, or null); `acknowledgements` for the buyer
    and compliance."""
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    reason = serializers.CharField()
    changes = serializers.JSONField(help_text='{field: {"from": ..., "to": ...}} for bidding_deadline, '
                                              "description and line_items")
    created_at = serializers.DateTimeField()
    acknowledged_at = serializers.DateTimeField(allow_null=True, required=False)
    acknowledgements = AcknowledgementOutput(many=True, required=False)


class AcknowledgementResult(serializers.Serializer):
    number = serializers.IntegerField()
    acknowledged_at = serializers.DateTimeField()


class AmendmentsApi(APIView):
    @extend_schema(responses=AmendmentOutput(many=True))
    def get(self, request, pk: int):
        rfq = rfq_get(user=request.user, pk=pk, with_line_items=False)
        return Response(AmendmentOutput(amendments_for(user=request.user, rfq=rfq), many=True).data)

    @extend_schema(request=AmendmentInput, responses={201: AmendmentOutput})
    def post(self, request, pk: int):
        rfq = rfq_get(user=request.user, pk=pk, with_line_items=False)
        serializer = AmendmentInput(data=body_object(request))
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        amendment = amendment_make(rfq=rfq, user=request.user, reason=data.pop("reason"), data=data)
        return Response(AmendmentOutput(amendment_view(amendment, user=request.user)).data,
                        status=status.HTTP_201_CREATED)


class AmendmentAcknowledgeApi(APIView):
    @extend_schema(request=None, responses=AcknowledgementResult)
    def post(self, request, pk: int, number: int):
        rfq = rfq_get(user=request.user, pk=pk, with_line_items=False)
        acknowledgement = amendment_acknowledge(rfq=rfq, user=request.user, number=number)
        return Response({"number": number, "acknowledged_at": acknowledgement.acknowledged_at})
