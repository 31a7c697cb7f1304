"""A request sent as raw bytes and its answer read to the server's close: for what servers
answer below Django (tests/test_front_door.py, tests/test_gunicorn_worker.py)."""
import json
import socket

import pytest


def read_answer(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes its side."""
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def raw_answer(base: str, request: bytes) -> tuple[int, dict, dict]:
    """Send `request` as it is on a socket of its own and read the answer to the server's close:
    (status, headers with lower-case names, JSON body)."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(request)
        answer = read_answer(conn)
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
    assert int(headers["content-length"]) == len(body)
    return int(status_line.split()[1]), headers, json.loads(body)


def assert_contract_error(status: int, headers: dict, body: dict, expected_status: int, code: str) -> None:
    assert status == expected_status
    assert headers["content-type"] == "application/json" and headers["connection"] == "close"
    assert body["error"]["code"] == code and body["error"]["message"]
    assert body["error"]["fields"] == {} and body["error"]["violations"] == []


def malformed_requests(host: str) -> list:
    """Requests no HTTP/1.1 parser accepts, as pytest parameters: each server must answer them
    400 `malformed_request` in the contract's format."""
    return [
        pytest.param(f"GET / HTTP/1.1\r\nHost: {host}\r\nA header without a colon\r\n\r\n".encode(),
                     id="header-without-colon"),
        pytest.param(b"NOT-HTTP\r\n\r\n", id="request-line"),
        pytest.param(f"POST /api/v1/auth/token/ HTTP/1.1\r\nHost: {host}\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "zz\r\n".encode(), id="chunk-size"),
    ]
