"""The client's IP address, as gaming detection and the audit trail need it.

Behind a reverse proxy every request arrives from the proxy: REMOTE_ADDR is its address, and
the client's is in X-Forwarded-For. That header is only believed when REMOTE_ADDR is one of
`TRUSTED_PROXIES` (networks, from the environment); then the address taken is the rightmost
one in the header that is not itself a trusted proxy — the last hop our own proxies saw, which
a client cannot forge by sending a header of its own.
"""
from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip())


def _trusted(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_ip(request) -> str | None:
    remote = request.META.get("REMOTE_ADDR") or None
    networks = _networks(tuple(settings.QUAYSIDE.get("TRUSTED_PROXIES", ())))
    if not networks or not remote or not _trusted(remote, networks):
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, networks):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return remote  # a malformed header: keep what we know
    return remote
