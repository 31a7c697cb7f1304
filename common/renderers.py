"""Download formats picked with DRF's `?format=` override: the view hands over finished bytes
or text, these renderers pass them through. Errors stay api.md's JSON body whatever format
was asked for. An empty `?format=` (DRF would quietly answer JSON) and an unknown one (DRF's
own answer would be a 404) are 400, like any other query value outside the schema's enum.
"""
from __future__ import annotations

from django.http import Http404
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings

from .errors import Forbidden, ValidationFailed

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA_TYPE = "text/csv"


class XLSXRenderer(BaseRenderer):
    media_type = XLSX_MEDIA_TYPE
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data  # the view hands over the finished workbook


class CSVRenderer(BaseRenderer):
    media_type = CSV_MEDIA_TYPE
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data.encode("utf-8") if isinstance(data, str) else data


class EventStreamRenderer(BaseRenderer):
    """Lets a request that accepts only `text/event-stream` (EventSource sends exactly that)
    reach a view answering with a StreamingHttpResponse of Server-Sent Events; the stream
    bypasses renderers, and an error is answered as JSON (DownloadFormatsMixin)."""

    media_type = "text/event-stream"
    format = "sse"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        raise AssertionError("An event stream is sent as it is, never rendered")  # errors render as JSON


def unknown_format(allowed: list[str]) -> ValidationFailed:
    choices = ", ".join(allowed)
    return ValidationFailed(f"format is one of {choices}.", fields={"format": [f"One of {choices}."]})


def export_format(request) -> str:
    """The format asked for ("json" when none; DownloadFormatsMixin refuses a format its view
    has no renderer for); a download is the buyer's and compliance's (api.md "Exports")."""
    kind = getattr(request.accepted_renderer, "format", "json")
    if kind != "json" and request.user.is_supplier:
        raise Forbidden("Exports are for the buyer and compliance.")
    return kind


def download(content: bytes | str, filename: str, media_type: str) -> Response:
    response = Response(content, content_type=media_type if media_type != CSV_MEDIA_TYPE else f"{media_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class DownloadFormatsMixin:
    # For an APIView offering downloads beside JSON on GET: other methods answer JSON only, a
    # format no renderer has is a 400 (an empty `?format=` too: the schema lists the formats),
    # and an error is rendered as JSON. A comment, not a docstring: drf-spectacular takes the
    # first docstring up a view's classes as its operations' description in the API docs.

    download_renderers: tuple[type[BaseRenderer], ...] = ()

    def get_renderers(self):
        request = getattr(self, "request", None)
        downloads = self.download_renderers if request is not None and request.method in ("GET", "HEAD") else ()
        return [JSONRenderer(), *(renderer() for renderer in downloads)]

    def perform_content_negotiation(self, request, force=False):
        # DRF takes an empty ?format= for none; forced (rendering an error) it must not raise.
        if not force and request.query_params.get(api_settings.URL_FORMAT_OVERRIDE) == "":
            raise unknown_format([renderer.format for renderer in self.get_renderers()])
        try:
            return super().perform_content_negotiation(request, force)  # type: ignore[misc]
        except Http404:  # DRF's answer to a format no renderer has
            raise unknown_format([renderer.format for renderer in self.get_renderers()]) from None

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        if response.status_code >= 400 and not isinstance(getattr(response, "accepted_renderer", None), JSONRenderer):
            response.accepted_renderer, response.accepted_media_type = JSONRenderer(), "application/json"
        return response
