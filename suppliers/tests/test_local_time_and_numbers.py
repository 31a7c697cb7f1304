"""Each user's time zone and number format on the supplier's pages and in e-mails (issue 15,
part 3): deadlines in the reader's zone with UTC on hover, the API still UTC; e-mails in each
recipient's zone; a price typed in the user's number format read as shown, or refused."""
from __future__ import annotations

from datetime import UTC, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils.dateparse import parse_datetime

from accounts.models import Role
from auctions.models import Bid
from rfqs.models import RFQ
from tests.factories import published_rfq

SINGAPORE, NEW_YORK = ZoneInfo("Asia/Singapore"), ZoneInfo("America/New_York")


@pytest.fixture
def reverse_auction(demo):
    return published_rfq(demo, suppliers=(1, 2), accept=(1, 2), reserve_price={"enabled": False}, auction={
        "type": "REVERSE_AUCTION", "settings": {"starting_price": "10000.00", "minimum_decrement": "100.00",
                                                "decrement_type": "AMOUNT"}})


def prefer(demo, username: str, **preferences) -> None:
    get_user_model().objects.filter(pk=demo.user(username).pk).update(**preferences)


def stamp(moment, fmt: str) -> str:
    return f"{moment.day} {moment.strftime(fmt)}"


def test_a_user_in_singapore_sees_the_deadline_in_singapore_time_with_utc_on_hover(demo, login, reverse_auction):
    prefer(demo, "supplier1", time_zone="Asia/Singapore")
    deadline = RFQ.objects.get(pk=reverse_auction).bidding_deadline.astimezone(UTC)
    local = deadline.astimezone(SINGAPORE)
    client = login("supplier1")
    html = client.get(reverse("supplier-rfq", args=[reverse_auction])).content.decode()
    iso = deadline.replace(microsecond=0).isoformat().replace("+00:00", "Z")
    # tzdata names Singapore's zone "+08" (it has no agreed letters); the UTC time is the title.
    assert (f'<time datetime="{iso}" title="{stamp(deadline, "%b %Y, %H:%M:%S")} UTC">'
            f'{stamp(local, "%b %Y, %H:%M:%S")} +08</time>') in html
    assert 'data-time-zone="Asia/Singapore"' in html
    assert f'data-countdown="{iso}"' in html  # the countdown's instant is UTC whatever the zone
    assert f'{stamp(deadline, "%b %Y, %H:%M:%S")} UTC</time>' not in html

    # The API stays UTC, by token and by the same signed-in session alike.
    for response in (demo.client("supplier1").get(f"/api/v1/rfqs/{reverse_auction}/"),
                     client.get(f"/api/v1/rfqs/{reverse_auction}/")):
        sent = parse_datetime(response.json()["bidding_deadline"])
        assert sent == deadline and sent.utcoffset() == timedelta(0)


def test_a_user_in_utc_still_reads_utc(demo, login, reverse_auction):
    deadline = RFQ.objects.get(pk=reverse_auction).bidding_deadline.astimezone(UTC)
    html = login("supplier1").get(reverse("supplier-rfq", args=[reverse_auction])).content.decode()
    assert f'{stamp(deadline, "%b %Y, %H:%M:%S")} UTC</time>' in html


def test_two_recipients_in_different_zones_each_get_their_own_times(demo, django_capture_on_commit_callbacks):
    company = demo.supplier(1)
    first = company.members.get()
    first.email, first.time_zone = "ops@supplier1.example", "Asia/Singapore"
    first.save()
    get_user_model().objects.create_user("supplier1-ny", email="ny@supplier1.example", role=Role.SUPPLIER,
                                         supplier=company, time_zone="America/New_York")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        rfq_id = published_rfq(demo, suppliers=(1, 2))
    deadline = RFQ.objects.get(pk=rfq_id).bidding_deadline.astimezone(UTC)
    bodies = {address: message.body for message in mail.outbox if "Invitation to quote" in message.subject
              for address in message.to}

    def closes(moment, zone_name: str) -> str:
        return f"Bidding closes:  {stamp(moment, '%b %Y %H:%M')} {zone_name}"

    assert closes(deadline.astimezone(SINGAPORE), "+08") in bodies["ops@supplier1.example"]
    assert closes(deadline.astimezone(NEW_YORK), deadline.astimezone(NEW_YORK).tzname()) in bodies["ny@supplier1.example"]
    assert closes(deadline, "UTC") in bodies[company.contact_email]  # an address without a user reads UTC
    ours = ["ops@supplier1.example", "ny@supplier1.example", company.contact_email]
    assert len({bodies[address] for address in ours}) == 3  # one e-mail per zone


def bid(client, rfq_id, amount: str):
    return client.post(reverse("supplier-rfq-bid", args=[rfq_id]), {"amount": amount})


def test_a_de_user_bids_9000_typed_the_german_way(demo, login, reverse_auction):
    prefer(demo, "supplier1", number_format="de")
    client = login("supplier1")
    page = client.get(reverse("supplier-rfq", args=[reverse_auction])).content.decode()
    assert "Type 48.500,00 — point for thousands, comma for decimals (at most 2)." in page
    assert 'value="10000,00"' in page  # the suggested bid, in the user's format

    assert bid(client, reverse_auction, "9.000,00").status_code == 302
    assert Bid.objects.get(rfq_id=reverse_auction).amount == Decimal("9000.00")


def test_an_ambiguous_amount_from_a_de_user_is_refused_with_the_rule(demo, login, reverse_auction):
    prefer(demo, "supplier1", number_format="de")
    response = bid(login("supplier1"), reverse_auction, "9,000")
    assert response.status_code == 200
    rule = "Type 48.500,00 — point for thousands, comma for decimals (at most 2)."
    assert response.context["bid_form"].errors["amount"] == [
        f"3 digits after the comma: at most 2 in this currency. {rule}"]
    assert "at most 2 in this currency" in response.content.decode()
    assert 'value="9,000"' in response.content.decode()  # what was typed stays
    assert not Bid.objects.exists()


def test_a_quote_typed_the_french_way_is_sent_as_plain_decimals(demo, login):
    from auctions.selectors import own_quote

    rfq_id = published_rfq(demo, suppliers=(1, 2), accept=(1,))
    prefer(demo, "supplier1", number_format="fr")
    first, second = RFQ.objects.get(pk=rfq_id).line_items.values_list("pk", flat=True)
    response = login("supplier1").post(reverse("supplier-rfq-bid", args=[rfq_id]), {
        "valid_until": "", "terms": "", f"price_{first}": "1 234,50", f"price_{second}": "12,5"})
    assert response.status_code == 302
    quote = own_quote(Bid.objects.get(rfq_id=rfq_id))
    assert [line["unit_price"] for line in quote["lines"]] == [Decimal("1234.50"), Decimal("12.5")]
