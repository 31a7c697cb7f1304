"""Live texts written to a Uvicorn WebSocket as one frame encoded per text, not per socket.

A live event goes to every connection of its group as the same text. Through the ASGI
`send`, each socket pays for it again: a coroutine, an ASGI message, the text's UTF-8
encoding and its frame header (the `websockets` protocol object serialises a frame per call).
A server's text frame is not masked (RFC 6455 §5.1), so the bytes are the same for every
socket: they are encoded once (`text_frame`, keyed on the text object the hub hands to each
connection in turn) and written to each transport. At 1,000 connections that was most of a
send's cost (bench/README.md, fan-out finding 14).

Only where it is certainly equivalent to Uvicorn's own send: the connection is Uvicorn's
`websockets-sansio` protocol (its default), open, not closing, with no extension negotiated
(per-message deflate compresses per socket), no fragmented message in progress, and the
transport not paused by flow control. Anything else answers False, and the caller sends
through ASGI as before — including the wait for a full buffer to drain.
"""
from __future__ import annotations

from collections.abc import Callable

from websockets.frames import Frame, Opcode
from websockets.protocol import State

try:
    from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
except ImportError:  # pragma: no cover - Uvicorn is a dependency; without it, no fast path
    WebSocketsSansIOProtocol = None  # type: ignore[assignment,misc]

WriteNow = Callable[[str], bool]  # write this text now if it is safe to: did it?

_last: tuple[str, bytes] | None = None  # (text, its frame): the hub hands one text to many sockets in a row


def text_frame(text: str) -> bytes:
    """The unmasked WebSocket text frame carrying `text` (cached for the text last asked for)."""
    global _last
    last = _last
    if last is not None and last[0] is text:
        return last[1]
    frame = Frame(Opcode.TEXT, text.encode()).serialize(mask=False, extensions=[])
    _last = (text, frame)
    return frame


def direct_writer(send) -> WriteNow | None:
    """A writer of pre-encoded frames for the connection behind the ASGI `send`, or None
    when `send` is not Uvicorn's sansio protocol's own (then everything goes through `send`)."""
    protocol = getattr(send, "__self__", None)
    if WebSocketsSansIOProtocol is None or not isinstance(protocol, WebSocketsSansIOProtocol):
        return None

    def write_now(text: str) -> bool:
        conn, transport = protocol.conn, protocol.transport
        if (not protocol.handshake_complete or protocol.close_sent or protocol.disconnected
                or protocol.initial_response is not None or not protocol.writable.is_set()
                or conn.state is not State.OPEN or conn.extensions or conn.expect_continuation_frame
                or transport.is_closing()):
            return False
        transport.write(text_frame(text))
        return True

    return write_now
