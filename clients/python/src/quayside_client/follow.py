"""Following one auction live: WebSocket first, then Server-Sent Events, then polling.

Whatever the transport, messages go through one Sequencer, so every public event is yielded
exactly once and in seq order, across reconnects and transport changes:
- WebSocket `/ws/rfqs/{id}/` with `Authorization: Token`; on every reconnect (and on a gap
  in the chain, or the server's `resync`) it sends `{"type": "resume", "since": last_seq}`;
  `{"type": "ping"}` when quiet, and a resume now and then in case the last event was lost.
- SSE `/events/stream/?since=`: a gap ends the stream and it is opened again from the last seq.
- Polling `/events/?since=` and `/state/`: the fallback where neither stream is served.

A connection that fails is tried again after an exponential, fully jittered, capped delay.
A transport the server does not offer (its answer says so: 404 for /ws/ on a WSGI server,
421 for the stream) hands over to the next one; the preferred one is tried again later.
"""
from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from .backoff import Backoff
from .deadline import RecvDeadline
from .errors import (
    ApiError,
    ConnectionFailed,
    NotAuthenticated,
    NotFound,
    QuaysideError,
    RateLimited,
    ServiceUnavailable,
    error_from_response,
)
from .sequencer import Event, Sequencer

if TYPE_CHECKING:
    from .client import AsyncQuaysideClient

CLOSE_UNAUTHENTICATED = 4401
CLOSE_NOT_FOUND = 4404
EVENTS_PAGE = 1000  # /events/ answers at most this many at once: ask again from the last one
TRANSPORTS = ("websocket", "sse", "poll")


@dataclass(frozen=True)
class FollowOptions:
    transports: tuple[str, ...] = TRANSPORTS  # in order of preference
    backoff_base: float = 0.25  # seconds: the first reconnect waits up to this long
    backoff_cap: float = 15.0  # no reconnect waits longer
    ping_interval: float = 15.0  # a ping after this long without a message
    ping_timeout: float = 10.0  # no answer to it within this: the connection is dead
    resync_interval: float = 30.0  # a resume after this long without news (the last event may be lost)
    poll_interval: float = 1.0
    retry_preferred_after: float = 60.0  # on a fallback transport, try the preferred one again after this
    open_timeout: float = 10.0


class TransportUnavailable(QuaysideError):
    """The server answers, but does not serve this transport: use the next one."""


class Stalled(QuaysideError):
    """No answer to a ping: the connection is dead though nobody closed it."""


RETRYABLE: tuple[type[BaseException], ...] = (
    OSError, TimeoutError, ConnectionClosed, InvalidHandshake, httpx.TransportError, httpx.StreamError,
    ConnectionFailed, ServiceUnavailable, RateLimited, Stalled, json.JSONDecodeError)


def websocket_url(base_url: str, rfq_id: int) -> str:
    scheme, rest = base_url.split("://", 1)
    return f"{'wss' if scheme == 'https' else 'ws'}://{rest}/ws/rfqs/{rfq_id}/"


class Follower:
    def __init__(self, client: AsyncQuaysideClient, rfq_id: int, *, since: int | None, options: FollowOptions,
                 stop_at_close: bool = False) -> None:
        unknown = set(options.transports) - set(TRANSPORTS)
        if unknown or not options.transports:
            raise ValueError(f"transports are some of {TRANSPORTS}, not {sorted(unknown)}")
        self.client, self.rfq_id, self.options, self.stop_at_close = client, rfq_id, options, stop_at_close
        self.sequencer = Sequencer(since)
        self.backoff = Backoff(base=options.backoff_base, cap=options.backoff_cap)
        self.transport = options.transports[0]
        self.connections = 0  # connections that delivered something
        self.failures = 0  # connections that failed (refused, broken, stalled)
        self.resumes = 0
        self._delivered = False
        self._last_sync = self._last_resume = 0.0
        self._server_errors = 0

    async def events(self) -> AsyncIterator[Event]:
        order, index, fell_back_at = self.options.transports, 0, 0.0
        while True:
            self.transport, self._delivered = order[index], False
            try:
                async for event in self._run(order[index]):
                    yield event
                    if self.stop_at_close and self.sequencer.finished:
                        return
                delay = 0.0 if self._delivered else self.backoff.next_delay()
            except TransportUnavailable:
                if index + 1 >= len(order):
                    raise
                index, fell_back_at = index + 1, time.monotonic()
                continue
            except RETRYABLE:
                self.failures += 1
                delay = self.backoff.next_delay()
            self.sequencer.connection_lost()
            if index and time.monotonic() - fell_back_at > self.options.retry_preferred_after:
                index = 0
            await asyncio.sleep(delay)

    def _run(self, name: str) -> AsyncIterator[Event]:
        return {"websocket": self._websocket, "sse": self._sse, "poll": self._poll}[name]()

    def _take(self, message: Any) -> list[Event]:
        """One message from any transport through the sequencer."""
        if not isinstance(message, dict):
            return []
        if message.get("type") == "state":
            self.client.clock.observe(message.get("server_time"))
            if not self._delivered:  # the connection works: the next failure starts afresh
                self._delivered = True
                self.connections += 1
                self.backoff.reset()
        events = self.sequencer.offer(message)
        if events:
            self._last_sync = time.monotonic()
        return events

    def _resume_due(self) -> bool:
        """A resume is needed and the last one is not a moment ago (no loop on a stubborn gap)."""
        sequencer = self.sequencer
        if not (sequencer.pending or sequencer.resync_requested):  # the usual answer, without the properties
            return False
        return sequencer.needs_resume and time.monotonic() - self._last_resume > 0.5

    # --- WebSocket -------------------------------------------------------------------------------

    async def _open_socket(self) -> ClientConnection:
        try:
            socket = await connect(websocket_url(self.client.live_url, self.rfq_id),
                                   additional_headers=self.client.auth_headers(), open_timeout=self.options.open_timeout,
                                   ping_interval=None, close_timeout=2, max_size=2**23, proxy=None,
                                   compression=None)  # the servers run without deflate (bench/README.md)
        except InvalidStatus as exc:
            status = exc.response.status_code
            if status == 401:
                raise NotAuthenticated(401, "not_authenticated", "The token was refused.") from exc
            if status >= 500 and status != 501 and self._server_errors < 3:
                self._server_errors += 1  # a proxy's 502 while the servers restart: try again
                raise ConnectionFailed(f"WebSocket handshake answered {status}") from exc
            self._server_errors = 0
            raise TransportUnavailable(f"no WebSocket here (HTTP {status})") from exc
        self._server_errors = 0
        return socket

    async def _websocket(self) -> AsyncIterator[Event]:
        socket = await self._open_socket()
        deadline = RecvDeadline()
        try:
            if self.sequencer.last_seq is not None:
                await self._send_resume(socket)
            waiting_for_answer = False
            while True:
                try:
                    text = await deadline.wait(socket.recv(), self.options.ping_timeout if waiting_for_answer
                                               else self.options.ping_interval)
                except TimeoutError:
                    if waiting_for_answer:
                        raise Stalled("no answer to a ping") from None
                    await self._keepalive(socket)
                    waiting_for_answer = True
                    continue
                except ConnectionClosed as exc:
                    _raise_for_close(exc)
                    raise
                waiting_for_answer = False
                for event in self._take(json.loads(text)):
                    yield event
                if self._resume_due():
                    await self._send_resume(socket)
        finally:
            deadline.close()
            await socket.close()

    async def _keepalive(self, socket: ClientConnection) -> None:
        """A ping; or, after a long quiet, a resume (its state answers like a pong does)."""
        if time.monotonic() - self._last_sync > self.options.resync_interval or self._resume_due():
            await self._send_resume(socket)
        else:
            await socket.send(json.dumps({"type": "ping"}))

    async def _send_resume(self, socket: ClientConnection) -> None:
        await socket.send(json.dumps({"type": "resume", "since": self.sequencer.last_seq or 0}))
        self.sequencer.resume_sent()
        self.resumes += 1
        self._last_resume = self._last_sync = time.monotonic()

    # --- Server-Sent Events ----------------------------------------------------------------------

    async def _sse(self) -> AsyncIterator[Event]:
        since = self.sequencer.last_seq
        params = {"since": since} if since is not None else None
        # JSON named too: the server's content negotiation refuses a bare text/event-stream
        # with 406 (its errors are JSON), though the stream it then sends is text/event-stream.
        headers = {**self.client.auth_headers(), "Accept": "text/event-stream, application/json;q=0.9"}
        read = max(self.options.ping_interval + self.options.ping_timeout, 20.0)  # the server comments every 15 s
        timeout = httpx.Timeout(self.options.open_timeout, read=read)
        async with self.client.http.stream("GET", f"{self.client.live_url}/api/v1/rfqs/{self.rfq_id}/events/stream/",
                                           params=params,
                                           headers=headers, timeout=timeout) as response:
            await _check_stream(response)
            if since is not None:
                self.sequencer.resume_sent()  # the stream replays first, then sends the state
            data: list[str] = []
            async for line in response.aiter_lines():
                if line.startswith("data:"):
                    data.append(line[5:].removeprefix(" "))
                elif not line and data:
                    for event in self._take(json.loads("\n".join(data))):
                        yield event
                    data = []
                    if self._resume_due():
                        return  # opened again at once, from the last seq: the stream's resume

    # --- polling ---------------------------------------------------------------------------------

    async def _poll(self) -> AsyncIterator[Event]:
        """`/events/?since=` every poll_interval; `/state/` when events came, and every few seconds."""
        last_state: dict[str, Any] | None = None
        state_every = max(5 * self.options.poll_interval, 5.0)
        state_due = 0.0
        while True:
            page: list[dict[str, Any]] = []
            if self.sequencer.last_seq is not None:
                page = await self.client.events(self.rfq_id, since=self.sequencer.last_seq)
                for body in page:
                    for event in self._take(body):
                        yield event
            if page or time.monotonic() >= state_due or self.sequencer.last_seq is None:
                state = {"type": "state", "rfq": self.rfq_id, **await self.client.state(self.rfq_id)}
                state_due = time.monotonic() + state_every
                if _differs(state, last_state):
                    for event in self._take(state):
                        yield event
                last_state = state
            if len(page) < EVENTS_PAGE:
                await asyncio.sleep(self.options.poll_interval)


async def _check_stream(response: httpx.Response) -> None:
    if response.status_code < 400 and response.headers.get("content-type", "").startswith("text/event-stream"):
        return
    await response.aread()
    if response.status_code < 400:
        raise TransportUnavailable(f"no event stream here ({response.headers.get('content-type')})")
    error = error_from_response(response)
    if response.status_code in (401, 403) or (isinstance(error, (RateLimited, ServiceUnavailable))
                                              and response.status_code != 501):
        raise error  # not this transport's fault: the same answer would come by any other
    raise TransportUnavailable(f"no event stream here ({error})")


def _raise_for_close(exc: ConnectionClosed) -> None:
    code = exc.rcvd.code if exc.rcvd is not None else None
    if code == CLOSE_UNAUTHENTICATED:
        raise NotAuthenticated(401, "not_authenticated", "The server closed the socket: not authenticated.") from exc
    if code == CLOSE_NOT_FOUND:
        raise NotFound(404, "not_found", "The server closed the socket: the RFQ is not visible.") from exc


def _differs(state: dict[str, Any], before: dict[str, Any] | None) -> bool:
    """A polled state worth yielding: something besides the server's clock changed."""
    if before is None:
        return True
    return {k: v for k, v in state.items() if k != "server_time"} != \
        {k: v for k, v in before.items() if k != "server_time"}


__all__ = ["ApiError", "FollowOptions", "Follower", "TransportUnavailable", "websocket_url"]
