"""The bid hot path's own route (architecture.md "Hot path"): a token-authenticated JSON bid
goes from the middleware to the bid service without the rest of Django's middleware, URL
resolution and DRF's dispatch: about a tenth of a bid's Python, profiled in-process.

It answers only requests it can answer exactly as BidsApi would: `POST
/api/v1/rfqs/{id}/bids/` from a supplier's token, a JSON body, no query string, no cookie,
and an Accept the JSON renderer satisfies. Everything else — and anything it finds unusual
before the bid is placed (an unknown token, a body that does not parse) — goes on down the
middleware to the view, which gives the contract's answer. Placing, refusing, idempotency,
signatures and errors are the view's own code (`auctions.api.bid_response`); the answer is
rendered by the same renderer and exception handler, with the headers DRF adds.

A token it has seen bid on the RFQ before is not read again in a round trip of its own: the
rows of that first read are remembered and confirmed in the lock's round trip
(auctions.bidders); when they do not stand, the bid is placed as a first one would be.

It sits right after SecurityMiddleware and XFrameOptionsMiddleware (settings.MIDDLEWARE), so
HTTPS redirects and security headers apply as for any request; the middlewares it skips do
nothing for such a request (no session, no CSRF for a token, no page locale, no static file).
"""
from __future__ import annotations

import io
import re

from django.urls import reverse
from rest_framework.renderers import JSONRenderer

from common.errors import NotFound, api_exception_handler
from common.parsers import StrictJSONParser

from .access import rfq_for_bidding
from .api import BidsApi, bid_response
from .bidders import BIDDERS, Recheck, Remembered, Unconfirmed, first_read, still_holds

JSON_TYPES = ("application/json", "application/json; charset=utf-8", "application/json;charset=utf-8")
ACCEPTED = ("", "*/*", "application/json", "application/*")


def _allow() -> str:
    """The Allow header DRF's view sends (HEAD among the methods once the view is set up)."""
    view = BidsApi()
    view.setup(None)
    return ", ".join(view.allowed_methods)


ALLOW = _allow()


def _bids_path() -> re.Pattern:
    marker = "987654321"
    prefix, suffix = reverse("api-rfq-bids", kwargs={"pk": marker}).split(marker)
    return re.compile(rf"{re.escape(prefix)}([0-9]+){re.escape(suffix)}\Z")


class BidRoute:
    """Middleware: the lean route for a supplier's token-authenticated bid (see the module)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.path: re.Pattern | None = None  # the URLconf is not loaded when middleware is built

    def __call__(self, request):
        taken = self._takes(request)
        if taken is not None:
            response = self._bid(request, *taken)
            if response is not None:
                return response
        return self.get_response(request)

    def _takes(self, request) -> tuple[str, int] | None:
        """The token and RFQ id of a request this route answers, else None."""
        meta = request.META
        if request.method != "POST" or meta.get("QUERY_STRING") or meta.get("HTTP_COOKIE"):
            return None
        keyword, _, key = meta.get("HTTP_AUTHORIZATION", "").partition(" ")
        if keyword != "Token" or not key or not key.isascii() or not key.isalnum():
            return None
        if meta.get("CONTENT_TYPE", "").lower() not in JSON_TYPES or meta.get("HTTP_ACCEPT", "") not in ACCEPTED:
            return None
        if self.path is None:
            self.path = _bids_path()
        match = self.path.match(request.path_info)
        return (key, int(match[1])) if match else None

    def _bid(self, request, key: str, pk: int):
        request.get_host()  # ALLOWED_HOSTS, as CommonMiddleware would check (a 400 if not)
        try:
            data = StrictJSONParser().parse(io.BytesIO(request.body), "application/json", {})
        except Exception:  # noqa: BLE001 (too large, unreadable, not JSON: the view says which)
            return None
        request.data = data
        remembered = BIDDERS.recall(key, pk)
        if remembered is not None:
            response = self._remembered_bid(request, remembered, key, pk)
            if response is not None:
                return response
            BIDDERS.forget(key, pk)
        user, read = first_read(key, pk)
        if user is None or not user.is_active or not user.is_supplier:
            return None  # 401, or a buyer's 403/404: the view's answers
        request.user = user
        try:
            rfq = rfq_for_bidding(user=user, pk=pk, prefetched=[read.bidding_row] if read is not None else [])
        except NotFound as exc:
            return self._rendered(request, self._handled(request, exc))
        if read is not None:
            BIDDERS.remember(key, pk, read)
        return self._answer(request, rfq)

    def _remembered_bid(self, request, remembered: Remembered, key: str, pk: int):
        """The bid decided on the rows remembered from an earlier one (auctions.bidders); None
        when they do not stand."""
        request.user, rfq = remembered.user_and_rfq(pk)
        recheck = remembered.recheck(key, pk)
        try:
            response = self._answer(request, rfq, recheck)
        except Unconfirmed:
            return None
        if not recheck.confirmed and not still_holds(recheck):
            return None  # answered before the lock (a refusal, a replay) on rows no longer current
        return response

    def _answer(self, request, rfq, recheck: Recheck | None = None):
        try:
            response = bid_response(request, rfq, recheck)
        except Unconfirmed:
            raise
        except Exception as exc:  # noqa: BLE001 (what DRF's dispatch hands the exception handler)
            response = self._handled(request, exc)
        return self._rendered(request, response)

    @staticmethod
    def _handled(request, exc: Exception):
        response = api_exception_handler(exc, {"request": request, "view": None})
        if response is None:
            raise exc  # Django's 500, as from the view
        return response

    @staticmethod
    def _rendered(request, response):
        response.accepted_renderer, response.accepted_media_type = JSONRenderer(), "application/json"
        response.renderer_context = {"request": request, "response": response}
        response["Allow"] = ALLOW
        response.render()
        response["Content-Length"] = str(len(response.content))  # CommonMiddleware's, skipped
        return response
