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


def releasing(act):
    """`act`, to run in a thread of its own, giving its database connection back when done.

    Django's test client keeps a request's connection open (it stops request_finished from
    closing it), and a pool thread that goes idle holds it for the rest of the process: on
    PostgreSQL each such thread took one of the pool's 8 connections for good, until a later
    test found none left."""
    def released():
        from django.db import connections

        try:
            return act()
        finally:
            connections.close_all()
    return released


def token_of(demo, username: str) -> str:
    from rest_framework.authtoken.models import Token

    return Token.objects.get_or_create(user=demo.user(username))[0].key


def close_now(api, rfq: int) -> None:
    """The deadline passes and the buyer closes the auction (its live clients get auction_closed)."""
    from tests.engine.helpers import transition
    from tests.factories import move_deadline_into_past

    move_deadline_into_past(rfq)
    response = transition(api, "buyer", rfq, "close")
    assert response.status_code == 200, response.content


def placed(api, username: str, rfq: int, amount: str) -> None:
    """A bid through the in-process API, as another supplier would place it meanwhile."""
    from tests.engine.helpers import bid

    response = bid(api, username, rfq, amount)
    assert response.status_code == 201, response.content
