"""The client's address behind trusted reverse proxies (common/client_ip.py)."""
import pytest
from django.test import RequestFactory

from auctions.models import Bid
from common.client_ip import client_ip
from tests.engine.helpers import bid, created, reverse_auction


def request(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.fixture
def proxied(settings):
    settings.QUAYSIDE = {**settings.QUAYSIDE, "TRUSTED_PROXIES": ["10.0.0.0/8"]}


def test_without_trusted_proxies_the_header_is_ignored():
    assert client_ip(request("198.51.100.7", "203.0.113.1")) == "198.51.100.7"


@pytest.mark.parametrize("remote, forwarded, expected", [
    ("10.0.0.5", "198.51.100.7", "198.51.100.7"),  # one proxy
    ("10.0.0.5", "198.51.100.7, 10.0.0.9", "198.51.100.7"),  # two of ours
    ("10.0.0.5", "203.0.113.66, 198.51.100.7", "198.51.100.7"),  # a client's forged entry stays left of it
    ("198.51.100.7", "203.0.113.66", "198.51.100.7"),  # not from a proxy: its header means nothing
    ("10.0.0.5", "", "10.0.0.5"),
    ("10.0.0.5", "not-an-address", "10.0.0.5"),
    ("10.0.0.5", "2001:db8::7", "2001:db8::7"),
])
def test_behind_a_trusted_proxy_the_last_untrusted_hop_is_the_client(proxied, remote, forwarded, expected):
    assert client_ip(request(remote, forwarded)) == expected


def test_a_bid_through_the_proxy_records_the_clients_address(proxied, api, demo):
    rfq = reverse_auction(demo, suppliers=(1, 2), accept=(1, 2))
    placed = created(bid(api, "supplier1", rfq, "9500.00", REMOTE_ADDR="10.0.0.5",
                         HTTP_X_FORWARDED_FOR="198.51.100.7"))
    assert Bid.objects.get(pk=placed["id"]).ip_address == "198.51.100.7"
