"""Uvicorn's HTTP protocol (httptools), answering a request it cannot read in the contract's
error format. In production Uvicorn serves the live streams (`/ws/`, `events/stream/`); README
"Production" runs it with `--http common.uvicorn_http:HttpToolsProtocol`.

- A request httptools cannot parse is 400 `malformed_request`, not Uvicorn's plain-text
  "Invalid HTTP request received.".
- A request line and headers over MAX_HEAD_BYTES are 431 `headers_too_large`. httptools sets
  no limit of its own: Uvicorn kept reading (and buffering) a 10 MB header line. Gunicorn, the
  HTTP tier, stops at 4 094 bytes of request line and 100 headers of 8 190; the embedded
  server at 16 kB.

Either answer closes as RFC 9112 §9.6 asks of a server that stops reading a request, as
common.embedded_http's does: the write side first, then reading and dropping what the client
still sends for a moment, so that unread bytes do not turn the close into a reset that
destroys the answer. Uvicorn's own closed at once.
"""
from __future__ import annotations

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as UvicornHttpToolsProtocol

from .raw_answers import error_answer

LINGER_SECONDS = 2.0
MAX_HEAD_BYTES = 65_536  # a browser's WebSocket upgrade with its cookies is a few kB

MALFORMED = error_answer(400, "malformed_request", "The request could not be read as HTTP/1.1: its request "
                         "line, a header or its chunked body is malformed.")
HEAD_TOO_LARGE = error_answer(431, "headers_too_large", "The request line and headers are larger than the "
                              f"{MAX_HEAD_BYTES:,} bytes this server reads.")


class HttpToolsProtocol(UvicornHttpToolsProtocol):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.head_bytes: int | None = 0  # bytes of the request line and headers read so far; None: in the body

    def data_received(self, data: bytes) -> None:
        if self.head_bytes is not None:
            end = data.find(b"\r\n\r\n")
            self.head_bytes += len(data) if end < 0 else end + 4
            if self.head_bytes > MAX_HEAD_BYTES:
                return self._refuse(HEAD_TOO_LARGE)
        return super().data_received(data)

    def on_headers_complete(self) -> None:
        self.head_bytes = None
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        # The next request on a kept-alive connection. Whatever of it came in the chunk that
        # ended this one is not counted: at most one read, the limit stays bounded.
        self.head_bytes = 0

    def send_400_response(self, msg: str) -> None:
        self._refuse(MALFORMED)

    def _refuse(self, answer: bytes) -> None:
        self.data_received = self._drop  # type: ignore[method-assign]  # answered: the rest is not parsed
        self.transport.write(answer)
        if not self.transport.can_write_eof():
            self.transport.close()
            return
        self.transport.write_eof()  # FIN once the answer is flushed; the client closes when it has read it
        self.loop.call_later(LINGER_SECONDS, self.transport.close)

    def _drop(self, data: bytes) -> None:
        return None
