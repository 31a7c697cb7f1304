"""The load generator's lean HTTP client (bench/harness/lean_http.py) reads answers as
http.client does: status, body, Retry-After, keep-alive kept or dropped as the server says,
several answers on one connection, a body without Content-Length, a broken answer an error.
Its figures would be wrong, silently, if it mixed up two answers on one connection."""
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

BENCH = str(Path(__file__).resolve().parent.parent / "bench")
if BENCH not in sys.path:
    sys.path.append(BENCH)  # after the project: bench's packages (harness) shadow nothing

from harness.client import lean_request  # noqa: E402
from harness.lean_http import Connection, HttpError, build_request, keeps_alive, parse_head  # noqa: E402


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive unless an answer says close

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        seen = {"path": self.path, "body": json.loads(body), "auth": self.headers["Authorization"],
                "type": self.headers["Content-Type"], "accept": self.headers["Accept"]}
        self.answer(201 if self.path.endswith("/ok/") else 429, json.dumps(seen).encode(),
                    retry_after="7" if self.path.endswith("/slow/") else None)

    def do_GET(self):
        if self.path == "/close/":
            self.answer(200, b'{"closing": true}', close=True)
        elif self.path == "/no-length/":
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b'{"to": "the end"}')
            self.close_connection = True
        elif self.path == "/broken/":
            self.wfile.write(b"garbage\r\n\r\n")
            self.close_connection = True
        else:
            self.answer(200, json.dumps({"path": self.path, "peer": self.client_address[1]}).encode())

    def answer(self, status, body, retry_after=None, close=False):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if retry_after:
            self.send_header("Retry-After", retry_after)
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def port():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_a_bid_is_sent_as_http_client_sends_it_and_its_answer_read(port):
    conn = Connection(port)
    status, retry_after, data = lean_request(conn, "POST", "/bids/ok/", "abc", {"amount": "10.00"})
    assert status == 201 and retry_after is None
    assert json.loads(data) == {"path": "/bids/ok/", "body": {"amount": "10.00"}, "auth": "Token abc",
                                "type": "application/json", "accept": "application/json"}
    status, retry_after, _ = lean_request(conn, "POST", "/bids/slow/", "abc", {"amount": "9.00"})
    assert (status, retry_after) == (429, "7")


def test_answers_on_one_kept_connection_stay_in_order(port):
    conn = Connection(port)
    peers = set()
    for n in range(20):
        status, _, data = lean_request(conn, "GET", f"/state/{n}/", "t")
        answer = json.loads(data)
        assert status == 200 and answer["path"] == f"/state/{n}/"
        peers.add(answer["peer"])
    assert len(peers) == 1  # one connection, kept alive


def test_connection_close_opens_a_new_connection_next_time(port):
    conn = Connection(port)
    assert lean_request(conn, "GET", "/close/", "t")[0] == 200
    assert conn.sock is None
    _, _, first = lean_request(conn, "GET", "/a/", "t")
    assert lean_request(conn, "GET", "/close/", "t")[0] == 200
    _, _, second = lean_request(conn, "GET", "/b/", "t")
    assert json.loads(first)["peer"] != json.loads(second)["peer"]


def test_a_body_without_length_runs_to_the_close(port):
    conn = Connection(port)
    assert lean_request(conn, "GET", "/no-length/", "t") == (200, None, b'{"to": "the end"}')
    assert conn.sock is None


def test_a_broken_answer_is_an_error_and_drops_the_connection(port):
    conn = Connection(port)
    with pytest.raises(HttpError):
        lean_request(conn, "GET", "/broken/", "t")
    assert conn.sock is None
    assert lean_request(conn, "GET", "/after/", "t")[0] == 200  # and the next request reconnects


def test_heads_and_keep_alive_rules():
    assert parse_head(b"HTTP/1.1 422 Unprocessable Entity\r\nRetry-After: 3\r\nX-A: b:c") == (
        422, {"retry-after": "3", "x-a": "b:c"})
    with pytest.raises(HttpError):
        parse_head(b"HTTP/2 200 OK")
    assert keeps_alive("HTTP/1.1", {}) and not keeps_alive("HTTP/1.1", {"connection": "close"})
    assert not keeps_alive("HTTP/1.0", {}) and keeps_alive("HTTP/1.0", {"connection": "keep-alive"})
    raw = build_request("POST", "/x/", {"A": "b"}, b"{}")
    assert raw == b"POST /x/ HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: identity\r\nA: b\r\nContent-Length: 2\r\n\r\n{}"
