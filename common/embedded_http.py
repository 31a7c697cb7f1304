"""What the embedded default's server (Daphne, on Twisted's HTTP/1.1 channel) answers below
Django, made to read as the rest of the site does. `manage.py serve` applies it in the
serving process; Gunicorn and Uvicorn, the production servers, are not touched.

- Twisted's table of reason phrases stops at 418, so Daphne's status line for the contract's
  422 (bid refused) and 429 (rate limited) read "Unknown Status".
- A request line or header line longer than Twisted's 16 kB limit (a long query string) was
  dropped without a word: the client saw its connection close. Now it gets 414 or 431.
- Twisted's other refusals of a request it cannot parse (a malformed request line or header,
  too many headers, a bad chunk) were a bare `400` with no body. Now it is the contract's 400.

Each answer has the contract's error body and closes the connection as RFC 9112 §9.6 asks of
a server that stops reading a request: the write side first, then reading (and dropping) what
the client is still sending for a moment, so its unread bytes do not turn the close into a
reset that destroys the answer before the client reads it.
"""
from __future__ import annotations

from http import HTTPStatus

from twisted.web import http as twisted_http

from .raw_answers import error_answer

LINGER_SECONDS = 2.0


def name_every_status() -> None:
    """Fill in Twisted's reason phrases from the standard library's table, leaving Twisted's
    own phrases as they are. HTTP clients ignore the phrase; people reading logs do not."""
    for status in HTTPStatus:
        twisted_http.RESPONSES.setdefault(status.value, status.phrase.encode("ascii"))


def answer_malformed_requests() -> None:
    """Twisted's HTTP channel answers what it cannot read with the contract's 4xx (see the module)."""
    twisted_http.HTTPChannel.lineLengthExceeded = _line_too_long
    twisted_http.HTTPChannel._respondToBadRequestAndDisconnect = _malformed


def _line_too_long(channel, line: bytes) -> None:
    # Twisted counts the header bytes of the request in progress, from its request line on;
    # nothing counted yet means the over-long line is the request line itself.
    if channel._receivedHeaderSize == 0:
        status, code, what = 414, "uri_too_long", "The request line (method, path and query string)"
    else:
        status, code, what = 431, "headers_too_large", "A header line"
    _answer_and_close(channel, error_answer(
        status, code, f"{what} is longer than the {channel.MAX_LENGTH:,} bytes this server reads."))


def _malformed(channel) -> None:
    if channel._receivedHeaderSize > channel.totalHeadersSize:
        response = error_answer(431, "headers_too_large", "The request's headers are larger than the "
                                f"{channel.totalHeadersSize:,} bytes this server reads.")
    else:
        response = error_answer(400, "malformed_request", "The request could not be read as HTTP/1.1: "
                                "its request line, a header or its chunked body is malformed.")
    _answer_and_close(channel, response)


def _answer_and_close(channel, response: bytes) -> None:
    # Whatever else arrives on this connection is read and dropped, never parsed: the request
    # it belongs to has been answered.
    channel.dataReceived = channel.lineReceived = channel.rawDataReceived = _drop
    channel.transport.write(response)
    half_close = getattr(channel.transport, "loseWriteConnection", None)
    if half_close is None:
        channel.transport.loseConnection()
        return
    half_close()  # the answer is flushed, then FIN; the client closes its side when it has read it
    channel.callLater(LINGER_SECONDS, channel.transport.loseConnection)


def _drop(*args) -> None:
    return None
