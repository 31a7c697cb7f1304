"""Error answers written below Django, by the HTTP servers themselves, in the contract's
format (api.md "Errors"): a request the server cannot read never reaches a view, and its
answer should read as every other 4xx does.

No Django here: Gunicorn imports its worker class (common.gunicorn_worker) in the arbiter,
before any settings are configured.
"""
from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any


def error_body(code: str, message: str, fields: dict | None = None,
               violations: list | None = None) -> dict[str, Any]:
    """The contract's error body (common.errors builds every API error with it)."""
    return {"error": {"code": code, "message": message, "fields": fields or {},
                      "violations": violations or []}}


def error_answer(status: int, code: str, message: str) -> bytes:
    """A complete HTTP/1.1 answer with the contract's error body, closing the connection."""
    body = json.dumps(error_body(code, message), separators=(",", ":")).encode()
    head = (f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\n"
            "Content-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n"
            "X-Content-Type-Options: nosniff\r\n"
            "Connection: close\r\n\r\n")
    return head.encode("ascii") + body
