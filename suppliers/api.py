"""Supplier directory, KYC and invitation endpoints."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import body_object
from common.errors import Forbidden
from common.listing import choice_parameter, ordering_parameter, search_parameter, slug_parameter
from common.pagination import PAGE_PARAMETERS, list_response, list_schema

from . import services
from .models import KycStatus, Tier
from .selectors import (
    COUNTRY_CODES,
    INVITATION_ORDERING,
    SUPPLIER_ORDERING,
    SUPPLIER_VISIBLE_INVITATION,
    InvitationFilters,
    SupplierFilters,
    invitation_get_for_supplier,
    invitations_for_supplier,
    supplier_directory,
    supplier_get,
)
from .serializers import (
    InvitationOutput,
    InvitationResponseInput,
    KycDecisionInput,
    KycDocumentInput,
    KycDocumentOutput,
    KycRejectInput,
    OwnSupplierOutput,
    SigningPolicyInput,
    SupplierOutput,
)
from .signing_keys import signing_policy_set


def own_supplier(user):
    if not user.is_supplier:
        raise Forbidden("Only supplier users have a company profile.")
    return user.supplier


SUPPLIER_LIST_PARAMETERS = [
    search_parameter("Text in the company name."),
    choice_parameter("country", COUNTRY_CODES, "An ISO 3166-1 alpha-2 country code"),
    choice_parameter("tier", Tier.values), choice_parameter("kyc_status", KycStatus.values),
    slug_parameter("category", "A category slug"), ordering_parameter(SUPPLIER_ORDERING, "name"),
]
INVITATION_LIST_PARAMETERS = [
    search_parameter("Text in the RFQ's title or buyer, or its reference (RFQ-000042 or 42)."),
    choice_parameter("status", [str(status) for status in SUPPLIER_VISIBLE_INVITATION]),
    ordering_parameter(INVITATION_ORDERING, "-sent_at"),
]


class SupplierListApi(APIView):
    @extend_schema(operation_id="suppliers_list", responses=list_schema(SupplierOutput, "Supplier"),
                   parameters=[*SUPPLIER_LIST_PARAMETERS, *PAGE_PARAMETERS])
    def get(self, request):
        filters = SupplierFilters.from_query(request.query_params)
        return list_response(request, supplier_directory(user=request.user, filters=filters), SupplierOutput)


class SupplierDetailApi(APIView):
    @extend_schema(responses=SupplierOutput)
    def get(self, request, pk: int):
        return Response(SupplierOutput(supplier_get(user=request.user, pk=pk)).data)


class SupplierMeApi(APIView):
    @extend_schema(responses=OwnSupplierOutput)
    def get(self, request):
        return Response(OwnSupplierOutput(own_supplier(request.user)).data)

    @extend_schema(request=SigningPolicyInput, responses=OwnSupplierOutput)
    def patch(self, request):
        """The company's settings it keeps itself: today, whether its unsigned bids are refused."""
        supplier = own_supplier(request.user)
        data = SigningPolicyInput(data=body_object(request))
        data.is_valid(raise_exception=True)
        if "require_signed_bids" in data.validated_data:
            supplier = signing_policy_set(supplier=supplier, user=request.user, **data.validated_data)
        return Response(OwnSupplierOutput(supplier).data)


class KycDocumentApi(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(responses=KycDocumentOutput(many=True))
    def get(self, request):
        return Response(KycDocumentOutput(own_supplier(request.user).kyc_documents.all(), many=True).data)

    @extend_schema(request={"multipart/form-data": KycDocumentInput}, responses={201: KycDocumentOutput})
    def post(self, request):
        supplier = own_supplier(request.user)
        serializer = KycDocumentInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        document = services.kyc_document_upload(supplier=supplier, user=request.user, kind=data["kind"],
                                                upload=data["file"], expires_on=data["expires_on"])
        return Response(KycDocumentOutput(document).data, status=status.HTTP_201_CREATED)


class KycSubmitApi(APIView):
    @extend_schema(request=None, responses=SupplierOutput)
    def post(self, request):
        supplier = services.kyc_submit(supplier=own_supplier(request.user), user=request.user)
        return Response(SupplierOutput(supplier).data)


class KycDecisionApi(APIView):
    approve: bool = True

    def get_input_serializer(self):
        return KycDecisionInput if self.approve else KycRejectInput

    def post(self, request, pk: int):
        supplier = supplier_get(user=request.user, pk=pk)
        if not request.user.is_compliance:
            raise Forbidden("Only compliance officers decide on KYC.")
        serializer = self.get_input_serializer()(data=body_object(request))
        serializer.is_valid(raise_exception=True)
        decide = services.kyc_approve if self.approve else services.kyc_reject
        supplier = decide(supplier=supplier, officer=request.user, reason=serializer.validated_data["reason"])
        return Response(SupplierOutput(supplier).data)


@extend_schema_view(post=extend_schema(request=KycDecisionInput, responses=SupplierOutput))
class KycApproveApi(KycDecisionApi):
    approve = True


@extend_schema_view(post=extend_schema(request=KycRejectInput, responses=SupplierOutput))
class KycRejectApi(KycDecisionApi):
    approve = False


class InvitationInboxApi(APIView):
    @extend_schema(operation_id="invitations_list", responses=list_schema(InvitationOutput, "Invitation"),
                   parameters=[*INVITATION_LIST_PARAMETERS, *PAGE_PARAMETERS])
    def get(self, request):
        own_supplier(request.user)
        filters = InvitationFilters.from_query(request.query_params)
        return list_response(request, invitations_for_supplier(user=request.user, filters=filters), InvitationOutput)


class InvitationRespondApi(APIView):
    accept: bool = True

    @extend_schema(request=InvitationResponseInput, responses=InvitationOutput)
    def post(self, request, pk: int):
        invitation = invitation_get_for_supplier(user=request.user, pk=pk)
        serializer = InvitationResponseInput(data=body_object(request))
        serializer.is_valid(raise_exception=True)
        invitation = services.invitation_respond(invitation=invitation, user=request.user, accept=self.accept,
                                                 reason=serializer.validated_data["reason"])
        return Response(InvitationOutput(invitation).data)
