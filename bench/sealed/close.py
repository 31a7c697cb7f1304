"""Watching the close from outside, as the buyer would: when the RFQ is seen closed (its close
committed), when GET /evaluation/ first answers 200, when the fairness report exists; then the
moments the server recorded (the close transition, the opening, the ranking, the report)."""
from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass, field

from harness.client import request_once

POLL = 0.1


@dataclass
class CloseWatch:
    deadline: float  # epoch seconds
    seen_closed: float | None = None  # first poll that read a closed status (the close had committed)
    evaluation_200: float | None = None  # GET /evaluation/ first answered 200 (answer received)
    evaluation_latency: float | None = None  # that request's latency
    evaluation_body: dict | None = None
    evaluation_statuses: Counter = field(default_factory=Counter)
    report_seen: float | None = None  # the FairnessReport row first read
    report_get: tuple[int, float] | None = None  # GET /fairness-report/ afterwards: status, latency
    after_close_done: float | None = None  # the worker logged after_close as succeeded
    problems: list[str] = field(default_factory=list)


def watch_close(port: int, rfq_id: int, buyer_token: str, deadline: float, jobs, *, timeout: float) -> CloseWatch:
    """Poll until the report exists and the worker finished `after_close` (or `timeout` seconds
    after the deadline)."""
    from audit.models import FairnessReport
    from rfqs.models import RFQ

    watch = CloseWatch(deadline=deadline)
    give_up = deadline + timeout
    while time.time() < give_up and watch.seen_closed is None:
        if RFQ.objects.filter(pk=rfq_id).values_list("status", flat=True).get() != "open":
            watch.seen_closed = time.time()
            break
        time.sleep(POLL)
    if watch.seen_closed is None:
        watch.problems.append(f"the RFQ was not closed {timeout:.0f} s after its deadline")
        return watch
    path = f"/api/v1/rfqs/{rfq_id}/evaluation/"
    while time.time() < give_up and watch.evaluation_200 is None:
        began = time.monotonic()
        try:
            status, _, data = request_once(port, "GET", path, buyer_token, timeout=max(1.0, give_up - time.time()))
        except OSError as exc:
            watch.evaluation_statuses[type(exc).__name__] += 1
            time.sleep(POLL)
            continue
        watch.evaluation_statuses[status] += 1
        if status == 200:
            watch.evaluation_200, watch.evaluation_latency = time.time(), time.monotonic() - began
            watch.evaluation_body = json.loads(data)
        else:
            time.sleep(POLL)
    if watch.evaluation_200 is None:
        watch.problems.append(f"GET /evaluation/ never answered 200 ({dict(watch.evaluation_statuses)})")
    while time.time() < give_up and (watch.report_seen is None or watch.after_close_done is None):
        if watch.report_seen is None and FairnessReport.objects.filter(rfq_id=rfq_id).exists():
            watch.report_seen = time.time()
        if watch.after_close_done is None and any(r["task"] == "procurement.tasks.after_close"
                                                  for r in jobs.task_runs()):
            watch.after_close_done = time.time()
        time.sleep(POLL)
    if watch.report_seen is None:
        watch.problems.append(f"no fairness report {timeout:.0f} s after the deadline")
    elif watch.after_close_done is None:
        watch.problems.append(f"the worker did not finish after_close {timeout:.0f} s after the deadline")
    if watch.report_seen is not None:
        began = time.monotonic()
        status, _, _ = request_once(port, "GET", f"/api/v1/rfqs/{rfq_id}/fairness-report/", buyer_token, timeout=300)
        watch.report_get = (status, time.monotonic() - began)
    return watch


def server_moments(rfq_id: int) -> dict[str, float | None]:
    """What the server recorded, as epoch seconds: the close transition (`closed_at`), the
    events of the close transaction (stamped when each was appended: the opening after every
    quote was decrypted and written, the ranking after the evaluation), the first report."""
    from audit.models import AuditEvent, FairnessReport, rfq_stream
    from rfqs.models import RFQ

    rfq = RFQ.objects.get(pk=rfq_id)
    firsts: dict[str, float] = {}
    for kind, at in (AuditEvent.objects.filter(stream=rfq_stream(rfq_id), type__in=(
            "rfq.close", "bids.opened", "auction.ranked", "fairness.report_generated"))
            .order_by("seq").values_list("type", "at")):
        firsts.setdefault(kind, at.timestamp())
    report = FairnessReport.objects.filter(rfq_id=rfq_id).first()
    return {"deadline": rfq.bidding_deadline.timestamp(),
            "closed_at": rfq.closed_at.timestamp() if rfq.closed_at else None,
            "close_event": firsts.get("rfq.close"), "opened_event": firsts.get("bids.opened"),
            "ranked_event": firsts.get("auction.ranked"), "report_event": firsts.get("fairness.report_generated"),
            "report_version": report.version if report else None}
