"""Request checks that hold for every view, API and page alike."""
from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.http import HttpResponseBadRequest, JsonResponse
from django.utils import timezone

from .errors import error_body
from .local_format import activate_number_format, deactivate_number_format


class RefuseNul:
    """A NUL character in a query parameter, or in a page form's field, is refused before any
    view runs.

    PostgreSQL text cannot hold it, so `?category=%00` reached the database as a DataError (a
    500), and a page that reads `request.POST` itself (a supplier's question, a clarification's
    answer, an amendment's reason) stored it on SQLite and failed on PostgreSQL. No filter,
    search, id or text in this product can contain it; the API refuses it in JSON bodies
    itself (common/parsers.py), and uploaded files are not form fields.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        api = request.path.startswith("/api/")
        if _has_nul(request.GET):
            message = "Query parameters may not contain the NUL character (%00)."
        elif not api and request.method == "POST" and _has_nul(request.POST):
            message = "Form fields may not contain the NUL character."
        else:
            return self.get_response(request)
        if api:
            return JsonResponse(error_body("malformed_request", message), status=400)
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


def _has_nul(data) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in data.lists())


class LocalTimeAndNumbers:
    """Pages (and the admin) in the signed-in user's time zone and number format.

    `|date` and the `when` filter render local time once the zone is active; page forms read
    typed amounts in the user's format (common/local_format.py). The API renders its own
    ISO 8601 UTC timestamps and plain decimal strings, unaffected by either.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Not for the API, even signed in by session: DRF renders times in the active zone. The
        # path first: an API call then never builds the lazy session user it does not use.
        user = None if request.path.startswith("/api/") else getattr(request, "user", None)
        local = user is not None and user.is_authenticated
        zone = getattr(user, "time_zone", None) if local else None
        try:
            timezone.activate(ZoneInfo(zone)) if zone else timezone.deactivate()
        except (ZoneInfoNotFoundError, ValueError):
            timezone.deactivate()
        activate_number_format(getattr(user, "number_format", None) if zone else None)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
            deactivate_number_format()
