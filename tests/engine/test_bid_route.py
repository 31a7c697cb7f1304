"""The lean bid route (auctions/bid_route.py) answers exactly as the view would.

Every exchange is played twice, on two identical auctions: once with the route in the
middleware (it takes the bid) and once without it (DRF's view takes it). Status, headers and
body must agree, ids and timestamps aside; the audit trail records the same. The rest of the
suite's token-authenticated bids go through the route too.
"""
import re

import pytest
from django.conf import settings
from django.test import override_settings

from auctions import bid_route
from audit.models import AuditEvent

from .helpers import items, reverse_auction, sealed_auction

ROUTE = "auctions.bid_route.BidRoute"
PATH = "/api/v1/rfqs/{}/bids/"


@pytest.fixture
def taken(monkeypatch):
    """The route's bid placements: (RFQ, whether on remembered rows: auctions.bidders)."""
    count = []
    real = bid_route.bid_response

    def counting(request, rfq, recheck=None):
        count.append((rfq.pk, recheck is not None))
        return real(request, rfq, recheck)

    monkeypatch.setattr(bid_route, "bid_response", counting)
    return count


def normalised(response, rfq_id: int) -> tuple:
    body = response.content.decode()
    body = re.sub(r"\d{4}-\d\d-\d\dT[0-9:.]+Z", "T", body)
    body = re.sub(r'"(id|rfq|bid_id)":\s?\d+', r'"\1":N', body).replace(f"RFQ {rfq_id}", "RFQ N")
    headers = {name: value for name, value in response.items() if name != "Content-Length"}
    return response.status_code, headers, body


def exchange(api, user, rfq_id, body, *, lean: bool, **extra):
    middleware = settings.MIDDLEWARE if lean else [m for m in settings.MIDDLEWARE if m != ROUTE]
    # A client's own credentials would override an Authorization of the exchange's.
    client = api(None if "HTTP_AUTHORIZATION" in extra else user)
    with override_settings(MIDDLEWARE=middleware):
        response = client.post(PATH.format(rfq_id), body, format="json", **extra)
    assert int(response["Content-Length"]) == len(response.content)
    return normalised(response, rfq_id)


def both(api, steps, make_rfq, taken):
    """Each step (user, body, extra headers) on a lean auction and on a twin through the view."""
    lean_rfq, view_rfq = make_rfq(), make_rfq()
    requests_taken = 0
    for user, body, extra in steps:
        before = len(taken)
        lean = exchange(api, user, lean_rfq, body, lean=True, **extra)
        # At most once on remembered rows and once on rows read now (when those did not stand).
        placed = taken[before:]
        assert len(placed) == len(set(placed)), (user, body, placed)
        requests_taken += bool(placed)
        view = exchange(api, user, view_rfq, body, lean=False, **extra)
        assert lean == view, (user, body)
    return lean_rfq, view_rfq, requests_taken


def trail(rfq_id):
    return [(event.type, sorted(event.payload)) for event in AuditEvent.objects.filter(rfq_id=rfq_id).order_by("seq")]


def test_reverse_bids_accepted_refused_and_rate_limited_alike(api, demo, taken):
    steps = [("supplier1", {"amount": "9500.00"}, {}),
             ("supplier2", {"amount": "9450.00"}, {}),  # beats by less than the decrement: 422
             ("supplier2", {"amount": "9000.00"}, {}),
             ("supplier1", {"amount": "8000.00"}, {}),  # the second within a minute: 429
             ("supplier3", {"amount": "20000.00"}, {}),  # above the ceiling
             ("supplier3", {"amount": "8500.00"}, {"HTTP_USER_AGENT": "fleet-bot/2", "HTTP_X_FORWARDED_FOR": "1.2.3.4"}),
             ("supplier3", {"amount": "abc"}, {}), ("supplier3", {"price": "1"}, {}), ("supplier3", [1, 2], {}),
             ("supplier4", {"amount": "7000.00"}, {}),  # not invited: 404
             ("buyer", {"amount": "7000.00"}, {}),  # a buyer does not bid: the view's 403
             ]
    lean_rfq, view_rfq, requests_taken = both(api, steps, lambda: reverse_auction(demo, rate_limit_bids_per_minute=1),
                                              taken)
    # Every JSON body from an invited supplier went the lean way (refusals, 400s and all); the
    # uninvited supplier's 404 came before the bid, and the buyer's bid went to the view.
    assert requests_taken == 9
    assert trail(lean_rfq) == trail(view_rfq)
    assert any(type == "bid.place_rejected" for type, _ in trail(lean_rfq))


def test_idempotent_replays_and_sealed_quotes_alike(api, demo, taken):
    def make():
        return sealed_auction(demo)

    lean_rfq, view_rfq = make(), make()
    for rfq_id, lean in ((lean_rfq, True), (view_rfq, False)):
        lines = items(rfq_id)
        body = {"line_items": [{"line_item_id": lines[0], "unit_price": "12.50"},
                               {"line_item_id": lines[1], "unit_price": "30.00"}]}
        key = f"q-{lean}"  # a key is the user's across RFQs: one for each twin
        first = exchange(api, "supplier1", rfq_id, body, lean=lean, HTTP_IDEMPOTENCY_KEY=key)
        again = exchange(api, "supplier1", rfq_id, {**body, "terms": "other"}, lean=lean, HTTP_IDEMPOTENCY_KEY=key)
        if lean:
            lean_answers = (first, again)
        else:
            assert (first, again) == lean_answers
    assert lean_answers[0][0] == 201 and lean_answers[1][1]["Idempotent-Replayed"] == "true"
    assert lean_answers[1][1]["Idempotent-Request-Mismatch"] == "true"
    assert trail(lean_rfq) == trail(view_rfq)


@pytest.mark.parametrize("extra", [
    {"HTTP_AUTHORIZATION": "Token nosuchtoken0000"},  # 401 from DRF
    {"HTTP_AUTHORIZATION": "Bearer abc"},
    {"HTTP_ACCEPT": "text/html"},  # 406 from DRF's negotiation
    {"HTTP_COOKIE": "sessionid=abc"},
    {"QUERY_STRING": "format=csv"},
])
def test_what_the_route_does_not_take_goes_to_the_view(api, demo, taken, extra):
    rfq_id = reverse_auction(demo)
    lean = exchange(api, "supplier1", rfq_id, {"amount": "9500.00"}, lean=True, **extra)
    assert not taken
    view = exchange(api, "supplier1", reverse_auction(demo), {"amount": "9500.00"}, lean=False, **extra)
    assert lean == view


def test_a_body_that_is_not_json_goes_to_the_view(api, demo, taken):
    rfq_id = reverse_auction(demo)
    response = api("supplier1").post(PATH.format(rfq_id), b'{"amount": ', content_type="application/json")
    assert response.status_code == 400 and response.json()["error"]["code"] == "malformed_request"
    assert not taken


def test_security_headers_and_the_host_check_still_apply(api, demo, taken, settings):
    rfq_id = reverse_auction(demo)
    response = api("supplier1").post(PATH.format(rfq_id), {"amount": "9500.00"}, format="json")
    assert response.status_code == 201 and taken
    assert response["X-Frame-Options"] == "DENY" and response["X-Content-Type-Options"] == "nosniff"
    settings.ALLOWED_HOSTS = ["quayside.example"]
    refused = api("supplier2").post(PATH.format(rfq_id), {"amount": "9000.00"}, format="json")
    assert refused.status_code == 400 and len(taken) == 1


# What a bid the route takes skips, each judged to do nothing for a token-authenticated JSON
# POST with no query string and no cookie (auctions/bid_route.py says why for each kind).
SKIPPED_BY_THE_ROUTE = [
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files only
    "django.contrib.sessions.middleware.SessionMiddleware",  # no cookie: no session
    "django.middleware.common.CommonMiddleware",  # the host check and Content-Length: the route's own
    "common.middleware.RefuseNul",  # no query string; a JSON body, not a form
    "django.middleware.csrf.CsrfViewMiddleware",  # a token, not a session: DRF exempts it
    "django.contrib.auth.middleware.AuthenticationMiddleware",  # the session's user; the token's is read
    "common.middleware.LocalTimeAndNumbers",  # the pages' locale
    "django.contrib.messages.middleware.MessageMiddleware",  # the pages' flash messages
    "axes.middleware.AxesMiddleware",  # the sign-in lockout page
]


def test_the_route_skips_only_middleware_judged_to_do_nothing_for_a_bid():
    """A middleware added after the route is skipped by every token bid: whoever adds one must
    decide whether the route has to do its work too, and then list it here."""
    position = settings.MIDDLEWARE.index(ROUTE)
    assert settings.MIDDLEWARE[:position] == ["django.middleware.security.SecurityMiddleware",
                                              "django.middleware.clickjacking.XFrameOptionsMiddleware"]
    assert settings.MIDDLEWARE[position + 1:] == SKIPPED_BY_THE_ROUTE
