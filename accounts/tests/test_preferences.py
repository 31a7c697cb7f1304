"""The Preferences page: every signed-in user picks a time zone and a number format; the pages
and the admin follow them (common/middleware.py LocalTimeAndNumbers)."""
from __future__ import annotations

import pytest
from django.urls import reverse

PREFERENCES = "/preferences/"


@pytest.mark.parametrize("username", ["buyer", "supplier1", "compliance"])
def test_every_signed_in_user_reaches_preferences_from_the_header(login, username):
    client = login(username)
    home = client.get(reverse("home"), follow=True).content.decode()
    # The compliance officer's home is the admin: its user links carry the zone and the link.
    link = "admin-time-zone" if username == "compliance" else "preferences-link"
    assert f'href="{PREFERENCES}" data-testid="{link}"' in home
    page = client.get(PREFERENCES)
    assert page.status_code == 200
    assert page.context["form"]["time_zone"].value() == "UTC" and page.context["form"]["number_format"].value() == "en"


def test_saving_preferences_changes_what_the_pages_show(demo, login):
    client = login("buyer")
    response = client.post(PREFERENCES, {"time_zone": "Asia/Singapore", "number_format": "de"}, follow=True)
    assert response.status_code == 200
    user = demo.user("buyer")
    assert (user.time_zone, user.number_format) == ("Asia/Singapore", "de")
    html = response.content.decode()
    assert 'data-time-zone="Asia/Singapore" data-number-format="de"' in html
    assert "Saved: times in Asia/Singapore" in html and "+08." in html  # "Now: … +08."


def test_an_unknown_zone_or_format_is_refused_and_nothing_changes(demo, login):
    client = login("supplier1")
    for data in ({"time_zone": "Mars/Olympus_Mons", "number_format": "en"},
                 {"time_zone": "Europe/Oslo", "number_format": "xx"}):
        response = client.post(PREFERENCES, data)
        assert response.status_code == 200 and response.context["form"].errors
    user = demo.user("supplier1")
    assert (user.time_zone, user.number_format) == ("UTC", "en")


def test_signing_in_comes_first(login):
    response = login(None).get(PREFERENCES)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_the_admin_says_which_zone_its_times_are_in(demo, login):
    demo.user("compliance").__class__.objects.filter(username="compliance").update(time_zone="Europe/Berlin")
    html = login("compliance").get(reverse("admin:index")).content.decode()
    assert 'data-testid="admin-time-zone">Times in Europe/Berlin (CE' in html  # CET or CEST
