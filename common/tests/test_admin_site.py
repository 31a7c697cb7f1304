"""The admin site's guard (common/admin.py): parameters that reach past Django admin's own
checks come back as a message on the page without them, never a 500."""
import pytest
from django.contrib import admin

from common.admin import QuaysideAdminSite


def test_the_admin_site_is_the_guarded_one():
    assert isinstance(admin.site, QuaysideAdminSite)


@pytest.mark.parametrize("query", ["created_at__year=9999", "created_at__year=9999&created_at__month=12",
                                   "created_at__year=9999&created_at__month=12&created_at__day=31",
                                   "created_at__year=99999999999999999999", "pk__in=99999999999999999999"])
def test_a_drill_down_or_an_id_out_of_range_is_a_message_not_a_500(demo, login, query):
    officer = login("compliance")
    url = "/admin/procurement/rfq/"
    response = officer.get(f"{url}?{query}")
    if query.startswith("pk__in") and response.status_code == 200:
        return  # PostgreSQL answers an id out of range with no rows; SQLite's driver refuses it
    assert response.status_code == 302 and response["Location"] == url
    page = officer.get(url)
    assert page.status_code == 200 and "out of range or not a date, so it was not carried out" in page.content.decode()


def test_only_a_request_with_parameters_is_turned_into_a_message(demo, login, monkeypatch):
    """Without parameters a failure is a bug, and stays one (a 500 for the error log)."""
    from procurement.admin import RFQAdmin

    def broken(self, request):
        raise ValueError("a bug")

    monkeypatch.setattr(RFQAdmin, "get_queryset", broken)
    officer = login("compliance")
    assert officer.get("/admin/procurement/rfq/?status__exact=open").status_code == 302
    officer.raise_request_exception = True
    with pytest.raises(ValueError):
        officer.get("/admin/procurement/rfq/")
