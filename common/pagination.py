"""Lists: a whole JSON array, or a page when the client asks for one (api.md "Lots and finding
things": `?limit=`/`?offset=` → `{count, next, previous, results}`).

A limit or offset that is not a whole number in range is a 400, never silently ignored (a
client that sent `?limit=-1` and got everything would not know its request was wrong).
"""
from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer
from rest_framework import serializers
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response

from .schema import ID_MAX

MAX_LIMIT = 500
MAX_OFFSET = ID_MAX  # what the database can skip (a bigint); longer digit strings would not even parse
DEFAULT_LIMIT = 50

PAGE_PARAMETERS = [
    OpenApiParameter("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}, required=False,
                     description=f"Return a page of at most this many items (1–{MAX_LIMIT}) instead of the whole list."),
    OpenApiParameter("offset", {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET}, required=False, description="Skip this many items (with or without limit)."),
]


def _whole_number(request, name: str, *, minimum: int, maximum: int | None) -> int | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    bound = f"from {minimum} to {maximum}" if maximum is not None else f"of at least {minimum}"
    maximum = MAX_OFFSET if maximum is None else maximum
    if not raw.isascii() or not raw.isdigit() or len(raw) > 19 or not minimum <= int(raw) <= maximum:
        raise serializers.ValidationError({name: [f"A whole number {bound}."]})
    return int(raw)


class OptionalPagination(LimitOffsetPagination):
    max_limit = MAX_LIMIT
    default_limit = DEFAULT_LIMIT

    def paginate_queryset(self, queryset, request, view=None):
        limit = _whole_number(request, self.limit_query_param, minimum=1, maximum=MAX_LIMIT)
        offset = _whole_number(request, self.offset_query_param, minimum=0, maximum=None)
        if limit is None and offset is None:
            return None
        self.request, self.limit, self.offset = request, limit or DEFAULT_LIMIT, offset or 0
        self.count = self.get_count(queryset)
        return list(queryset[self.offset:self.offset + self.limit])


def list_response(request, items, serializer_class, *, context: dict | None = None) -> Response:
    """The whole list as an array, or the page asked for."""
    context = {"request": request, **(context or {})}
    paginator = OptionalPagination()
    page = paginator.paginate_queryset(items, request)
    if page is None:
        return Response(serializer_class(items, many=True, context=context).data)
    return paginator.get_paginated_response(serializer_class(page, many=True, context=context).data)


def list_schema(serializer_class, name: str) -> PolymorphicProxySerializer:
    """The two shapes of a list response, for the OpenAPI schema."""
    page = type(f"{name}Page", (serializers.Serializer,), {
        "count": serializers.IntegerField(min_value=0),
        "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
        "results": serializer_class(many=True),
    })
    return PolymorphicProxySerializer(component_name=f"{name}List", resource_type_field_name=None,
                                      serializers=[serializer_class(many=True), page()], many=False)
