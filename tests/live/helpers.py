"""Connecting to /ws/rfqs/{id}/ in tests, through the real ASGI application and middleware."""
from __future__ import annotations

import json

from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

ORIGIN = "http://testserver"


async def open_socket(path: str, *, token: str | None = None, session: str | None = None,
                      origin: str | None = ORIGIN, extra_headers=()):
    from config.asgi import application

    headers = list(extra_headers)
    if origin:
        headers.append((b"origin", origin.encode()))
    if token:
        headers.append((b"authorization", f"Token {token}".encode()))
    if session:
        headers.append((b"cookie", f"sessionid={session}".encode()))
    socket = WebsocketCommunicator(application, path, headers=headers)
    connected, code = await socket.connect(timeout=5)
    return socket, connected, code


async def closed_with(socket) -> int | None:
    """The close code the server sent (after accepting), or None if it sent something else."""
    output = await socket.receive_output(timeout=5)
    return output.get("code") if output["type"] == "websocket.close" else None


async def receive(socket, timeout: float = 3) -> tuple[str, dict]:
    """The next message as raw text and parsed."""
    output = await socket.receive_output(timeout=timeout)
    assert output["type"] == "websocket.send", output
    return output["text"], json.loads(output["text"])


async def drain(socket, quiet: float = 0.4) -> list[tuple[str, dict]]:
    """Every message until the socket has been quiet for `quiet` seconds."""
    messages = []
    while not await socket.receive_nothing(timeout=quiet):
        messages.append(await receive(socket))
    return messages


@sync_to_async
def token_for(demo, username: str) -> str:
    from rest_framework.authtoken.models import Token

    return Token.objects.get_or_create(user=demo.user(username))[0].key


@sync_to_async
def session_for(demo, username: str) -> str:
    from django.test import Client

    client = Client()
    client.force_login(demo.user(username))
    return client.cookies["sessionid"].value


def run(scenario) -> None:
    """Run an async test scenario to the end.

    In a thread of its own: Playwright's sync API (the browser tests) leaves an event loop in
    the test thread, where async_to_sync refuses to run. The scenario's database work runs in
    that thread too, on its own connection: live tests use committed data (transaction=True).
    """
    from concurrent.futures import ThreadPoolExecutor

    from asgiref.sync import async_to_sync
    from django.db import connections

    def target():
        try:
            async_to_sync(scenario)()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(1) as pool:
        pool.submit(target).result()
