"""One HTTP request to the project's API with a supplier's token (standard library only)."""
from __future__ import annotations

import http.client
import json

from .lean_http import Connection, build_request

USER_AGENT = "quayside-bench/1 (bid_throughput)"


def do_request(conn: http.client.HTTPConnection, method: str, path: str, token: str, body: dict | None = None):
    """(status, Retry-After header, body bytes) of one request on a kept-alive connection."""
    headers = {"Authorization": f"Token {token}", "Accept": "application/json", "User-Agent": USER_AGENT}
    payload = None
    if body is not None:
        payload = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    conn.request(method, path, body=payload, headers=headers)
    response = conn.getresponse()
    data = response.read()
    return response.status, response.getheader("Retry-After"), data


def lean_request(conn: Connection, method: str, path: str, token: str, body: dict | None = None):
    """do_request's answer, on a lean_http connection (the load generator's: less client CPU)."""
    headers = {"Authorization": f"Token {token}", "Accept": "application/json", "User-Agent": USER_AGENT}
    payload = None
    if body is not None:
        payload = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    status, response_headers, data = conn.request(build_request(method, path, headers, payload), method)
    return status, response_headers.get("retry-after"), data


def request_once(port: int, method: str, path: str, token: str, body: dict | None = None, *, timeout: float = 10):
    """The same on a connection of its own to 127.0.0.1:port."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        return do_request(conn, method, path, token, body)
    finally:
        conn.close()
