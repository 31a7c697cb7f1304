"""Typed errors for the contract's error body (api.md "Conventions").

Every 4xx answer is `{"error": {"code", "message", "fields", "violations"}}`; each status has
its own exception class here, carrying that body. A 429 (and a 503) also carries
`retry_after`, the seconds of its Retry-After header.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass(frozen=True)
class Violation:
    """One rule's finding on a bid (api.md: rule, category, severity, message, reason, metadata)."""

    rule: str
    category: str
    severity: str
    message: str
    reason: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def blocks(self) -> bool:
        return self.severity == "block"

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Violation:
        return cls(rule=str(data.get("rule", "")), category=str(data.get("category", "")),
                   severity=str(data.get("severity", "")), message=str(data.get("message", "")),
                   reason=data.get("reason"), metadata=dict(data.get("metadata") or {}))


class QuaysideError(Exception):
    """Base of every error this client raises."""


class ConnectionFailed(QuaysideError):
    """The server could not be reached, or the connection broke before an answer came."""


class ApiError(QuaysideError):
    """The server answered with an error status; `code`, `message`, `fields` and `violations`
    come from the contract's error body (empty when the body was not in that format)."""

    status: int = 0

    def __init__(self, status: int, code: str, message: str, *, fields: dict[str, list[str]] | None = None,
                 violations: list[Violation] | None = None, retry_after: float | None = None,
                 body: Any = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message = status, code, message
        self.fields = fields or {}
        self.violations = violations or []
        self.retry_after = retry_after
        self.body = body

    @property
    def blocking(self) -> list[Violation]:
        return [violation for violation in self.violations if violation.blocks]


class BadRequest(ApiError):
    """400: malformed or invalid input (also wrong credentials at login)."""


class NotAuthenticated(ApiError):
    """401: no token, or one the server does not know."""


class Forbidden(ApiError):
    """403: the role may not do this."""


class NotFound(ApiError):
    """404: not found, or not visible to the caller."""


class Conflict(ApiError):
    """409: not allowed in the current state (`invalid_transition`, an Idempotency-Key in use)."""


class BidRejected(ApiError):
    """422: the rules refused the bid; `violations` says which and why."""


class RateLimited(ApiError):
    """429: too many bids too fast (rule rate_limit or cool_down); wait `retry_after` seconds."""


class ServiceUnavailable(ApiError):
    """5xx: the server or a service it depends on is briefly unavailable; nothing was stored
    (a 503 in the contract's format says so), so the same request may be sent again."""


BY_STATUS: dict[int, type[ApiError]] = {400: BadRequest, 401: NotAuthenticated, 403: Forbidden, 404: NotFound,
                                        409: Conflict, 422: BidRejected, 429: RateLimited}


def retry_after_seconds(response: httpx.Response) -> float | None:
    """Retry-After in seconds (the server sends whole seconds; an HTTP date is not used)."""
    raw = response.headers.get("Retry-After")
    if raw is None:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        return None


def error_from_response(response: httpx.Response) -> ApiError:
    """The exception for an error answer, with the contract's body where it has one."""
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        error = {}
    status = response.status_code
    kind = BY_STATUS.get(status) or (ServiceUnavailable if status >= 500 else ApiError)
    violations = [Violation.from_json(v) for v in error.get("violations") or [] if isinstance(v, dict)]
    fields = error.get("fields") if isinstance(error.get("fields"), dict) else {}
    return kind(status, str(error.get("code") or f"http_{status}"),
                str(error.get("message") or response.reason_phrase or "error"), fields=fields,
                violations=violations, retry_after=retry_after_seconds(response), body=body)


def raise_for_response(response: httpx.Response) -> None:
    if response.status_code >= 400:
        raise error_from_response(response)
