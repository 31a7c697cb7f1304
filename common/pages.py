"""Helpers shared by the server-rendered pages of every app.

Selectors and services speak in ApplicationError (NotFound, Forbidden, …). Pages answer
those with the 404/403 error pages, exactly as the API answers them with JSON, so a page
never leaks what the selector hid.
"""
from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django_fsm import ConcurrentTransition

from .errors import ApplicationError, Forbidden, NotFound


def page_view(view):
    """Sign-in required; NotFound → 404 page, Forbidden → 403 page.

    A transition that lost a race (services lock rows first, so this is the last line of
    defence), or any other refusal a view did not turn into a message of its own (a Conflict,
    a ValidationFailed), goes back to the page the person came from with a message, not to a
    500.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from None
        except Forbidden as exc:
            raise PermissionDenied(exc.message) from None
        except ConcurrentTransition:
            messages.error(request, "The state changed meanwhile; check the page and try again.")
            return redirect(_back(request))
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect(_back(request))

    return login_required(wrapper)


def _back(request) -> str:
    """The page the request came from, if it is ours and, for a GET, not this very page (a GET
    that failed would be sent back to itself, round and round); else the home page."""
    referer = request.META.get("HTTP_REFERER", "")
    if url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()) \
            and (request.method not in ("GET", "HEAD") or urlsplit(referer).path != request.path):
        return referer
    return "home"


def require_role(user, role: str, message: str) -> None:
    """403 unless the signed-in user has `role` (buyer, supplier, compliance)."""
    if getattr(user, "role", None) != role:
        raise PermissionDenied(message)
