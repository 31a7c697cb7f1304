"""Following an auction through faults (issue 16), everything real: two Uvicorn processes of
the site on the test database and a Redis of the test's own (never the shared one: its
connections are killed here). The client follows through one process while bids go through
the other; the followed process is killed and started again, and Redis drops its pub/sub and
then its ordinary connections, while bids keep coming. In the end the client has every live
event exactly once, in seq order, the same as `/events/?since=0` serves."""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import redis
import requests
from quayside_client import AsyncQuaysideClient, Follower, FollowOptions

from tests.client.conftest import token_of
from tests.deadlines.test_redis_restart import PrivateRedis
from tests.deadlines.test_worker_faults import REPO, database_url
from tests.engine.helpers import reverse_auction
from tests.factories import move_deadline_into_past
from tests.ports import free_port, wait_until_serving
from tests.waiting import wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

UVICORN = str(Path(sys.executable).parent / "uvicorn")
OPTIONS = FollowOptions(backoff_base=0.05, backoff_cap=1.0, ping_interval=1.0, ping_timeout=1.0, resync_interval=3.0)


class Site:
    """`uvicorn config.asgi:application` on a port of its own, which can be killed and restarted."""

    def __init__(self, name: str, tmp_path: Path, env: dict):
        self.name, self.tmp_path, self.env, self.port, self.runs = name, tmp_path, env, free_port(), 0
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.runs += 1
        self.log = self.tmp_path / f"{self.name}-{self.runs}.log"
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen([UVICORN, "--port", str(self.port), "--no-access-log",
                                          "--http", "common.uvicorn_http:HttpToolsProtocol",
                                          "--ws-per-message-deflate", "false", "config.asgi:application"],
                                         cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT)

    def serving(self) -> None:
        wait_until_serving(f"{self.url}/api/v1/", process=self.proc, log_path=self.log, timeout=30)

    def kill(self) -> None:
        self.proc.kill()  # a crash: no goodbye to the connected clients
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def private_redis(tmp_path):
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    if server.proc.poll() is None:
        server.kill()


@pytest.fixture
def sites(private_redis, tmp_path):
    env = {**os.environ, "DATABASE_URL": database_url(), "REDIS_URL": private_redis.url, "DJANGO_ENV": "",
           "MEDIA_ROOT": str(tmp_path)}
    both = Site("followed", tmp_path, env), Site("bidding", tmp_path, env)
    try:
        for site in both:
            site.start()
        for site in both:
            site.serving()
        yield both
    finally:
        for site in both:
            site.stop()


class Following:
    """quayside_client's follow() in a thread of its own, from seq 0, until the auction closes."""

    def __init__(self, url: str, token: str, rfq: int):
        self.events: list = []
        self.error: BaseException | None = None
        self.follower: Follower | None = None
        self.thread = threading.Thread(target=lambda: asyncio.run(self._run(url, token, rfq)), daemon=True)
        self.thread.start()

    async def _run(self, url: str, token: str, rfq: int) -> None:
        try:
            async with AsyncQuaysideClient(url, token=token) as client:
                self.follower = Follower(client, rfq, since=0, options=OPTIONS, stop_at_close=True)
                async for event in self.follower.events():
                    self.events.append(event)
        except BaseException as exc:  # reported by the test
            self.error = exc

    def public(self) -> list[dict]:
        assert self.error is None, repr(self.error)
        return [e.data for e in self.events if e.type != "state" and not e.private]

    def has(self, seq: int) -> bool:
        return any(body["seq"] >= seq for body in self.public())


def test_every_event_once_in_order_through_restarts_and_dropped_redis_connections(demo, private_redis, sites):
    followed, bidding = sites
    rfq = reverse_auction(demo, suppliers=(1, 2, 3, 4), accept=(1, 2, 3, 4), extension_trigger_minutes=0)
    tokens = {n: token_of(demo, f"supplier{n}") for n in (1, 2, 3, 4)}
    buyer = token_of(demo, "buyer")
    amounts = iter(range(9900, 5000, -100))
    turn = iter([1, 2, 3, 4] * 20)

    def place(count: int) -> int:
        """Bids through the process nobody follows; the seq of the last one's event."""
        for _ in range(count):
            response = requests.post(f"{bidding.url}/api/v1/rfqs/{rfq}/bids/", json={"amount": f"{next(amounts)}.00"},
                                     headers={"Authorization": f"Token {tokens[next(turn)]}"}, timeout=30)
            assert response.status_code == 201, response.text
        return last_live_seq()

    def last_live_seq() -> int:
        events = requests.get(f"{bidding.url}/api/v1/rfqs/{rfq}/events/?since=0", timeout=30,
                              headers={"Authorization": f"Token {tokens[1]}"}).json()
        return events[-1]["seq"]

    following = Following(followed.url, tokens[1], rfq)
    seq = place(3)
    wait_until(lambda: following.has(seq), 20, lambda: following.events)

    followed.kill()  # the client's server dies; bids go on through the other one
    place(3)
    followed.start()
    followed.serving()
    seq = place(1)
    wait_until(lambda: following.has(seq), 20, lambda: following.events)

    admin = redis.Redis(port=private_redis.port)
    assert admin.client_kill_filter(_type="pubsub") >= 1  # every process's live subscription drops
    place(2)
    admin.client_kill_filter(_type="normal")  # and the publishers' connections (and the cache's)
    seq = place(2)
    wait_until(lambda: following.has(seq), 20, lambda: following.events)

    move_deadline_into_past(rfq)
    closed = requests.post(f"{bidding.url}/api/v1/rfqs/{rfq}/close/", json={}, timeout=30,
                           headers={"Authorization": f"Token {buyer}"})
    assert closed.status_code == 200, closed.text
    following.thread.join(timeout=30)
    assert not following.thread.is_alive(), following.events

    truth = requests.get(f"{bidding.url}/api/v1/rfqs/{rfq}/events/?since=0", timeout=30,
                         headers={"Authorization": f"Token {tokens[1]}"}).json()
    got = following.public()
    assert [e["seq"] for e in got] == [e["seq"] for e in truth]  # each once, in order, none missing
    assert got == truth  # and each exactly as the server serves it
    assert truth[-1]["type"] == "auction_closed" and sum(e["type"] == "bid_placed" for e in truth) == 11
    ranks = [(e.seq, e.get("your_rank")) for e in following.events if e.private]
    assert len(ranks) == len(set(ranks))  # private events too: never twice
    follower = following.follower
    assert follower.connections >= 2 and follower.failures >= 1  # it reconnected after the kill, and resumed
    assert follower.sequencer.resyncs >= 1 and follower.resumes >= 2  # Redis lost messages: the server said so
