"""A lean HTTP/1.1 client for the load generator: the same requests as http.client sends,
without its per-response header parsing through the email package.

http.client cost the bench's load generator about 0.5 ms of CPU per request, and the load
generator shares the machine's cores with the server it measures. This one writes the
request in one `sendall` and reads the answer with a fixed-size buffer: the status line, the
headers it needs (Content-Length, Connection, Retry-After), the body. It keeps the
connection when the server does (HTTP/1.1 keep-alive) and opens a new one after
`Connection: close` or an error, as http.client does.
"""
from __future__ import annotations

import socket


class HttpError(OSError):
    """The server's answer is not HTTP/1.x as this client reads it (or the connection broke)."""


def build_request(method: str, path: str, headers: dict[str, str], body: bytes | None) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Accept-Encoding: identity"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if body is not None or method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(body or b'')}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b"")


def parse_head(head: bytes) -> tuple[int, dict[str, str]]:
    """(status, headers with lower-case names) of a response head (without the blank line)."""
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    parts = status_line.split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
        raise HttpError(f"not an HTTP/1.x status line: {status_line[:80]!r}")
    headers = {}
    for line in header_lines:
        name, sep, value = line.partition(":")
        if not sep:
            raise HttpError(f"malformed header line: {line[:80]!r}")
        headers[name.strip().lower()] = value.strip()
    return int(parts[1]), headers


def keeps_alive(version: str, headers: dict[str, str]) -> bool:
    connection = headers.get("connection", "").lower()
    return "close" not in connection if version == "HTTP/1.1" else "keep-alive" in connection


class Connection:
    """One client's connection to 127.0.0.1:port, reopened when the server closed it."""

    def __init__(self, port: int, timeout: float = 30):
        self.port, self.timeout = port, timeout
        self.sock: socket.socket | None = None
        self.buffer = b""

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
        self.sock, self.buffer = None, b""

    def request(self, raw: bytes, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
        """Send one request (build_request's bytes); (status, headers, body)."""
        if self.sock is None:
            self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=self.timeout)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            self.sock.sendall(raw)
            head = self._read_until(b"\r\n\r\n")
            status, headers = parse_head(head)
            if "chunked" in headers.get("transfer-encoding", "").lower():
                raise HttpError("chunked responses are not read by this client")
            if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
                body = b""
            elif "content-length" in headers:
                body = self._read_exactly(int(headers["content-length"]))
            else:  # the body runs to the end of the connection
                body = self._read_to_close()
                headers["connection"] = "close"
        except Exception:
            self.close()
            raise
        if not keeps_alive(head[:8].decode("latin-1"), headers):
            self.close()
        return status, headers, body

    def _recv(self) -> bytes:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise HttpError("the server closed the connection before the answer was complete")
        return chunk

    def _read_until(self, marker: bytes) -> bytes:
        while True:
            end = self.buffer.find(marker)
            if end >= 0:
                head, self.buffer = self.buffer[:end], self.buffer[end + len(marker):]
                return head
            self.buffer += self._recv()

    def _read_exactly(self, n: int) -> bytes:
        while len(self.buffer) < n:
            self.buffer += self._recv()
        body, self.buffer = self.buffer[:n], self.buffer[n:]
        return body

    def _read_to_close(self) -> bytes:
        chunks = [self.buffer]
        while chunk := self.sock.recv(65536):
            chunks.append(chunk)
        self.buffer = b""
        return b"".join(chunks)
