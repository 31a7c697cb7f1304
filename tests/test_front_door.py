"""The README's run command, tried as a new user would: a real server with demo data."""
import os
import re
import signal
import subprocess
from pathlib import Path

import pytest
import requests
from django.conf import settings

from tests.ports import free_port, wait_until_serving
from tests.raw_http import assert_contract_error, malformed_requests, raw_answer

REPO = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(
    "sqlite" not in settings.DATABASES["default"]["ENGINE"],
    reason="`./quayside up` is the embedded default; checked in the embedded run",
)



@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("front-door")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    # Same command as the README; only where it keeps its data and which port differ.
    env.update(PORT=str(port), DATABASE_URL=f"sqlite:///{tmp / 'db.sqlite3'}", MEDIA_ROOT=str(tmp / "media"))
    log = open(tmp / "server.log", "w")
    process = subprocess.Popen([str(REPO / "quayside"), "up"], cwd=REPO, env=env, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base + "/", process=process, log_path=tmp / "server.log", timeout=180)
        assert process.poll() is None, "something else answers on the port: " + (tmp / "server.log").read_text()[-3000:]
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        log.close()


def login(base: str, username: str) -> requests.Session:
    session = requests.Session()
    page = session.get(base + "/login/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = session.post(base + "/login/", timeout=10, headers={"Referer": base + "/login/"},
                            data={"csrfmiddlewaretoken": token, "username": username, "password": "quayside-demo"})
    assert response.status_code == 200 and "/login/" not in response.url, "login failed"
    return session


def test_landing_page_is_served(site):
    response = requests.get(site + "/", timeout=10)
    assert response.status_code == 200
    assert "Quayside" in response.text


def test_login_page_is_served(site):
    response = requests.get(site + "/login/", timeout=10)
    assert response.status_code == 200
    assert 'name="username"' in response.text and 'name="password"' in response.text


def test_buyer_sees_the_demo_rfqs(site):
    response = login(site, "buyer").get(site + "/rfqs/", timeout=10)
    assert response.status_code == 200
    assert "Fresh provisions for MV Blue Horizon" in response.text
    assert "Safety gear for MT Nordic Star" not in response.text  # buyer2's RFQ


def test_compliance_reaches_the_admin(site):
    response = login(site, "compliance").get(site + "/admin/", timeout=10)
    assert response.status_code == 200
    assert "KYC review queue" in response.text


def test_api_token_and_rfq_list(site):
    token = requests.post(site + "/api/v1/auth/token/", json={"username": "buyer", "password": "quayside-demo"},
                          timeout=10).json()["token"]
    rfqs = requests.get(site + "/api/v1/rfqs/", headers={"Authorization": f"Token {token}"}, timeout=10).json()
    assert {r["title"] for r in rfqs} >= {"Fresh provisions for MV Blue Horizon", "Annual lubricants supply 2027"}


def test_an_overlong_query_string_is_answered_414_in_the_contract_format(site):
    # Twisted reads lines of at most 16 kB; it used to drop such a connection without a word.
    response = requests.get(site + "/api/v1/rfqs/?search=" + "a" * 60_000, timeout=10)
    assert_contract_error(response.status_code, {k.lower(): v for k, v in response.headers.items()},
                          response.json(), 414, "uri_too_long")
    assert requests.get(site + "/login/", timeout=10).status_code == 200  # the server serves on


def test_an_overlong_header_line_is_answered_431(site):
    response = requests.get(site + "/api/v1/rfqs/", headers={"X-Note": "b" * 20_000}, timeout=10)
    assert_contract_error(response.status_code, {k.lower(): v for k, v in response.headers.items()},
                          response.json(), 431, "headers_too_large")


def test_headers_too_large_together_are_answered_431(site):
    headers = "".join(f"X-Part-{n}: {'c' * 2000}\r\n" for n in range(10))  # each line short, 20 kB in all
    assert_contract_error(*raw_answer(site, f"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}\r\n".encode()),
                          431, "headers_too_large")


@pytest.mark.parametrize("request_bytes", malformed_requests("127.0.0.1"))
def test_a_malformed_request_is_answered_400_in_the_contract_format(site, request_bytes):
    assert_contract_error(*raw_answer(site, request_bytes), 400, "malformed_request")
