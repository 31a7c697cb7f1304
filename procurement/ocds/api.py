"""GET /api/v1/rfqs/{id}/ocds/ and .../ocds/record/ (api.md "OCDS export")."""
from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from auctions.access import rfq_get
from common.errors import Conflict, Forbidden
from common.schema import api_errors
from rfqs.models import RFQ

from .package import VERSION, record_package, release_package, rfq_releases


class NotPublished(Conflict):
    code = "not_published"


def rfq_for_ocds(*, user: User | AnonymousUser, pk: int) -> RFQ:
    """The RFQ's buyer organisation and compliance; 404 for whoever may not see the RFQ, 403 for
    an invited supplier (it sees the RFQ, its role may not export it)."""
    rfq = rfq_get(user=user, pk=pk)
    owner = isinstance(user, User) and user.is_buyer and rfq.buyer_organization_id == user.buyer_organization_id
    if not (owner or (isinstance(user, User) and user.is_compliance)):
        raise Forbidden("Only the buyer organisation and compliance export an RFQ as OCDS.")
    return rfq


def _releases(request: Request, pk: int) -> tuple[RFQ, list[dict[str, Any]]]:
    rfq = rfq_for_ocds(user=request.user, pk=pk)
    releases = rfq_releases(rfq)
    if not releases:  # a draft: nothing was published, there is no tender to release
        raise NotPublished("The RFQ is not published yet; its OCDS releases start at publication.")
    return rfq, releases


def _package_schema(name: str, key: str) -> Any:
    return inline_serializer(name, {
        "uri": serializers.URLField(), "version": serializers.ChoiceField(choices=[VERSION]),
        "publishedDate": serializers.DateTimeField(),
        "publisher": inline_serializer(f"{name}Publisher", {"name": serializers.CharField()}),
        "extensions": serializers.ListField(child=serializers.URLField()),
        key: serializers.ListField(child=serializers.JSONField(), min_length=1)})


NOT_PUBLISHED = OpenApiResponse(description="not_published: the RFQ is a draft; releases start at publication")


class OcdsReleasePackageApi(APIView):
    @extend_schema(responses={200: _package_schema("OcdsReleasePackage", "releases"), 409: NOT_PUBLISHED},
                   summary="The RFQ as an OCDS 1.1 release package, one release per stage (buyer, compliance)")
    @api_errors(409)
    def get(self, request: Request, pk: int) -> Response:
        rfq, releases = _releases(request, pk)
        return Response(release_package(rfq, releases=releases, uri=request.build_absolute_uri()))


class OcdsRecordApi(APIView):
    @extend_schema(responses={200: _package_schema("OcdsRecordPackage", "records"), 409: NOT_PUBLISHED},
                   summary="The RFQ's OCDS record: its releases and the compiled release (buyer, compliance)")
    @api_errors(409)
    def get(self, request: Request, pk: int) -> Response:
        rfq, releases = _releases(request, pk)
        return Response(record_package(rfq, releases=releases, uri=request.build_absolute_uri()))
