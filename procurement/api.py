"""RFQ endpoints: parse → one service → serialise. Authorisation comes from selectors."""
from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import (
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from auctions.access import rfq_get, rfq_get_for_buyer_action
from auctions.exports.downloads import download_responses, format_parameter
from auctions.scenarios import TEMPLATES
from common.api import body_object
from common.errors import Forbidden, InvalidTransition, NotFound
from common.fields import StrictCharField, StrictIntegerField
from common.listing import (
    choice_parameter,
    moment_parameter,
    ordering_parameter,
    search_parameter,
    slug_parameter,
)
from common.money import MoneyField
from common.pagination import PAGE_PARAMETERS, list_response, list_schema
from common.renderers import CSV_MEDIA_TYPE, CSVRenderer, DownloadFormatsMixin, download, export_format
from common.schema import ID_MAX, ID_SCHEMA
from rfqs.models import AuctionType, RFQStatus
from suppliers import services as supplier_services
from suppliers.selectors import invitations_for_rfq
from suppliers.serializers import InvitationCreateInput, InvitationOutput, InvitationResponseInput

from . import services
from .exports import rfq_list_csv
from .selectors import RFQ_DEFAULT_ORDERING, RFQ_ORDERING, RFQFilters, rfq_list_filtered
from .serializers import RFQInput, RFQOutput

RFQ_LIST_PARAMETERS = [
    search_parameter("Text in the title, the description or the reference (RFQ-000042 or 42)."),
    choice_parameter("status", RFQStatus.values), choice_parameter("auction_type", AuctionType.values),
    slug_parameter("category", "A category slug"),
    moment_parameter("deadline_after", "Bidding deadline at or after this moment."),
    moment_parameter("deadline_before", "Bidding deadline before this moment."),
    ordering_parameter(RFQ_ORDERING, RFQ_DEFAULT_ORDERING),
]


def rfq_response(request, rfq, status_code=200) -> Response:
    rfq = rfq_get(user=request.user, pk=rfq.pk)  # fresh, with what this caller may see
    return Response(RFQOutput(rfq, context={"request": request}).data, status=status_code)


class RFQListCreateApi(DownloadFormatsMixin, APIView):
    download_renderers = (CSVRenderer,)

    @extend_schema(operation_id="rfqs_list", responses=download_responses(list_schema(RFQOutput, "RFQ"), xlsx=False),
                   parameters=[*RFQ_LIST_PARAMETERS, *PAGE_PARAMETERS,
                               format_parameter("json", "csv", description="csv: the same rows, one line each "
                                                                           "(buyer, compliance)")])
    def get(self, request):
        kind = export_format(request)
        filters = RFQFilters.from_query(request.query_params)
        response = list_response(request, rfq_list_filtered(user=request.user, filters=filters), RFQOutput)
        if kind == "csv":
            return download(rfq_list_csv(response.data), "RFQs.csv", CSV_MEDIA_TYPE)
        return response

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
        if rfq.status != RFQStatus.DRAFT:  # api.md: draft only, else 409, whatever the body says
            raise InvalidTransition(f"Only a draft can be edited; this RFQ is {rfq.get_status_display().lower()}.")
        serializer = RFQInput(rfq, data=body_object(request), partial=True)
        serializer.is_valid(raise_exception=True)
        rfq = services.rfq_update(rfq=rfq, user=request.user, data=serializer.validated_data)
        return rfq_response(request, rfq)


class ReasonInput(serializers.Serializer):
    reason = StrictCharField(required=False, allow_blank=True, default="", max_length=2000)


class CancelInput(serializers.Serializer):
    reason = StrictCharField(max_length=2000)


class ManualAwardLineInput(serializers.Serializer):
    line_item_id = StrictIntegerField(min_value=1, max_value=ID_MAX)
    bid_id = StrictIntegerField(min_value=1, max_value=ID_MAX)
    quantity = StrictIntegerField(min_value=1, max_value=2**31)


@extend_schema_field({"oneOf": [
    {"type": "string", "enum": ["recommended"], "description": "The allocation the evaluation recommends."},
    {"type": "array", "minItems": 1, "maxItems": 5000, "description": (
        "A manual selection (an override; reason required): every line covered exactly, each quantity within "
        "its offer's min/max (bundles: a bid's lines are exactly one of its bundles)."),
     "items": {"type": "object", "required": ["line_item_id", "bid_id", "quantity"], "additionalProperties": False,
               "properties": {"line_item_id": ID_SCHEMA, "bid_id": ID_SCHEMA,
                              "quantity": {"type": "integer", "minimum": 1, "maximum": 2**31}}}}]})
class AllocationChoiceField(serializers.Field):
    """"recommended", or a list of {line_item_id, bid_id, quantity}."""

    default_error_messages = {"invalid": "Send \"recommended\" or a list of {{line_item_id, bid_id, quantity}}."}

    def to_internal_value(self, data):
        if data == "recommended":
            return data
        if not isinstance(data, list) or not data or len(data) > 5000:
            self.fail("invalid")
        rows = ManualAwardLineInput(data=data, many=True)
        if not rows.is_valid():
            raise serializers.ValidationError(rows.errors)
        if any(set(item) - {"line_item_id", "bid_id", "quantity"} for item in data):
            self.fail("invalid")
        return [dict(row) for row in rows.validated_data]

    def to_representation(self, value):
        return value


class AwardInput(ReasonInput):
    """A whole award names the bid; a split or bundle award sends the allocation."""

    bid_id = StrictIntegerField(min_value=1, max_value=ID_MAX, required=False,
                                help_text="Whole awards: the bid to award.")
    allocation = AllocationChoiceField(required=False, help_text=(
        "Split and bundle awards: \"recommended\", or a manual selection of lines (reason required)."))

    def validate(self, attrs):
        if ("bid_id" in attrs) == ("allocation" in attrs):
            raise serializers.ValidationError(
                {"bid_id": ["Send bid_id (a whole award) or allocation (a split or bundle award), not both."]
                 if "bid_id" in attrs else ["This field is required (or allocation, for a split or bundle award)."]})
        return attrs


class ReopenInput(ReasonInput):
    bidding_deadline = serializers.DateTimeField(
        required=False, allow_null=True, default=None,
        help_text="The new deadline: in the future (an RFQ reopened after no award only), else 400.")
    reserve_amount = MoneyField(required=False, allow_null=True, default=None,
                                help_text="A lowered reserve; a higher one is a 400.")

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


class WholeAwardInput(ReasonInput):
    bid_id = StrictIntegerField(min_value=1, max_value=ID_MAX, help_text="The bid to award.")


class AllocationAwardInput(ReasonInput):
    allocation = AllocationChoiceField(help_text=(
        "\"recommended\", or a manual selection of lines (an override: reason required)."))


# The body of /award/: a whole award names the bid, a split or bundle award the allocation.
AWARD_REQUEST = PolymorphicProxySerializer(component_name="AwardInput", serializers=[
    WholeAwardInput, AllocationAwardInput], resource_type_field_name=None)


def transition_view(name: str, input_serializer=ReasonInput, request_schema=None):
    view_class = type(f"RFQ{name.title()}Api", (RFQTransitionApi,),
                      {"transition": name, "input_serializer": input_serializer})
    # extend_schema_view isolates the inherited post() per view; decorating
    # view_class.post directly would annotate the one shared function, so every
    # transition would be documented as the last one built (award).
    view_class = extend_schema_view(post=extend_schema(
        request=request_schema or input_serializer, responses=RFQOutput, operation_id=f"rfqs_{name}",
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


# The buyer's invitations of one RFQ (the supplier's side, the inbox, is in suppliers.api).
class RFQInvitationsApi(APIView):
    @extend_schema(responses=InvitationOutput(many=True))
    def get(self, request, pk: int):
        rfq = rfq_get(user=request.user, pk=pk)
        if request.user.is_supplier:
            raise Forbidden("Suppliers do not see who else was invited.")
        return Response(InvitationOutput(invitations_for_rfq(rfq=rfq), many=True).data)

    @extend_schema(request=InvitationCreateInput, responses={201: InvitationOutput(many=True)})
    def post(self, request, pk: int):
        rfq = rfq_get_for_buyer_action(user=request.user, pk=pk)
        serializer = InvitationCreateInput(data=body_object(request))
        serializer.is_valid(raise_exception=True)
        invitations = supplier_services.invitation_create_many(
            rfq=rfq, supplier_ids=serializer.validated_data["supplier_ids"], user=request.user)
        return Response(InvitationOutput(invitations, many=True).data, status=status.HTTP_201_CREATED)


class RFQInvitationRevokeApi(APIView):
    @extend_schema(request=InvitationResponseInput, responses=InvitationOutput)
    def post(self, request, pk: int, invitation_id: int):
        rfq = rfq_get_for_buyer_action(user=request.user, pk=pk)
        invitation = invitations_for_rfq(rfq=rfq).filter(pk=invitation_id).first()
        if invitation is None:
            raise NotFound("Invitation not found.")
        serializer = InvitationResponseInput(data=body_object(request))
        serializer.is_valid(raise_exception=True)
        invitation = supplier_services.invitation_revoke(invitation=invitation, user=request.user,
                                                reason=serializer.validated_data["reason"])
        return Response(InvitationOutput(invitation).data)
