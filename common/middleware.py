"""Request checks that hold for every view, API and page alike."""
from __future__ import annotations

from django.http import HttpResponseBadRequest, JsonResponse

from .errors import error_body


class RefuseNulInQueryString:
    """A NUL character in a query parameter is refused before any view runs.

    PostgreSQL text cannot hold it, so `?category=%00` reached the database as a DataError
    (a 500). No filter, search or id in this product can contain it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any("\x00" in key or any("\x00" in value for value in values)
               for key, values in request.GET.lists()):
            message = "Query parameters may not contain the NUL character (%00)."
            if request.path.startswith("/api/"):
                return JsonResponse(error_body("malformed_request", message), status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
