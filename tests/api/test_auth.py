"""api.md "Conventions" — token and session authentication."""
import pytest
from django.http import HttpRequest
from django.utils.crypto import get_random_string
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import rfq_payload

from .helpers import assert_error, stored_counts

TOKEN = "/api/v1/auth/token/"
PASSWORD = "quayside-demo"


def obtain(username, password=PASSWORD):
    return APIClient().post(TOKEN, {"username": username, "password": password}, format="json")


@pytest.mark.parametrize("username, role, organization", [
    ("buyer", "buyer", "Blue Anchor Shipping"),
    ("buyer2", "buyer", "Northern Tankers"),
    ("supplier1", "supplier", "Poseidon Marine Supply"),
])
def test_token_for_demo_users(demo, username, role, organization):
    response = obtain(username)
    assert response.status_code == 200, response.content
    body = response.json()
    user = demo.user(username)
    assert set(body) == {"token", "user"}
    assert body["token"] == Token.objects.get(user=user).key
    assert body["user"] == {"id": user.pk, "username": username, "role": role,
                            "organization": {"id": user.organization.pk, "name": organization}}
    # Asking again hands out the same token.
    assert obtain(username).json()["token"] == body["token"]


def test_compliance_has_no_organisation(demo):
    body = obtain("compliance").json()
    assert body["user"]["role"] == "compliance"
    assert body["user"]["organization"] is None


def test_the_token_works_on_later_calls(demo):
    token = obtain("supplier1").json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = client.get("/api/v1/auth/me/")
    assert me.status_code == 200
    assert me.json()["username"] == "supplier1"
    company = client.get("/api/v1/suppliers/me/")
    assert company.status_code == 200
    assert company.json()["name"] == "Poseidon Marine Supply"


@pytest.mark.parametrize("username, password", [
    ("buyer", "wrong-password"), ("buyer", ""), ("nobody", PASSWORD), ("BUYER", PASSWORD), ("buyer", PASSWORD + " "),
])
def test_wrong_credentials_are_400(demo, username, password):
    before = Token.objects.count()
    error = assert_error(obtain(username, password), 400)
    assert error["code"] in ("invalid_credentials", "invalid")
    assert Token.objects.count() == before


def test_wrong_password_names_the_problem(demo):
    error = assert_error(obtain("buyer", "wrong-password"), 400, "invalid_credentials")
    assert "username or password" in error["message"]


def test_an_inactive_user_gets_no_token(demo):
    user = demo.user("buyer")
    user.is_active = False
    user.save()
    assert_error(obtain("buyer"), 400, "invalid_credentials")


@pytest.mark.parametrize("body", [{}, {"username": "buyer"}, ["buyer", PASSWORD], {"username": 1, "password": 2}])
def test_malformed_token_requests_are_400(demo, body):
    response = APIClient().post(TOKEN, body, format="json")
    assert_error(response, 400)


def test_a_token_is_not_read_from_the_query_string(demo):
    key = obtain("buyer").json()["token"]
    client = APIClient()
    for name in ("token", "auth_token", "access_token", "key"):
        assert_error(client.get(f"/api/v1/auth/me/?{name}={key}"), 401, "not_authenticated")
        assert_error(client.get(f"/api/v1/rfqs/?{name}={key}"), 401, "not_authenticated")
    # Nor from a bare header value without the "Token" keyword, nor as a Bearer token.
    for header in (key, f"Bearer {key}"):
        client.credentials(HTTP_AUTHORIZATION=header)
        assert_error(client.get("/api/v1/auth/me/"), 401)


def test_a_revoked_token_stops_working(demo):
    key = obtain("buyer").json()["token"]
    Token.objects.filter(key=key).delete()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert_error(client.get("/api/v1/auth/me/"), 401, "authentication_failed")


# --- Session authentication (the browser) -------------------------------------------------

@pytest.fixture
def browser(demo):
    client = APIClient(enforce_csrf_checks=True)
    # django-axes needs the request to throttle sign-ins; the test client's login() gives none.
    assert client.login(request=HttpRequest(), username="buyer", password=PASSWORD)
    return client


def test_session_reads_need_no_csrf_token(browser):
    response = browser.get("/api/v1/auth/me/")
    assert response.status_code == 200
    assert response.json()["username"] == "buyer"


def test_session_writes_without_csrf_token_are_403(browser):
    before = stored_counts()
    error = assert_error(browser.post("/api/v1/rfqs/", rfq_payload(), format="json"), 403, "permission_denied")
    assert "CSRF" in error["message"]
    rfq_id = browser.get("/api/v1/rfqs/").json()[0]["id"]
    assert_error(browser.post(f"/api/v1/rfqs/{rfq_id}/cancel/", {"reason": "x"}, format="json"), 403)
    assert_error(browser.patch(f"/api/v1/rfqs/{rfq_id}/", {"title": "x"}, format="json"), 403)
    assert stored_counts() == before


def test_session_writes_with_a_wrong_csrf_token_are_403(browser):
    browser.cookies["csrftoken"] = get_random_string(32)
    response = browser.post("/api/v1/rfqs/", rfq_payload(), format="json", HTTP_X_CSRFTOKEN=get_random_string(32))
    assert_error(response, 403, "permission_denied")


def test_session_writes_with_the_csrf_token_succeed(browser):
    secret = get_random_string(32)
    browser.cookies["csrftoken"] = secret
    response = browser.post("/api/v1/rfqs/", rfq_payload(), format="json", HTTP_X_CSRFTOKEN=secret)
    assert response.status_code == 201, response.content


def test_logged_out_session_is_401(browser):
    browser.logout()
    assert_error(browser.get("/api/v1/rfqs/"), 401, "not_authenticated")
