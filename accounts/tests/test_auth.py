"""Token authentication: one statement, the same answers as DRF's."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

pytestmark = pytest.mark.django_db


def test_a_supplier_token_loads_user_and_company_in_one_statement(demo):
    from accounts.auth import TokenAuthentication

    user = demo.user("supplier1")
    token = Token.objects.create(user=user)
    with CaptureQueriesContext(connection) as queries:
        authenticated, auth = TokenAuthentication().authenticate_credentials(token.key)
        company = authenticated.supplier
    assert len(queries) == 1
    assert (authenticated.pk, company.pk, company.kyc_status) == (user.pk, user.supplier_id, user.supplier.kyc_status)
    assert auth.key == token.key and auth.user == authenticated


def test_a_buyer_token_has_no_company(demo, api):
    assert api("buyer").get("/api/v1/rfqs/").status_code == 200


@pytest.mark.parametrize("header", ["Token nope", "Token " + "0" * 40, "Token a b"])
def test_unknown_tokens_get_401(demo, client, header):
    response = client.get("/api/v1/rfqs/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["error"]["code"] in ("not_authenticated", "authentication_failed")


def test_an_inactive_users_token_gets_401(demo, api):
    supplier = api("supplier1")
    user = demo.user("supplier1")
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert supplier.get("/api/v1/rfqs/").status_code == 401
