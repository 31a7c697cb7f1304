"""A Quayside server for the client's live tests: the project's ASGI application (API,
WebSocket, event stream) under Uvicorn in a thread, one per test module.

In-process, the server shares the test database (committed data: the tests are
transactional) and, on the embedded default, the live hub with the test; on PostgreSQL +
Redis it publishes and subscribes on the test Redis like any deployment.
"""
from __future__ import annotations

import threading
import time

import pytest

from tests.ports import free_port


@pytest.fixture(scope="module")
def site(django_db_setup):
    import uvicorn

    from config.asgi import application

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(application, host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="off", ws="websockets-sansio"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "Uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def token_of(demo, username: str) -> str:
    from rest_framework.authtoken.models import Token

    return Token.objects.get_or_create(user=demo.user(username))[0].key
