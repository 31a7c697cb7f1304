"""Helpers shared by the server-rendered pages of every app.

Selectors and services speak in ApplicationError (NotFound, Forbidden, …). Pages answer
those with the 404/403 error pages, exactly as the API answers them with JSON, so a page
never leaks what the selector hid.
"""
from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404

from .errors import ApplicationError, Forbidden, NotFound


def page_view(view):
    """Sign-in required; NotFound → 404 page, Forbidden → 403 page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from None
        except Forbidden as exc:
            raise PermissionDenied(exc.message) from None

    return login_required(wrapper)


def require_role(user, role: str, message: str) -> None:
    """403 unless the signed-in user has `role` (buyer, supplier, compliance)."""
    if getattr(user, "role", None) != role:
        raise PermissionDenied(message)


def flash_error(request, exc: ApplicationError) -> None:
    """Show a refused action as an error message; field messages are listed with it."""
    messages.error(request, exc.message)
