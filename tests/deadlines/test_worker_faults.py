"""Deadline faults with a real Celery worker on PostgreSQL + Redis (issue 5's acceptance):
a close delivered twice closes once; a close for an old deadline does nothing after an
extension and the auction closes at the new one; a worker killed mid-close leaves the
auction closed exactly once after a restart (the sweep); a close whose after-close job was
lost still gets its fairness report (the after-close sweep); with no worker, bids after the
deadline are still refused; an amendment's later deadline closes on time."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from audit.models import AuditEvent, FairnessReport
from procurement.services import rfq_close_if_due
from procurement.tasks import close_rfq_when_due
from rfqs.models import RFQ
from tests.engine.helpers import bid, reverse_auction
from tests.factories import move_deadline_into_past
from tests.waiting import wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

REPO = Path(__file__).resolve().parents[2]
# One tier: a bid in the last 60 s moves the deadline 6 s, once.
ONE_EXTENSION = {"anti_sniping_preset": "custom", "extension_trigger_minutes": 0, "extension_tiers": [
    {"trigger_seconds": 60, "extension_seconds": 6, "max_extensions": 1, "cool_down_seconds": 0}]}


def database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


class Worker:
    """`celery worker` (optionally with its embedded beat) on the test database and Redis."""

    def __init__(self, tmp_path: Path):
        self.tmp_path, self.proc, self.runs = tmp_path, None, 0

    def start(self, *, beat: bool = False, concurrency: int = 2, env: dict[str, str] | None = None) -> None:
        self.runs += 1
        self.log_path = self.tmp_path / f"worker-{self.runs}.log"
        env = {**os.environ, "DATABASE_URL": database_url(), "REDIS_URL": settings.REDIS_URL, "DJANGO_ENV": "",
               "QUAYSIDE_SWEEP_SECONDS": "1", "TASK_LOG_LEVEL": "INFO",  # result_of reads the per-task lines
               **(env or {})}
        command = [str(Path(sys.executable).parent / "celery"), "-A", "config", "worker", "--loglevel", "INFO",
                   "--pool", "prefork", "--concurrency", str(concurrency), "--without-gossip", "--without-mingle"]
        if beat:
            command += ["--beat", "--schedule", str(self.tmp_path / "beat-schedule")]
        with open(self.log_path, "wb") as log:
            # A session of its own, so the whole worker (parent and children) can be killed at once.
            self.proc = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        self.wait_for_log("ready.")

    def wait_for_log(self, text: str, timeout: float = 30) -> None:
        def logged() -> bool:
            assert self.proc.poll() is None, self.log_path.read_text()
            return text in self.log_path.read_text()

        wait_until(logged, timeout, self.log_path.read_text)

    def succeeded(self, task_name: str) -> int:
        """How many runs of the task the worker logged as succeeded."""
        return sum(1 for line in self.log_path.read_text().splitlines() if f"{task_name}[" in line and "] succeeded" in line)

    def result_of(self, task_id: str) -> str:
        """What the worker logged as the task's return value (no result backend is used)."""
        line = next(line for line in self.log_path.read_text().splitlines() if f"[{task_id}] succeeded" in line)
        return line.rsplit(": ", 1)[1].strip()

    def kill(self) -> None:
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def worker(tmp_path):
    from config.celery import app

    app.control.purge()  # jobs other tests sent for their RFQs are not ours to run
    handle = Worker(tmp_path)
    yield handle
    handle.stop()


def closes(rfq_id: int) -> int:
    return AuditEvent.objects.filter(rfq_id=rfq_id, type="rfq.close").count()


def status(rfq_id: int) -> str:
    return RFQ.objects.get(pk=rfq_id).status


def test_a_close_delivered_twice_closes_once(demo, worker):
    rfq = reverse_auction(demo, suppliers=(1, 2), accept=(1, 2))
    move_deadline_into_past(rfq)
    version = RFQ.objects.get(pk=rfq).deadline_version
    worker.start(concurrency=2)  # two processes: the duplicates really run at the same time
    jobs = [close_rfq_when_due.apply_async(args=(rfq, version)).id for _ in range(2)]
    wait_until(lambda: all(f"[{job}] succeeded" in worker.log_path.read_text() for job in jobs), 30,
               "the worker did not run both deliveries")
    results = sorted(worker.result_of(job) for job in jobs)
    assert results == ["False", "True"]  # both ran; one closed
    assert status(rfq) == "closed" and closes(rfq) == 1
    live = list(AuditEvent.objects.filter(rfq_id=rfq, live_prev_seq__isnull=False).values_list("type", flat=True))
    assert live.count("rfq.close") == 1  # one auction_closed for live clients


def test_a_close_for_an_old_deadline_does_nothing_and_the_auction_closes_at_the_new_one(demo, api, worker):
    worker.start()
    published = timezone.now()
    rfq = reverse_auction(demo, suppliers=(1, 2), accept=(1, 2), **ONE_EXTENSION)
    RFQ.objects.filter(pk=rfq).update(bidding_deadline=published + timedelta(seconds=6))
    # The job for this deadline, as publish sends it (publish used the factory's deadline).
    close_rfq_when_due.apply_async(args=(rfq, 1), eta=published + timedelta(seconds=6))
    assert bid(api, "supplier1", rfq, "9000.00").status_code == 201  # in the window: extends by 6 s
    extended = RFQ.objects.get(pk=rfq)
    assert extended.deadline_version == 2 and extended.bidding_deadline == published + timedelta(seconds=12)
    worker.wait_for_log("close_rfq_when_due", timeout=15)
    wait_until(lambda: timezone.now() > published + timedelta(seconds=8), 15, "clock")
    assert status(rfq) == "open"  # the old deadline passed and its job did nothing
    wait_until(lambda: status(rfq) == "closed", 20, worker.log_path.read_text)
    closed = RFQ.objects.get(pk=rfq)
    assert closed.closed_at >= extended.bidding_deadline and closes(rfq) == 1
    assert closed.closed_at - extended.bidding_deadline < timedelta(seconds=5)  # on time, by its own job


def test_an_amended_later_deadline_closes_at_the_new_time_and_the_old_job_does_nothing(demo, api, worker):
    """Issue 14: a buyer's amendment moves the deadline of an open auction later; the job of
    the old deadline runs and does nothing, the amendment's own job closes it on time."""
    worker.start()
    published = timezone.now()
    rfq = reverse_auction(demo, suppliers=(1, 2), accept=(1, 2))
    RFQ.objects.filter(pk=rfq).update(bidding_deadline=published + timedelta(seconds=6))
    old_job = close_rfq_when_due.apply_async(args=(rfq, 1), eta=published + timedelta(seconds=6)).id
    later = published + timedelta(seconds=14)
    amended = api("buyer").post(f"/api/v1/rfqs/{rfq}/amendments/", {
        "reason": "The vessel arrives later.", "bidding_deadline": later.isoformat()}, format="json")
    assert amended.status_code == 201, amended.content
    assert RFQ.objects.get(pk=rfq).deadline_version == 2
    wait_until(lambda: f"[{old_job}] succeeded" in worker.log_path.read_text(), 20, worker.log_path.read_text)
    assert worker.result_of(old_job) == "False" and status(rfq) == "open"  # the old deadline's job did nothing
    assert timezone.now() < later
    wait_until(lambda: status(rfq) == "closed", 25, worker.log_path.read_text)
    closed = RFQ.objects.get(pk=rfq)
    assert closed.closed_at >= later and closed.closed_at - later < timedelta(seconds=5)  # on time
    assert closes(rfq) == 1


def test_a_worker_killed_mid_close_leaves_the_auction_closed_once_after_restart(demo, worker):
    rfq = reverse_auction(demo, suppliers=(1, 2), accept=(1, 2))
    move_deadline_into_past(rfq)
    version = RFQ.objects.get(pk=rfq).deadline_version
    worker.start(concurrency=1)
    db = connection.settings_dict
    conninfo = {"host": db["HOST"], "port": db["PORT"], "user": db["USER"], "dbname": db["NAME"]}
    # (pg_stat_activity is read from its own autocommit connection: inside a transaction
    # PostgreSQL keeps showing the snapshot taken at its first read.)
    with psycopg.connect(**conninfo) as blocker, psycopg.connect(**conninfo, autocommit=True) as watcher:
        # Hold the RFQ's row so the worker's close stops half-way, inside its transaction.
        blocker.execute("SELECT 1 FROM procurement_rfq WHERE id = %s FOR UPDATE", [rfq])
        close_rfq_when_due.apply_async(args=(rfq, version))
        waiting = wait_until(lambda: watcher.execute(
            "SELECT array_agg(pid) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'",
            [db["NAME"]]).fetchone()[0], 20, "the worker never reached the close")
        assert len(waiting) == 1, waiting
        worker.kill()
        blocker.rollback()
        # Its database session ends once PostgreSQL notices the client is gone: from then on
        # its transaction can never commit.
        wait_until(lambda: not watcher.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s",
                                               waiting).fetchone(), 20, "the killed worker's session lives on")
    assert status(rfq) == "open" and closes(rfq) == 0  # the killed close left nothing behind
    worker.start(beat=True)  # restarted, with the sweep
    wait_until(lambda: status(rfq) == "closed", 30, worker.log_path.read_text)
    sweeps = worker.succeeded("close_overdue_rfqs")
    wait_until(lambda: worker.succeeded("close_overdue_rfqs") >= sweeps + 2, 30,  # a few more sweeps
               worker.log_path.read_text)
    assert closes(rfq) == 1
    assert AuditEvent.objects.filter(rfq_id=rfq, type="auction.ranked").count() == 1


def test_a_close_whose_after_close_job_was_lost_gets_its_report_from_the_sweep(demo, worker):
    """The close commits and queues its after-close job (at-close gaming scan, fairness report);
    the job is lost with the broker's queue. The worker's beat finishes it once the grace is
    over, once."""
    from config.celery import app

    rfq = reverse_auction(demo, suppliers=(1, 2), accept=(1, 2))
    move_deadline_into_past(rfq)
    assert rfq_close_if_due(rfq_id=rfq) is True  # committed: the job is in Redis now
    assert app.control.purge() >= 1  # and lost
    worker.start(beat=True, env={"QUAYSIDE_AFTER_CLOSE_SWEEP_SECONDS": "1", "QUAYSIDE_AFTER_CLOSE_GRACE_SECONDS": "2"})
    wait_until(lambda: FairnessReport.objects.filter(rfq_id=rfq).exists(), 30, worker.log_path.read_text)
    report = FairnessReport.objects.get(rfq_id=rfq)
    assert report.generated_at >= RFQ.objects.get(pk=rfq).closed_at + timedelta(seconds=2)  # after the grace
    sweeps = worker.succeeded("finish_closed_rfqs")
    wait_until(lambda: worker.succeeded("finish_closed_rfqs") >= sweeps + 2, 30, worker.log_path.read_text)
    assert AuditEvent.objects.filter(rfq_id=rfq, type="fairness.report_generated").count() == 1
    assert FairnessReport.objects.get(rfq_id=rfq).version == 1


def test_with_no_worker_at_all_bids_after_the_deadline_are_refused(demo, api):
    from config.celery import app

    assert app.control.ping(timeout=0.5) == []  # no worker anywhere on this broker
    rfq = reverse_auction(demo, suppliers=(1, 2), accept=(1, 2))
    assert bid(api, "supplier1", rfq, "9500.00").status_code == 201
    move_deadline_into_past(rfq)
    refused = bid(api, "supplier2", rfq, "9000.00")
    assert refused.status_code == 422, refused.content
    assert refused.json()["error"]["code"] == "bid_rejected"
    assert "deadline has passed" in refused.json()["error"]["message"]
    stored = RFQ.objects.get(pk=rfq)
    assert stored.status == "open" and stored.bid_count == 1 and str(stored.best_amount) == "9500.0000"
