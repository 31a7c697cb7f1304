"""One error format for the whole API (api.md "Errors").

Every 4xx body is {"error": {"code", "message", "fields", "violations"}}. Services raise
ApplicationError subclasses; DRF and Django exceptions are translated here, so views never
build error bodies by hand.
"""
from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django_fsm import ConcurrentTransition
from kombu.exceptions import OperationalError as BrokerUnavailable
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from .raw_answers import error_body

logger = logging.getLogger(__name__)


class ApplicationError(Exception):
    """A business rule said no. Subclasses fix the HTTP status and code."""

    status_code: int = status.HTTP_400_BAD_REQUEST
    code = "invalid"

    def __init__(self, message: str, *, fields: dict[str, list[str]] | None = None,
                 violations: list[dict] | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        self.violations = violations or []
        if code:
            self.code = code


class ValidationFailed(ApplicationError):
    status_code = status.HTTP_400_BAD_REQUEST
    code = "invalid"


class NotFound(ApplicationError):
    status_code = status.HTTP_404_NOT_FOUND
    code = "not_found"


class Forbidden(ApplicationError):
    status_code = status.HTTP_403_FORBIDDEN
    code = "permission_denied"


class Conflict(ApplicationError):
    status_code = status.HTTP_409_CONFLICT
    code = "conflict"


class InvalidTransition(Conflict):
    code = "invalid_transition"


class TooManyRequests(ApplicationError):
    """Rate limited: answered with Retry-After (seconds)."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


def flatten_field_errors(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """Turn DRF's nested error detail into {"line_items[0].quantity": ["..."]}."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            # A nested serializer's own errors belong to the field that holds it
            # ("line_items", not "line_items.non_field_errors").
            if prefix and key == "non_field_errors":
                name = prefix
            elif isinstance(key, int):  # a list's errors by index
                name = f"{prefix}[{key}]"
            else:
                name = f"{prefix}.{key}" if prefix else str(key)
            out.update(flatten_field_errors(value, name))
    elif isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            out[prefix or "non_field_errors"] = [str(item) for item in detail]
        else:
            for index, item in enumerate(detail):
                if item:
                    out.update(flatten_field_errors(item, f"{prefix}[{index}]"))
    else:
        out[prefix or "non_field_errors"] = [str(detail)]
    return out


def _validation_response(detail: Any) -> Response:
    fields = flatten_field_errors(detail)
    general = fields.pop("non_field_errors", None)
    if general:
        message = " ".join(general)
    elif fields:
        first = next(iter(fields))
        message = f"Invalid input: {first}: {fields[first][0]}"
    else:
        message = "Invalid input."
    return Response(error_body("invalid", message, fields), status=400)


DRF_CODES = {
    exceptions.ParseError: "malformed_request",
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "rate_limited",
}


# Redis (cache, presence, live publisher, Celery broker) out of reach. Work after a commit runs
# in on_commit callbacks that log failures, so one of these reaching a view was raised before
# anything was stored: the honest answer is "try again shortly", not a 500.
UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, BrokerUnavailable)
UNAVAILABLE_RETRY_AFTER_SECONDS = 5


def _unavailable(exc: Exception) -> Response:
    logger.warning("answered 503: %r", exc)
    response = Response(error_body("service_unavailable", "A service we depend on is briefly unavailable; "
                                   "nothing was saved. Try again shortly."), status=503)
    response["Retry-After"] = str(UNAVAILABLE_RETRY_AFTER_SECONDS)
    return response


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, UNAVAILABLE):
        return _unavailable(exc)
    if isinstance(exc, ApplicationError):
        response = Response(
            error_body(exc.code, exc.message, exc.fields, exc.violations),
            status=exc.status_code,
        )
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None:
            response["Retry-After"] = str(retry_after)
        return response
    if isinstance(exc, RequestDataTooBig):
        # Django would answer its own HTML 400 page; the contract wants its error format.
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return Response(error_body("request_too_large", f"The request body is larger than the {limit:,} bytes "
                                   "allowed."), status=413)
    if isinstance(exc, SuspiciousOperation):  # too many fields or files in a form, a bad multipart body
        return Response(error_body("malformed_request", str(exc) or "The request body could not be read."),
                        status=400)
    if isinstance(exc, ConcurrentTransition):
        # Services lock rows before transitions, so this is a last line of defence.
        return Response(error_body("invalid_transition", "The state changed meanwhile; reload and try again."),
                        status=409)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return _validation_response(detail)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, exceptions.ValidationError):
        return _validation_response(exc.detail)

    response = exception_handler(exc, context)
    if response is None:
        return None
    code = next((c for cls, c in DRF_CODES.items() if isinstance(exc, cls)), "error")
    detail = getattr(exc, "detail", "")
    response.data = error_body(code, str(detail))
    return response
