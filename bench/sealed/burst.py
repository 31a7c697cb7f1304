"""The load generator: client processes (spawned: no Django in them), each with threads that send
their share of the plan at the planned moments, every answer recorded.

A thread takes the next quote due, sleeps until its moment and sends it on its own connection
(Idempotency-Key set; a request without an answer is retried twice with the same key). A
revision (or a late quote) waits until the same supplier's first quote was answered. So the generator falls
behind the plan only when every thread of a process is waiting for an answer (the server is
slower than the plan: "taken late") or when the process itself lacks CPU ("sent late"); both
are measured and reported.
"""
from __future__ import annotations

import http.client
import json
import multiprocessing
import queue
import resource
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from .plan import Submission, quote_body

ATTEMPTS = 3
IN_PROGRESS_WAIT = 0.5


@dataclass
class Answer:
    """What became of one planned submission."""

    n: int
    supplier: int
    kind: str
    scheduled: float  # epoch seconds
    taken: float  # when a thread took it (epoch): late if every thread was busy
    sent: float  # first attempt sent (epoch)
    finished: float  # last answer received (epoch)
    latency: float  # of the answered attempt, seconds
    status: int  # 0: no answer after every attempt
    attempts: int = 1
    bid_id: int | None = None
    version: int | None = None
    rules: tuple[str, ...] = ()
    replayed: bool = False
    error: str = ""


@dataclass
class ClientProcess:
    """One client process's answers and its own CPU time."""

    answers: list[Answer] = field(default_factory=list)
    cpu: float = 0.0
    threads: int = 0
    errors: Counter = field(default_factory=Counter)


@dataclass
class Job:
    port: int
    rfq_id: int
    line_ids: list[int]
    valid_until: str
    submissions: list[Submission]
    threads: int
    timeout: float


def run_client_process(job: Job, out: multiprocessing.Queue) -> None:
    """The body of a client process: `job.threads` threads over its submissions; the result goes to `out`."""
    sender = Sender(job)
    threads = [threading.Thread(target=sender.work, daemon=True) for _ in range(job.threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    sender.result.cpu = usage.ru_utime + usage.ru_stime
    out.put(sender.result)


class Sender:
    """What the threads of one client process share: the quotes still to send, in order of
    their moments, and the answers."""

    def __init__(self, job: Job):
        self.job, self.result = job, ClientProcess(threads=job.threads)
        self.todo = sorted(job.submissions, key=lambda s: s.at)
        self.lock = threading.Lock()
        # A revision waits for its supplier's first quote to be answered.
        self.answered = {s.supplier: threading.Event() for s in self.todo if s.kind == "first"}
        self.path = f"/api/v1/rfqs/{job.rfq_id}/bids/"

    def take(self) -> Submission | None:
        with self.lock:
            return self.todo.pop(0) if self.todo else None

    def work(self) -> None:
        """One thread: take the next quote due, wait for its moment, send it; until none are left."""
        conn = http.client.HTTPConnection("127.0.0.1", self.job.port, timeout=self.job.timeout)
        try:
            while (sub := self.take()) is not None:
                taken = time.time()
                if sub.kind != "first" and sub.supplier in self.answered:
                    self.answered[sub.supplier].wait(timeout=self.job.timeout * ATTEMPTS)
                time.sleep(max(0.0, sub.at - time.time()))
                answer = self.send(conn, sub, taken)
                with self.lock:
                    self.result.answers.append(answer)
                if sub.kind == "first":
                    self.answered[sub.supplier].set()
        finally:
            conn.close()

    def send(self, conn: http.client.HTTPConnection, sub: Submission, taken: float) -> Answer:
        """Up to ATTEMPTS attempts with the same Idempotency-Key; the last answer."""
        body = quote_body(sub, self.job.line_ids, self.job.valid_until)
        answer = Answer(n=sub.n, supplier=sub.supplier, kind=sub.kind, scheduled=sub.at, taken=taken,
                        sent=time.time(), finished=0.0, latency=0.0, status=0, attempts=0)
        for attempt in range(1, ATTEMPTS + 1):
            answer.attempts = attempt
            began = time.monotonic()
            try:
                status, _, data, replayed = _post(conn, self.path, sub, body)
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                with self.lock:
                    self.result.errors[type(exc).__name__] += 1
                answer.error = f"{type(exc).__name__}: {exc}"
                continue
            answer.latency, answer.finished, answer.status, answer.replayed = (
                time.monotonic() - began, time.time(), status, replayed)
            _read_answer(answer, status, data)
            if status == 409 and "idempotency_key_in_progress" in answer.error:
                time.sleep(IN_PROGRESS_WAIT)  # the first attempt is still being served: ask again
                continue
            break
        answer.finished = answer.finished or time.time()
        return answer


def _post(conn: http.client.HTTPConnection, path: str, sub: Submission, body: dict):
    """(status, Retry-After, body bytes, replayed?) of one attempt."""
    conn.request("POST", path, body=json.dumps(body).encode(), headers={
        "Authorization": f"Token {sub.token}", "Accept": "application/json", "Content-Type": "application/json",
        "Idempotency-Key": sub.key, "User-Agent": "quayside-bench/1 (sealed_burst)"})
    response = conn.getresponse()
    data = response.read()
    return response.status, response.getheader("Retry-After"), data, response.getheader("Idempotent-Replayed") == "true"


def _read_answer(answer: Answer, status: int, data: bytes) -> None:
    try:
        parsed = json.loads(data) if data else None
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        answer.error = data[:200].decode(errors="replace")
        return
    if status == 201:
        answer.bid_id, answer.version = parsed.get("id"), parsed.get("version")
    else:
        error = parsed.get("error", {})
        answer.error = f"{error.get('code', '?')}: {error.get('message', '')}"[:300]
        answer.rules = tuple(v.get("rule", "?") for v in error.get("violations", []) if v.get("severity") == "block")


@dataclass
class Burst:
    answers: list[Answer]
    processes: list[ClientProcess]


class Clients:
    """`processes` spawned client processes, each with `threads` threads; the plan is dealt out by
    supplier (a supplier's quotes all go through one process, so its revision follows its first)."""

    def __init__(self, port: int, rfq_id: int, line_ids: list[int], valid_until: str, plan: list[Submission], *,
                 processes: int, threads: int, timeout: float = 120.0):
        context = multiprocessing.get_context("spawn")
        self.out: multiprocessing.Queue = context.Queue()
        self.procs = []
        for p in range(processes):
            share = [s for s in plan if s.supplier % processes == p]
            job = Job(port=port, rfq_id=rfq_id, line_ids=line_ids, valid_until=valid_until, submissions=share,
                      threads=threads, timeout=timeout)
            self.procs.append(context.Process(target=run_client_process, args=(job, self.out), daemon=True,
                                              name=f"sealed-burst-client-{p}"))
        self.plan = plan

    def start(self) -> None:
        for proc in self.procs:
            proc.start()

    def pids(self) -> list[int]:
        return [p.pid for p in self.procs if p.pid is not None]

    def collect(self, timeout: float) -> Burst:
        """Every process's answers; a process that sends nothing back within `timeout` is killed
        (its submissions then count as unanswered)."""
        results: list[ClientProcess] = []
        end = time.monotonic() + timeout
        while len(results) < len(self.procs):
            try:
                results.append(self.out.get(timeout=max(0.1, end - time.monotonic())))
            except queue.Empty:
                break
        for proc in self.procs:
            proc.join(timeout=5)
            if proc.is_alive():
                proc.kill()
                proc.join(timeout=5)
        answers = sorted((a for r in results for a in r.answers), key=lambda a: a.n)
        seen = {a.n for a in answers}
        for sub in self.plan:  # a lost process: its submissions never answered
            if sub.n not in seen:
                answers.append(Answer(n=sub.n, supplier=sub.supplier, kind=sub.kind, scheduled=sub.at, taken=0.0,
                                      sent=0.0, finished=0.0, latency=0.0, status=0, attempts=0,
                                      error="client process gave no result"))
        return Burst(answers=sorted(answers, key=lambda a: a.n), processes=results)

    def stop(self) -> None:
        for proc in self.procs:
            if proc.is_alive():
                proc.kill()
