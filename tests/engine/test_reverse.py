"""Reverse-auction mechanics (product.md §4.2): ceiling and decrement, anti-sniping with its
tiers and limits, the window enforced at bid time, pause, withdrawal, and what each supplier
may see of the others."""
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from auctions.models import Bid
from audit.models import AuditEvent
from rfqs.models import RFQ
from tests.api.helpers import mentions_amount
from tests.factories import move_deadline_into_past

from .helpers import (
    bid,
    created,
    refused,
    reverse_auction,
    set_deadline,
    state,
    transition,
    walk,
    withdraw,
)

SUPPLIER_NAMES = {1: "Poseidon Marine Supply", 2: "Harbour Chandlers Pte", 3: "Baltic Ship Stores"}


@pytest.fixture
def rfq(demo):
    return reverse_auction(demo)


def deadline_of(rfq_id):
    return RFQ.objects.get(pk=rfq_id).bidding_deadline


def at(value: str):
    return parse_datetime(value)


def same_time(value: str, expected) -> bool:
    """Audit payloads keep timestamps to the millisecond."""
    return abs(parse_datetime(value) - expected) < timedelta(milliseconds=1)


# --- anti-sniping --------------------------------------------------------------------------

def test_a_bid_inside_the_trigger_window_extends_the_deadline(api, rfq):
    set_deadline(rfq, 120)  # inside the standard 5-minute trigger
    old = deadline_of(rfq)
    original = RFQ.objects.get(pk=rfq).original_deadline
    placed = created(bid(api, "supplier1", rfq, "9500.00"))
    new = old + timedelta(minutes=3)
    assert at(placed["bidding_deadline"]) == new and placed["extensions"] == 1
    for user in ("supplier1", "supplier2", "buyer"):
        seen = state(api, user, rfq)
        assert at(seen["bidding_deadline"]) == new and seen["extensions"] == 1 and seen["max_extensions"] == 10
    assert RFQ.objects.get(pk=rfq).original_deadline == original
    placed_event, extended = AuditEvent.objects.filter(rfq_id=rfq).order_by("-seq")[:2][::-1]
    assert (placed_event.type, extended.type) == ("bid.placed", "deadline.extended")
    assert extended.seq == placed_event.seq + 1
    payload = extended.payload
    assert same_time(payload["old_deadline"], old) and same_time(payload["new_deadline"], new)
    assert payload["extension_number"] == 1 and payload["max_extensions"] == 10
    assert payload["triggered_by_bid"] == placed["id"]
    assert same_time(payload["bid_submitted_at"], at(placed["submitted_at"]))


def test_a_bid_outside_the_trigger_window_does_not_extend(api, rfq):
    set_deadline(rfq, 301)
    old = deadline_of(rfq)
    placed = created(bid(api, "supplier1", rfq, "9500.00"))
    assert at(placed["bidding_deadline"]) == old and placed["extensions"] == 0
    assert not AuditEvent.objects.filter(rfq_id=rfq, type="deadline.extended").exists()


def test_extensions_stop_at_max_extensions(api, demo):
    rfq = reverse_auction(demo, max_extensions=2)
    for n, (user, amount) in enumerate([("supplier1", "9500.00"), ("supplier2", "9400.00"),
                                        ("supplier3", "9300.00")], start=1):
        set_deadline(rfq, 60)
        old = deadline_of(rfq)
        placed = created(bid(api, user, rfq, amount))
        if n <= 2:
            assert placed["extensions"] == n and at(placed["bidding_deadline"]) == old + timedelta(minutes=3)
        else:
            assert placed["extensions"] == 2 and at(placed["bidding_deadline"]) == old
    events = AuditEvent.objects.filter(rfq_id=rfq, type="deadline.extended").order_by("seq")
    assert [e.payload["extension_number"] for e in events] == [1, 2]


def test_the_tight_preset_tiers(api, demo):
    rfq = reverse_auction(demo, anti_sniping_preset="tight")
    for user, amount, remaining, extension in [("supplier1", "9500.00", 250, 180), ("supplier2", "9400.00", 100, 120),
                                               ("supplier3", "9300.00", 20, 60)]:
        set_deadline(rfq, remaining)
        old = deadline_of(rfq)
        placed = created(bid(api, user, rfq, amount))
        assert at(placed["bidding_deadline"]) == old + timedelta(seconds=extension), (remaining, placed)
    extended = AuditEvent.objects.filter(rfq_id=rfq, type="deadline.extended").order_by("seq")
    assert [e.payload["max_extensions"] for e in extended] == [10, 5, 3]
    # The last-30-second tier allows three extensions in all; then a bid in the last 30 s is
    # still in the last 2 and 5 minutes, and extends as a bid there would: +2 min up to 5,
    # +3 min up to 10, then never.
    for extensions, user, amount, extension in [(3, "supplier1", "9200.00", 120), (5, "supplier2", "9100.00", 180),
                                                (10, "supplier3", "9000.00", 0)]:
        RFQ.objects.filter(pk=rfq).update(extensions=extensions)
        Bid.objects.filter(rfq_id=rfq).update(submitted_at=timezone.now() - timedelta(minutes=2))  # past cool-downs
        set_deadline(rfq, 20)
        old = deadline_of(rfq)
        placed = created(bid(api, user, rfq, amount))
        assert at(placed["bidding_deadline"]) == old + timedelta(seconds=extension), (extensions, placed)
        assert placed["extensions"] == extensions + (1 if extension else 0)
    assert api("supplier1").get(f"/api/v1/rfqs/{rfq}/state/").json()["max_extensions"] == 10


def test_the_tight_preset_cool_down_in_the_final_minutes(api, demo):
    rfq = reverse_auction(demo, anti_sniping_preset="tight")
    set_deadline(rfq, 110)
    created(bid(api, "supplier1", rfq, "9500.00"))  # extends by 2 min: 230 s left, in the 300-s tier
    set_deadline(rfq, 100)
    response = bid(api, "supplier1", rfq, "9400.00")
    # The 120-s tier's 30-s cool-down, and the one-bid-per-10-s final-phase rate limit.
    refused(response, "cool_down", "rate_limit", status=429)
    assert 20 <= int(response["Retry-After"]) <= 30


def test_bids_after_the_original_but_before_the_moved_deadline_count(api, rfq):
    RFQ.objects.filter(pk=rfq).update(original_deadline=timezone.now() - timedelta(minutes=1))
    set_deadline(rfq, 100)
    created(bid(api, "supplier1", rfq, "9500.00"))


def test_bids_after_the_moved_deadline_are_refused_with_no_close_job(api, rfq):
    set_deadline(rfq, 60)
    created(bid(api, "supplier1", rfq, "9500.00"))  # extended to ~4 min
    move_deadline_into_past(rfq)
    refused(bid(api, "supplier2", rfq, "9000.00"), "within_bidding_window")
    assert RFQ.objects.get(pk=rfq).status == "open"
    assert state(api, "supplier2", rfq)["status"] == "open"


# --- pause ---------------------------------------------------------------------------------

def test_pause_refuses_bids_and_withdrawals_and_resume_moves_the_deadline(api, rfq):
    placed = created(bid(api, "supplier1", rfq, "9500.00"))
    before = deadline_of(rfq)
    assert transition(api, "buyer", rfq, "pause").json()["status"] == "paused"
    refused(bid(api, "supplier2", rfq, "9000.00"), "within_bidding_window")
    refused(withdraw(api, "supplier1", rfq, placed["id"]), "within_bidding_window")
    assert state(api, "supplier1", rfq)["status"] == "paused"
    assert transition(api, "buyer", rfq, "resume").json()["status"] == "open"
    assert deadline_of(rfq) > before
    created(bid(api, "supplier2", rfq, "9000.00"))


# --- withdrawal ----------------------------------------------------------------------------

def test_withdrawing_the_best_bid_restores_the_previous_best(api, rfq):
    first = created(bid(api, "supplier1", rfq, "9500.00"))
    best = created(bid(api, "supplier2", rfq, "9000.00"))
    response = withdraw(api, "supplier2", rfq, best["id"])
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "withdrawn" and response.json()["withdrawn_at"]
    for user in ("supplier1", "buyer"):
        seen = state(api, user, rfq)
        assert seen["leading_bid"] == "9500.00" and seen["bid_count"] == 1
    assert state(api, "supplier1", rfq)["your_rank"] == 1
    assert state(api, "supplier2", rfq)["your_rank"] is None and state(api, "supplier2", rfq)["your_best"] is None
    auction = RFQ.objects.get(pk=rfq)
    assert (auction.best_amount, auction.best_bid_id) == (9500, first["id"])
    event = AuditEvent.objects.filter(rfq_id=rfq, type="bid.withdrawn").get()
    assert event.payload["bid_id"] == best["id"] and event.payload["best_amount"] == "9500.0000"
    assert event.payload["withdrawals_used"] == 1
    # The next bid is judged against the restored best.
    refused(bid(api, "supplier2", rfq, "9450.00"), "minimum_decrement")
    created(bid(api, "supplier2", rfq, "9400.00"))


def test_withdrawing_the_only_bid_empties_the_auction(api, rfq):
    only = created(bid(api, "supplier1", rfq, "9500.00"))
    assert withdraw(api, "supplier1", rfq, only["id"]).status_code == 200
    seen = state(api, "buyer", rfq)
    assert seen["leading_bid"] is None and seen["bid_count"] == 0
    created(bid(api, "supplier2", rfq, "9999.00"))  # only the ceiling again


def test_a_supplier_cannot_withdraw_someone_elses_bid(api, rfq):
    other = created(bid(api, "supplier1", rfq, "9500.00"))
    response = withdraw(api, "supplier2", rfq, other["id"])
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert withdraw(api, "buyer", rfq, other["id"]).status_code == 403
    assert Bid.objects.get(pk=other["id"]).status == "accepted"


def test_after_a_withdrawal_the_earlier_own_bid_is_the_latest_standing(api, rfq):
    first = created(bid(api, "supplier1", rfq, "9500.00"))
    second = created(bid(api, "supplier1", rfq, "9300.00"))
    assert withdraw(api, "supplier1", rfq, second["id"]).status_code == 200
    assert state(api, "buyer", rfq)["leading_bid"] == "9500.00"
    assert withdraw(api, "supplier1", rfq, first["id"]).status_code == 200
    assert state(api, "buyer", rfq)["leading_bid"] is None


# --- visibility ----------------------------------------------------------------------------

@pytest.mark.parametrize(("setting", "bid_key", "state_key"), [
    ("show_ranking", "rank", "your_rank"),
    ("show_leading_bid", "leading_bid", "leading_bid"),
    ("show_bid_count", "bid_count", "bid_count"),
])
def test_visibility_settings_hide_from_suppliers_never_from_the_buyer(api, demo, setting, bid_key, state_key):
    shown, hidden = reverse_auction(demo), reverse_auction(demo, **{setting: False})
    for rfq in (shown, hidden):
        created(bid(api, "supplier1", rfq, "9500.00"))
        placed = created(bid(api, "supplier2", rfq, "9300.00"))
        visible = rfq == shown
        assert (bid_key in placed) is visible, placed
        for user in ("supplier1", "supplier2", "supplier3"):
            assert (state_key in state(api, user, rfq)) is visible
        buyer = state(api, "buyer", rfq)
        if state_key != "your_rank":
            assert buyer[state_key] == {"leading_bid": "9300.00", "bid_count": 2}[state_key]
    shown_state = state(api, "supplier1", shown)
    assert shown_state[state_key] == {"your_rank": 2, "leading_bid": "9300.00", "bid_count": 2}[state_key]


def test_a_hidden_leading_bid_is_not_revealed_another_way(api, demo, login):
    """With show_leading_bid off, neither the next-bid limit, a refusal's message, the
    unusual-drop warning nor the supplier's page tells a supplier what the best bid is."""
    rfq = reverse_auction(demo, show_leading_bid=False)
    created(bid(api, "supplier1", rfq, "9500.00"))
    bodies = [bid(api, "supplier2", rfq, "9450.00"), api("supplier2").get(f"/api/v1/rfqs/{rfq}/state/"),
              login("supplier2").get(f"/supplier/rfqs/{rfq}/"), bid(api, "supplier2", rfq, "5000.00")]
    refused(bodies[0], "minimum_decrement")
    assert bodies[2].status_code == 200
    assert created(bodies[3])["warnings"][0]["rule"] == "unusual_drop"
    for response in bodies:
        text = response.content.decode()
        # Figures of their own only: "9400" is also the end of a timestamp's microseconds.
        assert not [amount for amount in ("9500", "9400") if mentions_amount(text, amount)], text
        assert not re.search(r"(?<!\d)47%", text), text
    # The buyer still sees everything, and the stored violation keeps the facts.
    assert state(api, "buyer", rfq)["leading_bid"] == "5000.00"


def test_a_state_built_from_an_older_read_of_the_rfq_gives_figures_as_of_its_seq(api, rfq):
    """The state's seq and its figures come from one snapshot. A caller that read the RFQ just
    before a bid committed must not get the bid's seq with the figures before it: a live
    client takes seq as applied and would never apply that bid's event."""
    from accounts.models import User
    from auctions.selectors import auction_state

    created(bid(api, "supplier1", rfq, "9500.00"))
    read_before = RFQ.objects.get(pk=rfq)
    created(bid(api, "supplier2", rfq, "9300.00"))
    head = AuditEvent.objects.filter(rfq_id=rfq).order_by("-seq").values_list("seq", flat=True)[0]
    for username in ("buyer", "supplier1"):
        seen = auction_state(user=User.objects.get(username=username), rfq=read_before)
        assert (seen["seq"], seen["leading_bid"], seen["bid_count"]) == (head, "9300.00", 2), seen


def test_suppliers_never_see_another_suppliers_identity(api, demo, rfq):
    bodies = {}
    for n, amount in ((1, "9500.00"), (2, "9400.00"), (3, "9300.00")):
        bodies[n] = [bid(api, f"supplier{n}", rfq, amount)]
    bodies[1].append(bid(api, "supplier1", rfq, "9250.00"))  # refused: too close
    latest = created(bid(api, "supplier2", rfq, "9100.00"))
    bodies[2].append(withdraw(api, "supplier2", rfq, latest["id"]))
    for n in (1, 2, 3):
        client = api(f"supplier{n}")
        bodies[n] += [client.get(path) for path in (
            f"/api/v1/rfqs/{rfq}/", f"/api/v1/rfqs/{rfq}/bids/", f"/api/v1/rfqs/{rfq}/state/", "/api/v1/rfqs/",
            f"/api/v1/rfqs/{rfq}/evaluation/", f"/api/v1/audit/events/?rfq={rfq}")]
    ids = {n: demo.supplier(n).pk for n in (1, 2, 3)}
    for n, responses in bodies.items():
        for response in responses:
            text = response.content.decode()
            for other in {1, 2, 3} - {n}:
                assert SUPPLIER_NAMES[other] not in text, (n, response.request["PATH_INFO"], text)
            document = response.json()
            for key, value in walk(document):
                if key in ("supplier", "supplier_id"):
                    assert value in (ids[n], {"id": ids[n], "name": SUPPLIER_NAMES[n]}), (n, key, value)
    # ...while the buyer sees who bid.
    seen = api("buyer").get(f"/api/v1/rfqs/{rfq}/bids/").content.decode()
    assert all(name in seen for name in SUPPLIER_NAMES.values())


def test_the_pages_describe_every_tier_of_the_tight_preset(demo, login):
    rfq = reverse_auction(demo, anti_sniping_preset="tight")
    for user, path in (("buyer", f"/rfqs/{rfq}/"), ("supplier1", f"/supplier/rfqs/{rfq}/")):
        page = login(user).get(path).content.decode()
        for tier in ("last 5 min → +3 min", "last 2 min → +2 min", "last 30 s → +1 min"):
            assert tier in page, (user, tier)
