"""Failed sign-ins are throttled per account and address, per account and per address (ASVS
V2.2.1): on the API's token exchange, the sign-in page and the admin's; lockouts are audited
and compliance lifts them in the admin."""
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from axes.models import AccessAttempt
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import F
from django.test import AsyncClient, Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from audit.models import PLATFORM_STREAM, AuditEvent

TOKEN = "/api/v1/auth/token/"
PASSWORD = "quayside-demo"
COOL_OFF = timedelta(minutes=15)
ATTEMPTS = "/admin/axes/accessattempt/"


@pytest.fixture(autouse=True)
def limits(settings):
    settings.SIGN_IN_LIMITS = {"ACCOUNT_AND_ADDRESS": 3, "ACCOUNT": 5, "ADDRESS": 7}
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = COOL_OFF
    return settings.SIGN_IN_LIMITS


def obtain(username, password=PASSWORD, address="10.0.0.1", **headers):
    return APIClient(REMOTE_ADDR=address).post(TOKEN, {"username": username, "password": password},
                                               format="json", **headers)


def fail(username, times, address="10.0.0.1"):
    return [obtain(username, "wrong-password", address).status_code for _ in range(times)]


def assert_locked(response):
    assert response.status_code == 429, response.content
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert error["code"] == "too_many_attempts"
    assert "Too many failed sign-ins" in error["message"] and error["fields"] == {} and error["violations"] == []
    retry_after = int(response["Retry-After"])
    assert 0 < retry_after <= COOL_OFF.total_seconds()
    return retry_after


def lockout_events():
    return AuditEvent.objects.filter(type="sign_in.locked_out").order_by("seq")


def cool_off_passes():
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - COOL_OFF - timedelta(seconds=1))


# --- The API ------------------------------------------------------------------------------

def test_the_failure_that_reaches_the_limit_locks_and_the_right_password_is_then_refused(demo):
    assert fail("buyer", 2) == [400, 400]
    retry_after = assert_locked(obtain("buyer", "wrong-password"))
    assert retry_after > COOL_OFF.total_seconds() - 60
    assert_locked(obtain("buyer"))
    assert not Token.objects.filter(user=demo.user("buyer")).exists()


def test_the_lock_ends_after_the_cool_off(demo):
    fail("buyer", 3)
    assert_locked(obtain("buyer"))
    cool_off_passes()
    assert obtain("buyer").status_code == 200


def test_refused_attempts_do_not_prolong_the_lock(demo):
    fail("buyer", 3)
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - COOL_OFF + timedelta(seconds=30))
    assert assert_locked(obtain("buyer")) <= 30
    assert AccessAttempt.objects.get().failures_since_start == 3


def test_the_account_limit_holds_from_any_address(demo, limits):
    # Two from each address stays under the pair's limit; five in all reaches the account's.
    assert fail("buyer", 2, "10.0.0.1") + fail("buyer", 2, "10.0.0.2") == [400] * 4
    assert_locked(obtain("buyer", "wrong-password", "10.0.0.3"))
    assert_locked(obtain("buyer", address="10.0.0.4"))
    assert obtain("buyer2", address="10.0.0.4").status_code == 200  # the address is not locked


def test_the_address_limit_holds_for_any_account(demo):
    statuses = fail("buyer", 2) + fail("buyer2", 2) + fail("supplier1", 2)
    assert statuses == [400] * 6
    assert_locked(obtain("supplier2", "wrong-password"))
    assert_locked(obtain("supplier3"))
    assert obtain("supplier3", address="10.0.0.2").status_code == 200  # the account is not locked


def test_the_address_is_the_one_the_project_derives_not_a_forwarded_for_header(demo, settings):
    # From an untrusted address, X-Forwarded-For is not believed: changing it does not help.
    for n in range(2):
        assert obtain("buyer", "wrong-password", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code == 400
    assert_locked(obtain("buyer", "wrong-password", HTTP_X_FORWARDED_FOR="198.51.100.9"))
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"10.0.0.1"}
    # Behind a trusted proxy, the client is the hop before it.
    settings.QUAYSIDE = {**settings.QUAYSIDE, "TRUSTED_PROXIES": ["10.9.9.9/32"]}
    obtain("buyer2", "wrong-password", "10.9.9.9", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert AccessAttempt.objects.get(username="buyer2").ip_address == "203.0.113.5"
    assert obtain("buyer2", address="10.9.9.9", HTTP_X_FORWARDED_FOR="203.0.113.6").status_code == 200


def test_a_sign_in_clears_the_accounts_failures_from_that_address_only(demo):
    fail("buyer", 2)
    assert obtain("buyer").status_code == 200
    assert fail("buyer", 2) == [400, 400]  # counted from zero again
    # Signing in to an account of one's own does not clear the failures against another.
    fail("buyer2", 2)
    assert obtain("supplier1").status_code == 200
    assert_locked(obtain("buyer2", "wrong-password"))


def test_a_lockout_is_audited_once_on_the_platform_stream(demo):
    fail("buyer", 3)
    obtain("buyer")
    obtain("buyer", "wrong-password")
    event = lockout_events().get()
    assert (event.stream, event.rfq_id, event.actor_id, event.actor_name) == (PLATFORM_STREAM, None, None, "system")
    assert event.payload["username"] == "buyer" and event.payload["user_id"] == demo.user("buyer").pk
    assert event.payload["ip_address"] == "10.0.0.1" and event.payload["path"] == TOKEN
    assert event.payload["failures"] == {"account_and_address": 3, "account": 3, "address": 3}
    assert event.payload["locked_until"]


# --- The sign-in pages --------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/login/", "/admin/login/?next=/admin/"])
def test_the_sign_in_pages_lock_with_a_readable_message(demo, url):
    browser = Client(REMOTE_ADDR="10.0.0.1")
    for _ in range(2):
        page = browser.post(url, {"username": "compliance", "password": "wrong-password"})
        assert page.status_code == 200 and b"correct username and password" in page.content
    for password in ("wrong-password", PASSWORD):
        page = browser.post(url, {"username": "compliance", "password": password})
        assert page.status_code == 429
        assert 0 < int(page["Retry-After"]) <= COOL_OFF.total_seconds()
        assert b"Too many failed sign-ins" in page.content and b"try again in 15 minutes" in page.content.lower()
        assert b"Traceback" not in page.content and "_auth_user_id" not in browser.session
    assert lockout_events().get().payload["path"] == url.split("?")[0]


def test_under_asgi_too(demo):
    # Axes' middleware answers lockouts from its own async path when served by ASGI.
    browser = AsyncClient(REMOTE_ADDR="10.0.0.1")
    post = async_to_sync(browser.post)
    statuses = [post("/login/", {"username": "buyer", "password": "wrong-password"}).status_code for _ in range(3)]
    page = post("/login/", {"username": "buyer", "password": PASSWORD})
    assert statuses == [200, 200, 429] and page.status_code == 429 and b"Too many failed sign-ins" in page.content


def test_the_page_and_the_api_count_the_same_failures(demo):
    browser = Client(REMOTE_ADDR="10.0.0.1")
    browser.post("/login/", {"username": "buyer", "password": "wrong-password"})
    browser.post("/login/", {"username": "buyer", "password": "wrong-password"})
    assert_locked(obtain("buyer", "wrong-password"))
    assert browser.post("/login/", {"username": "buyer", "password": PASSWORD}).status_code == 429
    cool_off_passes()
    assert browser.post("/login/", {"username": "buyer", "password": PASSWORD}).status_code == 302


# --- Compliance lifts lockouts in the admin -----------------------------------------------

@pytest.fixture
def officer(demo):
    client = Client()
    client.force_login(demo.user("compliance"))  # by group permissions: not a superuser
    return client


def test_compliance_sees_a_lockout_and_lifts_it(demo, officer):
    fail("buyer", 2, "10.0.0.1")
    fail("buyer", 3, "10.0.0.2")
    assert_locked(obtain("buyer", address="10.0.0.3"))
    page = officer.get(ATTEMPTS)
    assert page.status_code == 200
    body = page.content.decode()
    assert "10.0.0.2" in body and "account from this address, account" in body
    assert "lift_account_lockouts" in body and "delete_selected" not in body

    attempt = AccessAttempt.objects.filter(username="buyer").first()
    response = officer.post(ATTEMPTS, {"action": "lift_account_lockouts", ACTION_CHECKBOX_NAME: [attempt.pk]},
                            follow=True)
    assert b"Lockout lifted for 1 account(s)." in response.content
    assert not AccessAttempt.objects.filter(username="buyer").exists()
    event = AuditEvent.objects.filter(type="sign_in.lockout_lifted").get()
    assert (event.stream, event.actor_name) == (PLATFORM_STREAM, "compliance")
    assert event.payload == {"username": "buyer", "ip_address": None, "attempts_cleared": 2}
    assert obtain("buyer", address="10.0.0.3").status_code == 200


def test_compliance_lifts_an_address_lockout(demo, officer):
    fail("buyer", 2)
    fail("buyer2", 2)
    fail("supplier1", 3)
    attempt = AccessAttempt.objects.get(username="supplier1")
    officer.post(ATTEMPTS, {"action": "lift_address_lockouts", ACTION_CHECKBOX_NAME: [attempt.pk]})
    assert not AccessAttempt.objects.exists()
    assert AuditEvent.objects.get(type="sign_in.lockout_lifted").payload["ip_address"] == "10.0.0.1"
    assert obtain("supplier1").status_code == 200


def test_deleting_one_row_in_the_admin_is_an_audited_lift(demo, officer):
    fail("buyer", 3)
    attempt = AccessAttempt.objects.get()
    officer.post(f"{ATTEMPTS}{attempt.pk}/delete/", {"post": "yes"})
    assert not AccessAttempt.objects.exists()
    assert AuditEvent.objects.get(type="sign_in.lockout_lifted").payload == {
        "username": "buyer", "ip_address": "10.0.0.1", "attempts_cleared": 1}
    assert obtain("buyer").status_code == 200


def test_buyers_cannot_see_or_lift_lockouts(demo, login):
    fail("buyer2", 3)
    buyer = login("buyer")
    assert buyer.get(ATTEMPTS).status_code in (302, 403)
    assert AccessAttempt.objects.exists()
