"""Redis restarted mid-auction (issue 11, finding 4's acceptance), everything real: a Redis of
the test's own on a free port, the site (Uvicorn), a Celery worker and beat on it, the test
database. The worker and beat run under a supervisor as README "Background jobs" deploys
them (systemd's Restart=always): with the pinned kombu a worker holding an unacknowledged
message can die on the lost connection, and then its restart is what brings it back.

During the outage a bid answers 201 or 503 in the error format, never a 5xx for a bid that
was stored; afterwards the auction closes within the sweep interval of its deadline, and a
WebSocket client that resumes, or a client polling /events/?since=, has every live event,
chained by seq with no gap."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
import redis
import requests
from rest_framework.authtoken.models import Token
from websockets.sync.client import connect

from audit.models import AuditEvent
from config.celery import app
from procurement.tasks import close_rfq_when_due
from rfqs.models import RFQ
from tests.deadlines.test_worker_faults import REPO, closes, database_url, status, wait_until
from tests.engine.helpers import reverse_auction, set_deadline
from tests.ports import free_port, wait_until_serving

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

SWEEP_SECONDS = 1
RESTART_SECONDS = 0.5  # the supervisor's RestartSec
# Every bid in the last 60 s moves the deadline 6 s, at most twice: once before the outage,
# once during it (its close job cannot be sent then; the sweep must close on time anyway).
TWO_EXTENSIONS = {"anti_sniping_preset": "custom", "extension_trigger_minutes": 0, "extension_tiers": [
    {"trigger_seconds": 60, "extension_seconds": 6, "max_extensions": 2, "cool_down_seconds": 0}]}
BIN = Path(sys.executable).parent


class PrivateRedis:
    """`redis-server` on a port of its own, without persistence: a restart loses every key."""

    def __init__(self, tmp_path: Path):
        self.port, self.tmp_path, self.proc, self.runs = free_port(), tmp_path, None, 0
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.runs += 1
        with open(self.tmp_path / f"redis-{self.runs}.log", "wb") as log:
            self.proc = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                                          "--save", "", "--appendonly", "no"], stdout=log, stderr=subprocess.STDOUT)
        client = redis.Redis(port=self.port)
        wait_until(lambda: self._pings(client), 10, "redis-server did not start")

    def _pings(self, client) -> bool:
        assert self.proc.poll() is None, (self.tmp_path / f"redis-{self.runs}.log").read_text()
        try:
            return client.ping()
        except redis.ConnectionError:
            return False

    def kill(self) -> None:
        self.proc.kill()  # a crash, not a shutdown
        self.proc.wait(timeout=10)


class Supervisor:
    """Plays systemd with Restart=always: a process that exits is started again."""

    def __init__(self, tmp_path: Path, env: dict):
        self.tmp_path, self.env = tmp_path, env
        self.commands: dict[str, list[str]] = {}
        self.procs: dict[str, subprocess.Popen] = {}
        self.exits: list[tuple[str, int]] = []
        self.stopping = threading.Event()
        self.watcher = threading.Thread(target=self._watch, daemon=True)

    def run(self, name: str, command: list[str]) -> None:
        self.commands[name] = command
        self._start(name)

    def _start(self, name: str) -> None:
        runs = sum(1 for n, _ in self.exits if n == name) + 1
        with open(self.tmp_path / f"{name}-{runs}.log", "wb") as log:
            # A session of its own, so the whole worker (parent and pool) can be stopped at once.
            self.procs[name] = subprocess.Popen(self.commands[name], cwd=REPO, env=self.env, stdout=log,
                                                stderr=subprocess.STDOUT, start_new_session=True)

    def _watch(self) -> None:
        while not self.stopping.wait(0.1):
            for name, proc in list(self.procs.items()):
                if proc.poll() is not None and not self.stopping.is_set():
                    self.exits.append((name, proc.returncode))
                    time.sleep(RESTART_SECONDS)
                    self._start(name)

    def log(self, name: str) -> str:
        return "\n".join(path.read_text(errors="replace") for path in sorted(self.tmp_path.glob(f"{name}-*.log")))

    def logs(self) -> str:
        return "\n".join(f"--- {name}\n{self.log(name)[-6000:]}" for name in self.commands)

    def stop(self) -> None:
        self.stopping.set()
        self.watcher.join(timeout=5)
        for proc in self.procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)


@pytest.fixture
def private_redis(tmp_path):
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    if server.proc.poll() is None:
        server.kill()


@pytest.fixture
def deployment(private_redis, tmp_path):
    """The site, a worker and beat on the test database and the private Redis."""
    env = {**os.environ, "DATABASE_URL": database_url(), "REDIS_URL": private_redis.url, "DJANGO_ENV": "",
           "QUAYSIDE_SWEEP_SECONDS": str(SWEEP_SECONDS), "MEDIA_ROOT": str(tmp_path)}
    supervisor = Supervisor(tmp_path, env)
    port = free_port()
    with open(tmp_path / "site.log", "wb") as log:
        site = subprocess.Popen([str(BIN / "uvicorn"), "--port", str(port), "--no-access-log",
                                 "--http", "common.uvicorn_http:HttpToolsProtocol",
                                 "--ws-per-message-deflate", "false", "config.asgi:application"], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        supervisor.run("worker", [str(BIN / "celery"), "-A", "config", "worker", "--loglevel", "INFO",
                                  "--pool", "prefork", "--concurrency", "1", "--without-gossip", "--without-mingle"])
        supervisor.run("beat", [str(BIN / "celery"), "-A", "config", "beat", "--loglevel", "INFO",
                                "--schedule", str(tmp_path / "beat-schedule")])
        supervisor.watcher.start()
        wait_until_serving(f"http://127.0.0.1:{port}/api/v1/", process=site, log_path=tmp_path / "site.log",
                           timeout=30)
        wait_for(lambda: "ready." in supervisor.log("worker"), 30, supervisor.logs)
        supervisor.site = f"127.0.0.1:{port}"
        yield supervisor
    finally:
        supervisor.stop()
        site.terminate()
        try:
            site.wait(timeout=10)
        except subprocess.TimeoutExpired:
            site.kill()


class LiveClient:
    """A WebSocket client in a thread that does what api.md asks of one: on `resync` (or a gap
    in the seq chain) it resumes from the last seq it has."""

    def __init__(self, url: str, token: str):
        self.socket = connect(url, additional_headers={"Authorization": f"Token {token}"}, open_timeout=10)
        self.state = json.loads(self.socket.recv(timeout=10))
        assert self.state["type"] == "state", self.state
        self.events: list[dict] = []
        self.received: list[dict] = []  # everything, for failure messages
        self.resumes = 0
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def last_seq(self) -> int:
        return self.events[-1]["seq"] if self.events else self.state["seq"]

    def _read(self) -> None:
        while True:
            try:
                message = json.loads(self.socket.recv(timeout=60))
            except Exception:  # closed at the end of the test
                return
            self.received.append(message)
            if message["type"] == "resync" or (message.get("prev_seq") is not None
                                               and message["prev_seq"] > self.last_seq()):
                self.resumes += 1
                self.socket.send(json.dumps({"type": "resume", "since": self.last_seq()}))
            elif "seq" in message and not message.get("private") and message["type"] != "state" \
                    and message["seq"] > self.last_seq():
                self.events.append(message)

    def close(self) -> None:
        self.socket.close()


def wait_for(predicate, timeout: float, describe) -> None:
    """wait_until, with a failure message made when it fails (it reads logs and state)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, describe()
        time.sleep(0.1)


def live_chain(rfq_id: int, after: int) -> list[tuple[int, int]]:
    """(seq, prev_seq) of the RFQ's live events after `after`, from the audit trail."""
    return list(AuditEvent.objects.filter(rfq_id=rfq_id, seq__gt=after, live_prev_seq__isnull=False)
                .order_by("seq").values_list("seq", "live_prev_seq"))


def test_redis_restarted_mid_auction(demo, private_redis, deployment):
    rfq = reverse_auction(demo, suppliers=(1, 2, 3, 4), accept=(1, 2, 3, 4), **TWO_EXTENSIONS)
    tokens = {n: Token.objects.get_or_create(user=demo.user(f"supplier{n}"))[0].key for n in (1, 2, 3, 4)}
    site = deployment.site

    def place(supplier: int, amount: str) -> requests.Response:
        return requests.post(f"http://{site}/api/v1/rfqs/{rfq}/bids/", json={"amount": amount}, timeout=30,
                             headers={"Authorization": f"Token {tokens[supplier]}"})

    set_deadline(rfq, 8)
    watcher = LiveClient(f"ws://{site}/ws/rfqs/{rfq}/", tokens[3])
    start = watcher.state["seq"]
    # Extends the deadline by 6 s and sends its close job: the worker holds it, unacknowledged,
    # until its ETA — the message kombu fails to restore when the connection drops.
    first = place(1, "9900.00")
    assert first.status_code == 201, first.text
    wait_for(lambda: len(watcher.events) == 2, 10, lambda: f"the live client got {watcher.received}")
    # A second job the worker holds until its ETA (a duplicate close: it would do nothing). The
    # more the worker holds, the likelier the crash this deployment must survive.
    locked = RFQ.objects.get(pk=rfq)
    with app.connection_for_write(private_redis.url) as broker:
        close_rfq_when_due.apply_async(args=(rfq, locked.deadline_version), eta=locked.bidding_deadline,
                                       connection=broker)
    time.sleep(0.5)  # received by the worker

    answers = bids_while_redis_is_down(private_redis, place)
    assert_each_bid_stored_or_refused_with_503(rfq, answers)

    deadline = RFQ.objects.get(pk=rfq).bidding_deadline
    wait_for(lambda: status(rfq) == "closed", 40, deployment.logs)
    closed = RFQ.objects.get(pk=rfq)
    late = closed.closed_at - deadline
    assert timedelta(0) <= late < timedelta(seconds=SWEEP_SECONDS + 1), (late, deployment.logs())
    assert closes(rfq) == 1
    # Whatever died was restarted, and only a crash (a non-zero exit) made anything stop.
    assert all(code != 0 for _, code in deployment.exits), deployment.exits
    assert all(proc.poll() is None for proc in deployment.procs.values()), deployment.logs()

    assert_live_clients_miss_nothing(rfq, start, watcher, site, tokens[3])


def bids_while_redis_is_down(private_redis, place) -> dict[str, requests.Response]:
    """Redis killed, three bids sent, Redis started again after 3 s at least: amount → answer."""
    killed = time.monotonic()
    private_redis.kill()
    # One bid per supplier: in the final phase a supplier's bids must be spaced (429 otherwise).
    answers = {amount: place(supplier, amount) for supplier, amount in ((2, "9800.00"), (3, "9700.00"),
                                                                        (4, "9600.00"))}
    time.sleep(max(0.0, 3 - (time.monotonic() - killed)))  # down for 3 s at least
    private_redis.start()
    return answers


def assert_each_bid_stored_or_refused_with_503(rfq: int, answers: dict[str, requests.Response]) -> None:
    for amount, answer in answers.items():
        assert answer.status_code in (201, 503), (amount, answer.status_code, answer.text)
        if answer.status_code == 503:
            assert set(answer.json()["error"]) == {"code", "message", "fields", "violations"}, answer.text
            assert answer.json()["error"]["code"] == "service_unavailable" and answer.headers["Retry-After"]
    stored = {f"{amount:.2f}" for amount in RFQ.objects.get(pk=rfq).bids.values_list("amount", flat=True)}
    assert stored == {"9900.00"} | {amount for amount, answer in answers.items() if answer.status_code == 201}


def assert_live_clients_miss_nothing(rfq: int, start: int, watcher: LiveClient, site: str, token: str) -> None:
    """The trail's chain of live events, resumed over the socket and polled."""
    chain = live_chain(rfq, start)
    assert all(prev == earlier for (earlier, _), (_, prev) in zip(chain, chain[1:], strict=False))
    assert chain[0][1] <= start
    wait_for(lambda: watcher.events and watcher.events[-1]["type"] == "auction_closed", 15,
             lambda: f"the live client got {watcher.received}")
    assert [(e["seq"], e["prev_seq"]) for e in watcher.events] == chain
    polled = requests.get(f"http://{site}/api/v1/rfqs/{rfq}/events/?since={start}", timeout=10,
                          headers={"Authorization": f"Token {token}"})
    assert polled.status_code == 200, polled.text
    assert [(e["seq"], e["prev_seq"]) for e in polled.json()] == chain
    watcher.close()
