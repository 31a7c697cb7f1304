"""RFQ endpoints: parse → one service → serialise. Authorisation comes from selectors."""
from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from auctions.scenarios import TEMPLATES
from common.api import body_object
from common.errors import Forbidden
from common.money import MoneyField
from common.pagination import PAGE_PARAMETERS, list_response, list_schema

from . import services
from .models import RFQStatus
from .selectors import rfq_get, rfq_get_for_buyer_action, rfq_list
from .serializers import RFQInput, RFQOutput


def rfq_response(request, rfq, status_code=200) -> Response:
    rfq = rfq_get(user=request.user, pk=rfq.pk)  # fresh, with what this caller may see
    return Response(RFQOutput(rfq, context={"request": request}).data, status=status_code)


class RFQListCreateApi(APIView):
    @extend_schema(operation_id="rfqs_list", responses=list_schema(RFQOutput, "RFQ"), parameters=[
        OpenApiParameter("status", str, enum=RFQStatus.values, required=False), *PAGE_PARAMETERS])
    def get(self, request):
        wanted = request.query_params.get("status")
        if wanted and wanted not in RFQStatus.values:
            raise serializers.ValidationError({"status": [f"Unknown status; one of {', '.join(RFQStatus.values)}."]})
        return list_response(request, rfq_list(user=request.user, status=wanted), RFQOutput)

    @extend_schema(request=RFQInput, responses={201: RFQOutput})
    def post(self, request):
        if not request.user.is_buyer:
            raise Forbidden("Only buyers create RFQs.")
        serializer = RFQInput(data=body_object(request))
        serializer.is_valid(raise_exception=True)
        rfq = services.rfq_create(user=request.user, data=serializer.validated_data)
        return rfq_response(request, rfq, status.HTTP_201_CREATED)


class RFQDetailApi(APIView):
    @extend_schema(responses=RFQOutput)
    def get(self, request, pk: int):
        return rfq_response(request, rfq_get(user=request.user, pk=pk))

    @extend_schema(request=RFQInput, responses=RFQOutput)
    def patch(self, request, pk: int):
        rfq = rfq_get_for_buyer_action(user=request.user, pk=pk)
        serializer = RFQInput(rfq, data=body_object(request), partial=True)
        serializer.is_valid(raise_exception=True)
        rfq = services.rfq_update(rfq=rfq, user=request.user, data=serializer.validated_data)
        return rfq_response(request, rfq)


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class CancelInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class AwardInput(ReasonInput):
    bid_id = serializers.IntegerField(min_value=1)


class ReopenInput(ReasonInput):
    bidding_deadline = serializers.DateTimeField(required=False, allow_null=True, default=None)
    reserve_amount = MoneyField(required=False, allow_null=True, default=None)

    def validate_bidding_deadline(self, value):
        if value is not None and value <= timezone.now():
            raise serializers.ValidationError("The new deadline must be in the future.")
        return value


class RFQTransitionApi(APIView):
    """POST /rfqs/{id}/<transition>/ — the buyer moves its RFQ through the workflow."""

    transition: str = ""
    input_serializer = ReasonInput

    def post(self, request, pk: int):
        rfq = rfq_get_for_buyer_action(user=request.user, pk=pk)
        serializer = self.input_serializer(data=body_object(request))
        serializer.is_valid(raise_exception=True)
        service = getattr(services, f"rfq_{self.transition}")
        rfq = service(rfq=rfq, user=request.user, **serializer.validated_data)
        return rfq_response(request, rfq)


def transition_view(name: str, input_serializer=ReasonInput):
    view_class = type(f"RFQ{name.title()}Api", (RFQTransitionApi,),
                      {"transition": name, "input_serializer": input_serializer})
    # extend_schema_view isolates the inherited post() per view; decorating
    # view_class.post directly would annotate the one shared function, so every
    # transition would be documented as the last one built (award).
    view_class = extend_schema_view(post=extend_schema(
        request=input_serializer, responses=RFQOutput, operation_id=f"rfqs_{name}",
        summary=f"{name.title()} the RFQ"))(view_class)
    return view_class.as_view()


class AuctionTemplatesApi(APIView):
    @extend_schema(responses=inline_serializer("AuctionTemplate", {
        "id": serializers.CharField(), "name": serializers.CharField(), "description": serializers.CharField(),
        "auction_type": serializers.CharField(), "duration_minutes": serializers.IntegerField(),
        "settings": serializers.JSONField(),
    }, many=True))
    def get(self, request):
        return Response([{"id": t.id, "name": t.name, "description": t.description,
                          "auction_type": t.auction_type, "duration_minutes": t.duration_minutes,
                          "settings": t.settings()} for t in TEMPLATES])
