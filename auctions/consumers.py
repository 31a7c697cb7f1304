"""`/ws/rfqs/{id}/` (api.md "WebSocket"): a thin pipe from the live groups to one client.

Who may connect and what they get comes from the selectors the API uses (rfq_get,
auction_state, auctions.live); the messages arrive already serialised, once per audience.
"""
from __future__ import annotations

import json
import uuid

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from common import presence, realtime, ws_frames
from common.errors import NotFound
from common.outbox import Outbox
from common.schema import ID_MAX  # a seq is a bigint: a larger `since` would fail in the database

from . import live

CLOSE_UNAUTHENTICATED = 4401
CLOSE_NOT_FOUND = 4404


class AuctionConsumer(AsyncWebsocketConsumer):
    groups_joined: list[str]
    # No channel layer: live messages come through common.realtime's hub, and nothing sends to
    # a connection by its channel. Channels opens a channel per consumer when a layer is
    # configured (an alias it has no configuration for gives none): with the pub/sub layer, a
    # Redis subscription, a queue and a reader task per socket that never carried a message,
    # and objects the process's garbage collector walks on every full collection.
    channel_layer_alias = "quayside-live-without-layer"

    async def connect(self):
        self.groups_joined = []
        self.channel_name = f"ws.{uuid.uuid4().hex}"  # this connection's name in the presence set
        # Live messages queue here, and the queue's writer starts once the state has gone out:
        # `state` is the first message a client gets (the client skips events its state covers).
        self.outbox = Outbox(self._write, realtime.RESYNC, write_now=ws_frames.direct_writer(self.base_send))
        # Accepted first, so the close code below reaches the client (a refusal before the
        # handshake completes is a bare HTTP 403).
        await self.accept()
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        try:
            groups = await self._groups(user, self.scope["url_route"]["kwargs"]["pk"])
        except NotFound:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        # Joined before the state is read: whatever commits after the read arrives as a
        # message, and what the state already holds arrives with a seq the client has.
        for group in groups:
            await realtime.hub.join(group, self.outbox.put)
        self.groups_joined = groups
        self.participant = f"supplier:{user.supplier_id}" if user.is_supplier else f"{user.role}:{user.pk}"
        await presence.keeper.join(self.rfq_id, self.participant, self.channel_name)
        await self._tell_buyer()
        await self._send_state()
        self.outbox.start()

    async def disconnect(self, code):
        self.outbox.close()
        for group in self.groups_joined:
            await realtime.hub.leave(group, self.outbox.put)
        if self.groups_joined:
            await presence.keeper.leave(self.rfq_id, self.participant, self.channel_name)
            await self._tell_buyer()

    async def _tell_buyer(self):
        """The buyer's monitor shows who is connected: a supplier came or went."""
        if self.participant.startswith("supplier:"):
            await sync_to_async(realtime.send, thread_sensitive=False)([(realtime.rfq_group(self.rfq_id, "buyer"), {
                "type": "presence_changed", "private": True, "rfq": self.rfq_id})])

    async def receive(self, text_data=None, bytes_data=None):
        if not self.groups_joined:
            return
        try:
            message = json.loads(text_data or "")
        except (ValueError, RecursionError):  # not JSON, or nested too deep for the decoder
            message = None
        kind = message.get("type") if isinstance(message, dict) else None
        if kind == "ping":
            await self._send({"type": "pong"})
        elif kind == "resume":
            since = message.get("since")
            if isinstance(since, bool) or not isinstance(since, int) or not 0 <= since <= ID_MAX:
                await self._error("bad_request", "resume needs `since`, the last seq received (an integer ≥ 0).")
                return
            try:
                replayed = await self._replay(since)
            except NotFound:  # no longer visible (invitation revoked)
                await self.close(code=CLOSE_NOT_FOUND)
                return
            for body in replayed:
                await self._send(body)
            await self._send_state()
        else:
            await self._error("bad_request", 'Send {"type": "resume", "since": <seq>} or {"type": "ping"}.')

    async def _write(self, text: str):
        """A live message of one of our groups (serialised once by the publisher), from the
        outbox's writer: straight to the server's send (what self.send ends in, two coroutine
        layers fewer on the path every message takes to every socket)."""
        await self.base_send({"type": "websocket.send", "text": text})

    # --- helpers ---------------------------------------------------------------------------

    @database_sync_to_async
    def _groups(self, user, pk) -> list[str]:
        groups = live.connection_groups(user=user, rfq_id=pk)  # NotFound if not visible
        self.user, self.rfq_id = user, int(pk)
        return groups

    @database_sync_to_async
    def _state(self) -> dict:
        return live.state_message(user=self.user, rfq_id=self.rfq_id)

    @database_sync_to_async
    def _replay(self, since: int) -> list[dict]:
        return live.replay_all(user=self.user, rfq_id=self.rfq_id, since=since)

    async def _send_state(self):
        try:
            await self._send(await self._state())
        except NotFound:  # no longer visible (invitation revoked): stop here
            await self.close(code=CLOSE_NOT_FOUND)

    async def _send(self, body: dict):
        await self.send(text_data=realtime.encode(body))

    async def _error(self, code: str, message: str):
        await self._send({"type": "error", "error": {"code": code, "message": message}})
