"""OpenAPI: the schema says what the API really does (api.md: "describe every endpoint truthfully").

Each operation documents, besides its success body, every error status it can answer, with
api.md's error body. Most of them follow from the operation's shape, so they are added
here rather than per view:

- 400 where the caller sends something to validate: a body, a query or a header parameter;
- 401 and 403 where the caller must be authenticated (403: a role the operation refuses, and
  the CSRF check of a cookie-authenticated write);
- 404 where the path names an object (not found, or not visible to the caller);
- 409 on authenticated writes (a state conflict);
- 415 where there is a body (another media type than the documented one);

and a view declares the rest with `@api_errors(...)` (409 on a read that needs the close,
422/429 where rules refuse bids, 421 for the event stream outside the ASGI server).
Path ids are positive integers within the database's id range (bigint).
"""
from __future__ import annotations

from collections.abc import Callable

from django.core.validators import RegexValidator
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers
from rest_framework.permissions import AllowAny

# Ids are PostgreSQL bigints (DEFAULT_AUTO_FIELD = BigAutoField); larger ones name nothing (404).
# So are seqs and offsets.
BIGINT_MIN, ID_MAX = -2**63, 2**63 - 1
ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": ID_MAX}
# A required text is trimmed by DRF (str.strip), then refused when blank: it needs one character
# Python does not count as whitespace (str.isspace). OpenAPI patterns are ECMA-262, whose `\s`
# is another set (without \x1c-\x1f and \x85, with \ufeff): the set is spelled out, the same in
# both dialects (checked against every code point by common/tests/test_not_blank_pattern.py).
NOT_BLANK_PATTERN = r"[^\t\n\v\f\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
SEQ_SCHEMA = {"type": "integer", "minimum": 0, "maximum": ID_MAX}


def in_bigint(number: int) -> bool:
    """Whether a number fits a bigint column. A larger one in a query is the database's error
    (PostgreSQL: out of range; SQLite: OverflowError), so as an id it can only name nothing."""
    return BIGINT_MIN <= number <= ID_MAX


class ViolationSchema(serializers.Serializer):
    rule = serializers.CharField()
    category = serializers.CharField()
    severity = serializers.ChoiceField(choices=["block", "warn", "log"])
    message = serializers.CharField()
    reason = serializers.CharField(allow_null=True)
    metadata = serializers.DictField()


class ErrorDetailSchema(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    violations = ViolationSchema(many=True)


class ErrorSchema(serializers.Serializer):
    error = ErrorDetailSchema()


ERROR_DESCRIPTIONS = {
    400: "Malformed or invalid input",
    401: "Not authenticated",
    403: "Authenticated, but this role may not do this",
    404: "Not found, or not visible to the caller",
    409: "State conflict (e.g. invalid_transition)",
    415: "Unsupported media type",
    421: "Served by another server (the ASGI one)",
    422: "Refused by the bidding rules (bid_rejected, violations listed)",
    429: "Rate limited; retry after Retry-After seconds",
}
WRITES = ("POST", "PUT", "PATCH", "DELETE")


def api_errors(*statuses: int) -> Callable:
    """Declare error statuses a view method answers beyond those its shape implies."""
    def mark(method):
        method.api_errors = tuple(statuses)
        return method
    return mark


class QuaysideAutoSchema(AutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "path" and parameter["schema"].get("type") == "integer":
                parameter["schema"] = dict(ID_SCHEMA)
        self._add_error_responses(operation)
        return operation

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        # A required text is trimmed, then refused when blank (NOT_BLANK_PATTERN).
        if (direction == "request" and isinstance(field, serializers.CharField) and not field.allow_blank
                and field.trim_whitespace and schema.get("type") == "string" and "pattern" not in schema
                and "format" not in schema
                and not any(isinstance(v, RegexValidator) for v in field.validators)):  # its own pattern says more
            schema["pattern"] = NOT_BLANK_PATTERN
        return schema

    def _authenticated(self) -> bool:
        view = self.view
        return bool(view.get_authenticators()) and not any(
            isinstance(permission, AllowAny) for permission in view.get_permissions())

    def error_statuses(self, operation: dict) -> set[int]:
        parameters = operation.get("parameters", [])
        has_body = "requestBody" in operation
        statuses: set[int] = set()
        if has_body or any(p["in"] != "path" for p in parameters):
            statuses.add(400)
        if self._authenticated():
            statuses |= {401, 403}
            if self.method in WRITES:
                statuses.add(409)
        if any(p["in"] == "path" for p in parameters):
            statuses.add(404)
        if has_body:
            statuses.add(415)
        handler = getattr(self.view, self.method.lower(), None)
        statuses |= set(getattr(handler, "api_errors", ()))
        return statuses

    def _add_error_responses(self, operation: dict) -> None:
        ref = self.resolve_serializer(ErrorSchema, "response").ref
        responses = operation["responses"]
        for status in sorted(self.error_statuses(operation)):
            existing = responses.get(str(status), {})
            response = {"description": existing.get("description") or ERROR_DESCRIPTIONS[status],
                        # Errors are JSON whatever format was asked for (e.g. ?format=pdf).
                        "content": {"application/json": {"schema": ref}}}
            if status == 429:
                response["headers"] = {"Retry-After": {
                    "schema": {"type": "integer", "minimum": 1}, "required": True,
                    "description": "Seconds to wait before trying again"}}
            responses[str(status)] = response
        operation["responses"] = dict(sorted(responses.items()))
