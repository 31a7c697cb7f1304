"""Two ASGI server processes on one Redis: a bid placed through one reaches a client connected
to the other (architecture.md "Scale-out": nothing relies on process-local state)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.db import connection
from websockets.sync.client import connect

from tests.engine.helpers import reverse_auction
from tests.ports import free_port, wait_until_serving

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

REPO = Path(__file__).resolve().parents[2]



@pytest.fixture
def two_servers(tmp_path):
    """Two Uvicorn processes of the project on the test database and the test Redis."""
    db = connection.settings_dict
    env = {**os.environ, "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
           "REDIS_URL": settings.REDIS_URL, "DJANGO_ENV": "", "MEDIA_ROOT": str(tmp_path)}
    ports, procs = [free_port(), free_port()], []
    try:
        for port in ports:
            log = open(tmp_path / f"server-{port}.log", "wb")  # noqa: SIM115 (closed below)
            procs.append((subprocess.Popen(
                [str(Path(sys.executable).parent / "uvicorn"), "--port", str(port), "--no-access-log",
                 "--http", "common.uvicorn_http:HttpToolsProtocol",
                 "--ws-per-message-deflate", "false", "config.asgi:application"], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT), log))
        for port, (proc, _) in zip(ports, procs, strict=True):
            wait_until_serving(f"http://127.0.0.1:{port}/api/v1/", process=proc,
                               log_path=tmp_path / f"server-{port}.log", timeout=30)
        yield ports
    finally:
        for proc, log in procs:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
            log.close()


def test_a_bid_through_one_process_reaches_a_client_of_the_other(demo, api, two_servers):
    from rest_framework.authtoken.models import Token

    first, second = two_servers
    rfq = reverse_auction(demo, suppliers=(1, 2), accept=(1, 2))
    bidder = Token.objects.get_or_create(user=demo.user("supplier1"))[0].key
    watcher = Token.objects.get_or_create(user=demo.user("supplier2"))[0].key
    with connect(f"ws://127.0.0.1:{second}/ws/rfqs/{rfq}/", additional_headers={
            "Authorization": f"Token {watcher}"}, open_timeout=10) as socket_on_second:
        state = json.loads(socket_on_second.recv(timeout=10))
        assert state["type"] == "state" and state["rfq"] == rfq
        response = requests.post(f"http://127.0.0.1:{first}/api/v1/rfqs/{rfq}/bids/", json={"amount": "9000.00"},
                                 headers={"Authorization": f"Token {bidder}"}, timeout=10)
        assert response.status_code == 201, response.text
        event = json.loads(socket_on_second.recv(timeout=10))
        assert event["type"] == "bid_placed" and event["leading_bid"] == "9000.00" and event["seq"] > state["seq"]


def test_connections_add_no_redis_subscription_of_their_own(demo, two_servers):
    """Each process subscribes once per live group (the hub), whatever the number of sockets:
    a connection opens no channel-layer channel (a Redis subscription and a reader task that
    no message ever used)."""
    import redis
    from rest_framework.authtoken.models import Token

    from common.realtime import group_channel

    _, second = two_servers
    rfq = reverse_auction(demo, suppliers=(1, 2), accept=(1, 2))
    tokens = [Token.objects.get_or_create(user=demo.user(name))[0].key for name in ("supplier1", "supplier2")]
    ours = group_channel(f"rfq.{rfq}.").encode()  # this RFQ's: an earlier test's hub may still hold others
    client = redis.Redis.from_url(settings.REDIS_URL)
    sockets = [connect(f"ws://127.0.0.1:{second}/ws/rfqs/{rfq}/", additional_headers={
        "Authorization": f"Token {token}"}, open_timeout=10) for token in tokens * 3]
    try:
        for socket in sockets:
            assert json.loads(socket.recv(timeout=10))["type"] == "state"
        live = [name for name in client.pubsub_channels() if name.startswith(ours)]
        # Six sockets, one audience (suppliers taking part) plus each supplier's private group.
        assert sorted(live) == sorted({group_channel(f"rfq.{rfq}.bidders").encode(),
                                       *(group_channel(f"rfq.{rfq}.supplier.{demo.supplier(n).pk}").encode()
                                         for n in (1, 2))})
        assert not [name for name in client.pubsub_channels() if b"specific." in name]
    finally:
        for socket in sockets:
            socket.close()
