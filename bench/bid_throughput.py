#!/usr/bin/env python
"""Reverse-auction bid throughput over real HTTP, against raw PostgreSQL doing the same writes.

    .venv/bin/python bench/bid_throughput.py --clients 32 --seconds 20

What one run does (bench/README.md has the details and the figures):

1. Drops and recreates a PostgreSQL database (default `quayside_bench`), migrates it, seeds
   the demo, and creates bench suppliers (KYC-verified, qualified, invitation accepted, API
   token each) and one open reverse auction (AMOUNT decrement 0.01, 60 bids/min/supplier,
   deadline a day away so anti-sniping never fires).
2. Starts the real server, as the README runs it in production (Gunicorn, WSGI sync workers;
   or Uvicorn / Daphne, ASGI) on one listening socket on a free loopback port, DEBUG off.
3. N client threads, each with its own keep-alive connection, bid for a fixed time, rotating
   over their own suppliers: prices from one shared descending ladder (default), or the best
   they know minus a random step (--pattern race). Every
   request's latency and outcome is recorded; the loop stops at the deadline and at a hard
   cap on requests.
4. Checks invariants in the database: strictly decreasing accepted bids in audit order by at
   least the decrement, accepted responses == Bid rows == bid.placed events, the same order
   in bids and audit trail, every refusal audited, the hash chain verifies, no 5xx.
5. Runs pgbench with the same client count and duration on the same database, executing an
   accepted bid's SQL one statement per round trip, then batched as the Django transaction
   sends it (bench/README.md lists both), and compares.

Exit status: 1 if any invariant is violated, 2 if the run could not be set up; missing the
speed target is reported, not failed.
"""
from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432"
DECREMENT = Decimal("0.01")
STARTING_PRICE = Decimal("1000000.00")
BENCH_CATEGORY = "provisions"
USER_AGENT = "quayside-bench/1 (bid_throughput)"
TARGET_RATIO = 0.40


class SetupError(RuntimeError):
    """The run could not start (no PostgreSQL, no pgbench, server did not come up…)."""


# --- Environment and database -------------------------------------------------------------

def bench_env(args, tmpdir: Path) -> dict[str, str]:
    """The environment of every Django process of the run (manage.py, servers, this one)."""
    url = f"{args.pg_url}/{args.db}"
    if args.conn_max_age is not None:
        url += f"?conn_max_age={args.conn_max_age}"
    env = dict(os.environ)
    for name in ("DJANGO_ENV", "DJANGO_SETTINGS_MODULE", "DEBUG", "CONN_MAX_AGE"):
        env.pop(name, None)
    env.update({
        "DATABASE_URL": url,
        "REDIS_URL": args.redis_url,
        "DEBUG": "False",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        # seed_demo writes KYC PDFs: keep them out of the work tree.
        "MEDIA_ROOT": str(tmpdir / "media"),
        "PYTHONUNBUFFERED": "1",
        # This tree's code, whatever the virtualenv's editable install points at.
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH", "")])),
        # Invitations e-mail on commit during setup; nothing in the bid path sends mail.
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
    })
    return env


_LOCKS = []


def hold_database_lock(db: str) -> None:
    """One run per scratch database at a time: a second run would drop the first one's."""
    import fcntl

    handle = open(Path(tempfile.gettempdir()) / f"quayside-bench-{db}.lock", "w")  # noqa: SIM115 (held to exit)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        raise SetupError(f"another benchmark run is using database {db} (pass --db to use another)") from None
    _LOCKS.append(handle)


def recreate_database(args) -> None:
    import psycopg

    try:
        with psycopg.connect(f"{args.pg_url}/postgres", autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{args.db}"')
    except psycopg.OperationalError as exc:
        raise SetupError(f"PostgreSQL is not reachable at {args.pg_url}: {exc}") from None


def manage(env: dict, *command: str) -> None:
    result = subprocess.run([sys.executable, "manage.py", *command], cwd=REPO, env=env,
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise SetupError(f"manage.py {' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")


def django_setup(env: dict) -> None:
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "REDIS_URL", "DEBUG", "DJANGO_SETTINGS_MODULE",
                                            "MEDIA_ROOT", "EMAIL_BACKEND")})
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    import django

    django.setup()


@dataclass
class World:
    rfq_id: int
    twin_rfq_id: int  # pgbench's auction: same shape, its own row and audit stream
    tokens: list[str]  # one API token per bench supplier, in supplier order
    supplier_ids: list[int]
    user_ids: list[int]
    usernames: list[str]
    supplier_names: list[str]
    conn_max_age: int | None
    audit_events_before: int = 0


def create_world(n_suppliers: int) -> World:
    """Bench suppliers and the auction, through the services where they exist."""
    from datetime import timedelta

    from django.db import connection, transaction
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from accounts.models import Role, User
    from auctions.mechanisms import get_mechanism
    from procurement import services as rfq_services
    from suppliers import services as supplier_services
    from suppliers.models import Category, Invitation, KycStatus, Port, SupplierCompany

    buyer = User.objects.get(username="buyer")
    category = Category.objects.get(slug=BENCH_CATEGORY)
    with transaction.atomic():
        # Created verified (KYC review is not what this measures; the services would also
        # write three PDFs per supplier). Everything the bid path reads is real.
        companies = SupplierCompany.objects.bulk_create(
            SupplierCompany(name=f"Bench Supplier {i:04d}", country="SG", tier="SILVER", performance_score="80.00",
                            kyc_status=KycStatus.VERIFIED, contact_email=f"bench{i:04d}@bench.example")
            for i in range(n_suppliers))
        SupplierCompany.categories.through.objects.bulk_create(
            SupplierCompany.categories.through(suppliercompany_id=c.pk, category_id=category.pk) for c in companies)
        users = []
        for i, company in enumerate(companies):
            user = User(username=f"bench{i:04d}", role=Role.SUPPLIER, supplier=company,
                        email=f"bench{i:04d}@bench.example")
            user.set_unusable_password()
            users.append(user)
        users = User.objects.bulk_create(users)
        tokens = Token.objects.bulk_create(Token(key=Token.generate_key(), user=user) for user in users)

    now = timezone.now()
    settings = get_mechanism("REVERSE_AUCTION").validate_settings({
        "starting_price": str(STARTING_PRICE), "minimum_decrement": str(DECREMENT), "decrement_type": "AMOUNT",
        "rate_limit_bids_per_minute": 60, "duration_minutes": 24 * 60,
    })

    def auction(title: str, invited: list) -> int:
        rfq = rfq_services.rfq_create(user=buyer, data={
            "title": title, "description": "Bid-throughput benchmark auction.", "category": category,
            "currency": "USD", "delivery_port": Port.objects.get(code="SGSIN"),
            "delivery_date": (now + timedelta(days=14)).date(), "bidding_opens_at": None,
            # A day away: the anti-sniping window (last minutes) is never reached.
            "bidding_deadline": now + timedelta(days=1), "auction_type": "REVERSE_AUCTION",
            "auction_settings": settings, "template": "",
            "tie_breaking": {"criteria": ["earliest_submission", "higher_tier"], "final_fallback": "random"},
            "line_items": [{"description": "Rice, long grain, 25 kg bag", "quantity": "40", "unit": "bag",
                            "impa_code": "000101"}],
        })
        supplier_services.invitation_create_many(rfq=rfq, supplier_ids=[c.pk for c in invited], user=buyer)
        rfq = rfq_services.rfq_publish(rfq=rfq, user=buyer)
        if rfq.status != "open":
            raise SetupError(f"The bench auction did not open (status {rfq.status}).")
        by_supplier = {u.supplier_id: u for u in users}
        for invitation in Invitation.objects.filter(rfq=rfq):
            supplier_services.invitation_respond(invitation=invitation, user=by_supplier[invitation.supplier_id],
                                                 accept=True)
        return rfq.pk

    rfq_id = auction("Bid-throughput benchmark", companies)
    twin_id = auction("Bid-throughput benchmark (pgbench twin)", companies[:2])
    conn_max_age = connection.settings_dict.get("CONN_MAX_AGE")
    return World(rfq_id=rfq_id, twin_rfq_id=twin_id, tokens=[t.key for t in tokens],
                 supplier_ids=[c.pk for c in companies], user_ids=[u.pk for u in users],
                 usernames=[u.username for u in users], supplier_names=[c.name for c in companies],
                 conn_max_age=conn_max_age)


# --- Servers -------------------------------------------------------------------------------

def die_with_parent() -> None:
    """In the child: be killed when the bench process dies, even by SIGKILL (Linux). SIGKILL,
    because Daphne does not exit on SIGTERM while a request is in flight (its request thread
    waits for the event loop that SIGTERM stopped)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


SERVERS = ("gunicorn", "uvicorn", "daphne")


def server_commands(server: str, workers: int, fd: int) -> list[list[str]]:
    """The processes serving HTTP, all on one inherited listening socket.

    gunicorn: the production setup (README): Django's sync views under WSGI, one sync worker
    per process. uvicorn / daphne: the ASGI servers, one process each, as `./quayside up` and
    the WebSocket tier run; access logs on, as in a deployment."""
    if server == "gunicorn":
        return [[str(VENV_BIN / "gunicorn"), "--bind", f"fd://{fd}", "--workers", str(workers),
                 "--worker-class", "sync", "--access-logfile", "-", "config.wsgi:application"]]
    if server == "uvicorn":
        return [[str(VENV_BIN / "uvicorn"), "--fd", str(fd), "--loop", "uvloop", "--http", "httptools",
                 "config.asgi:application"] for _ in range(workers)]
    return [[str(VENV_BIN / "daphne"), "--fd", str(fd), "-v", "1", "config.asgi:application"]
            for _ in range(workers)]


def descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        found += [int(c) for c in children]
        todo += [int(c) for c in children]
    return found


class Servers:
    """ASGI server processes sharing one listening socket; always stopped on exit."""

    def __init__(self, env: dict, server: str, workers: int, logdir: Path):
        self.env, self.server, self.workers, self.logdir = env, server, workers, logdir
        self.procs: list[subprocess.Popen] = []
        self.sock: socket.socket | None = None
        self.port = 0

    def start(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1024)
        self.sock.set_inheritable(True)
        self.port = self.sock.getsockname()[1]
        fd = self.sock.fileno()
        for n, command in enumerate(server_commands(self.server, self.workers, fd)):
            if not Path(command[0]).exists():
                raise SetupError(f"{command[0]} not found: install the project (pip install -e .) first")
            log = open(self.logdir / f"server-{n}.log", "wb")  # noqa: SIM115 (closed with the process)
            proc = subprocess.Popen(command, cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                    pass_fds=(fd,), start_new_session=True, preexec_fn=die_with_parent)
            log.close()
            self.procs.append(proc)

    def wait_ready(self, token: str, rfq_id: int, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for proc in self.procs:
                if proc.poll() is not None:
                    raise SetupError(f"a server process exited with {proc.returncode}; see {self.logdir}")
            try:
                status, _, _ = request_once(self.port, "GET", f"/api/v1/rfqs/{rfq_id}/state/", token)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise SetupError(f"the server did not answer within {timeout:.0f} s; see {self.logdir}")

    def pids(self) -> list[int]:
        """Every live server process, Gunicorn's workers (children of its master) included."""
        pids = [p.pid for p in self.procs if p.poll() is None]
        return pids + [child for pid in pids for child in descendants(pid)]

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 10 s (see die_with_parent)."""
        for proc in self.procs:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
        self.procs = []
        if self.sock is not None:
            self.sock.close()
            self.sock = None


def request_once(port: int, method: str, path: str, token: str, body: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        return do_request(conn, method, path, token, body)
    finally:
        conn.close()


def do_request(conn, method: str, path: str, token: str, body: dict | None = None):
    headers = {"Authorization": f"Token {token}", "Accept": "application/json", "User-Agent": USER_AGENT}
    payload = None
    if body is not None:
        payload = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    conn.request(method, path, body=payload, headers=headers)
    response = conn.getresponse()
    data = response.read()
    return response.status, response.getheader("Retry-After"), data


# --- CPU accounting (Linux /proc) ------------------------------------------------------------

CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat_fields(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # comm may hold spaces: split after the closing parenthesis.
    return [raw[raw.index("(") + 1:raw.rindex(")")]] + raw[raw.rindex(")") + 2:].split()


def process_cpu(pids: list[int], *, children: bool = False) -> float:
    """utime + stime (+ reaped children's) seconds of these processes."""
    total = 0
    for pid in pids:
        fields = _stat_fields(pid)
        if fields:  # fields[0] = comm, [1] = state, so utime is [12], stime [13], cutime [14], cstime [15]
            total += int(fields[12]) + int(fields[13])
            if children:
                total += int(fields[14]) + int(fields[15])
    return total / CLK_TCK


def postgres_cpu() -> float:
    """CPU seconds of every PostgreSQL process, including backends that already exited (the
    postmaster reaps them, so their time lands in its children's counters)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat_fields(int(entry.name))
        if not fields or fields[0] != "postgres":
            continue
        is_postmaster = _stat_fields(int(fields[2])) is None or _stat_fields(int(fields[2]))[0] != "postgres"
        total += (int(fields[12]) + int(fields[13]) + (int(fields[14]) + int(fields[15]) if is_postmaster else 0))
    return total / CLK_TCK


def machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies-as-seconds over all cores, from /proc/stat."""
    try:
        parts = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except OSError:
        return 0.0, 0.0
    idle = parts[3] + (parts[4] if len(parts) > 4 else 0)
    return (sum(parts[:8]) - idle) / CLK_TCK, sum(parts[:8]) / CLK_TCK


class CpuMeter:
    def __init__(self, server_pids: list[int] | None = None):
        self.server_pids = server_pids or []

    def sample(self) -> dict:
        busy, total = machine_busy()
        usage = os.times()
        return {"server": process_cpu(self.server_pids), "postgres": postgres_cpu(),
                "client": usage.user + usage.system, "busy": busy, "total": total, "wall": time.monotonic()}

    @staticmethod
    def delta(before: dict, after: dict) -> dict:
        return {key: after[key] - before[key] for key in before}


# --- Load ---------------------------------------------------------------------------------------

@dataclass
class Sample:
    started: float  # seconds since the run started
    latency: float
    status: int  # 0: no response (connection error / timeout)
    kind: str  # "bid" or "state"
    rules: tuple[str, ...] = ()
    bid_id: int | None = None


@dataclass
class ClientResult:
    samples: list[Sample] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    skipped_rate_limited: int = 0  # moments when every supplier of the client was waiting out a 429


class RequestBudget:
    """The hard cap on requests, shared by every client."""

    def __init__(self, cap: int):
        self.left, self.lock = cap, threading.Lock()

    def take(self) -> bool:
        with self.lock:
            if self.left <= 0:
                return False
            self.left -= 1
            return True


def parse_amount(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        return Decimal(str(text).replace(",", ""))
    except ArithmeticError:
        return None


class Ladder:
    """The "ladder" pattern's shared price list: STARTING_PRICE, then one decrement lower each
    time a client takes a price. Bids are sent in ladder order, so a bid is refused only when
    a later (lower) one overtook it on the way to the row lock."""

    def __init__(self):
        self.taken, self.lock = 0, threading.Lock()

    def next(self) -> Decimal:
        with self.lock:
            amount = STARTING_PRICE - self.taken * DECREMENT
            self.taken += 1
            return amount


def client_loop(n: int, port: int, rfq_id: int, tokens: list[str], start: float, deadline: float,
                budget: RequestBudget, max_step_cents: int, barrier: threading.Barrier, out: ClientResult,
                ladder: Ladder | None = None) -> None:
    rng = random.Random(1000 + n)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    bids_path, state_path = f"/api/v1/rfqs/{rfq_id}/bids/", f"/api/v1/rfqs/{rfq_id}/state/"
    waiting_until = [0.0] * len(tokens)
    best: Decimal | None = None
    turn = n  # rotate the clients' starting suppliers

    def call(kind: str, method: str, path: str, token: str, body=None):
        began = time.monotonic()
        try:
            status, retry_after, data = do_request(conn, method, path, token, body)
        except (OSError, http.client.HTTPException) as exc:
            out.errors[type(exc).__name__] += 1
            out.samples.append(Sample(began - start, time.monotonic() - began, 0, kind))
            conn.close()
            return 0, None, None
        latency = time.monotonic() - began
        try:
            parsed = json.loads(data) if data else None
        except ValueError:
            parsed = None
        rules: tuple[str, ...] = ()
        if status in (422, 429) and isinstance(parsed, dict):
            rules = tuple(v.get("rule", "?") for v in parsed.get("error", {}).get("violations", [])
                          if v.get("severity") == "block") or ("(none)",)
        bid_id = parsed.get("id") if status == 201 and isinstance(parsed, dict) else None
        out.samples.append(Sample(began - start, latency, status, kind, rules, bid_id))
        return status, retry_after, parsed

    try:
        barrier.wait(timeout=60)
    except threading.BrokenBarrierError:
        return
    try:
        while time.monotonic() < deadline:
            if best is None:
                if not budget.take():
                    break
                status, _, state = call("state", "GET", state_path, tokens[turn % len(tokens)])
                if status == 200:
                    best = parse_amount(state.get("leading_bid")) or parse_amount(state.get("minimum_next_bid"))
                    best = best if best is not None else STARTING_PRICE
                    continue
                time.sleep(0.05)
                continue
            now = time.monotonic()
            ready = [i for i in range(len(tokens)) if waiting_until[(turn + i) % len(tokens)] <= now]
            if not ready:
                out.skipped_rate_limited += 1
                time.sleep(max(0.0, min(min(waiting_until) - now, deadline - now, 1.0)))
                continue
            index = (turn + ready[0]) % len(tokens)
            turn = index + 1
            if not budget.take():
                break
            amount = ladder.next() if ladder else best - Decimal(rng.randint(1, max_step_cents)) / 100
            status, retry_after, body = call("bid", "POST", bids_path, tokens[index], {"amount": f"{amount:.2f}"})
            if status == 201:
                best = min(amount, parse_amount(body.get("leading_bid")) or amount)
            elif status in (422, 429) and isinstance(body, dict):
                violations = body.get("error", {}).get("violations", [])
                for v in violations:
                    if v.get("rule") == "minimum_decrement":
                        best = parse_amount(v.get("metadata", {}).get("best")) or best
                if status == 429:
                    wait = float(retry_after) if retry_after else 1.0
                    waiting_until[index] = time.monotonic() + wait
            else:
                best = None  # something unexpected: re-read the state before the next bid
                if status == 0:
                    time.sleep(0.05)
    finally:
        conn.close()


def run_load(args, port: int, world: World, server_pids: list[int]):
    """N clients for args.seconds; returns (samples, errors, cpu delta, wall seconds)."""
    n_sup = len(world.tokens)
    per_client = [[world.tokens[j] for j in range(n_sup) if j % args.clients == i] for i in range(args.clients)]
    results = [ClientResult() for _ in range(args.clients)]
    barrier = threading.Barrier(args.clients + 1)
    budget = RequestBudget(args.max_requests)
    ladder = Ladder() if args.pattern == "ladder" else None
    meter = CpuMeter(server_pids)
    start_box = {}
    threads = []
    start_at = time.monotonic() + 0.5
    deadline = start_at + args.seconds
    for i in range(args.clients):
        t = threading.Thread(target=client_loop, name=f"client-{i}", daemon=True, args=(
            i, port, world.rfq_id, per_client[i], start_at, deadline, budget, args.max_step_cents, barrier,
            results[i], ladder))
        t.start()
        threads.append(t)
    barrier.wait(timeout=60)
    start_box["cpu"] = meter.sample()
    for t in threads:
        # Bounded: each request has a 30 s socket timeout and no new request starts after the deadline.
        t.join(timeout=args.seconds + 60)
    stuck = sum(t.is_alive() for t in threads)
    cpu = CpuMeter.delta(start_box["cpu"], meter.sample())
    wall = cpu["wall"]
    samples = [s for r in results for s in r.samples]
    errors = sum((r.errors for r in results), Counter())
    if stuck:
        errors["client thread still running after the deadline"] += stuck
    skipped = sum(r.skipped_rate_limited for r in results)
    return samples, errors, cpu, wall, skipped, budget.left <= 0


# --- Optional server profile (py-spy) ------------------------------------------------------------

def start_py_spy(args, pids: list[int], tmpdir: Path) -> list[tuple[subprocess.Popen, Path]]:
    if not args.py_spy:
        return []
    spies = []
    for pid in pids:
        out = tmpdir / f"py-spy-{pid}.txt"
        proc = subprocess.Popen([args.py_spy, "record", "--gil", "--nonblocking", "--format", "raw", "--rate", "100",
                                 "--duration",
                                 str(args.seconds + 1), "--pid", str(pid), "--output", str(out)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        spies.append((proc, out))
    return spies


def finish_py_spy(spies, top: int = 28) -> str:
    """Inclusive and own share of the sampled (non-idle) server time, per function."""
    if not spies:
        return ""
    inclusive, own, total = Counter(), Counter(), 0
    for proc, out in spies:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
        if not out.exists():
            continue
        for line in out.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if not count.isdigit():
                continue
            n = int(count)
            total += n
            frames = [short_frame(f) for f in stack.split(";")[1:]]  # [0] is the thread
            for frame in set(frames):
                inclusive[frame] += n
            if frames:
                own[frames[-1]] += n
    if not total:
        return "py-spy: no samples"
    lines = [f"server profile (py-spy --gil: {total} samples of the thread holding the GIL, all server processes)",
             "  inclusive  function"]
    lines += [f"  {count / total * 100:8.1f}%  {frame}" for frame, count in inclusive.most_common(top)]
    project = [(frame, count) for frame, count in inclusive.most_common()
               if re.search(r"\((accounts|auctions|audit|common|config|procurement|suppliers)/", frame)]
    lines += ["  inclusive  project function"]
    lines += [f"  {count / total * 100:8.1f}%  {frame}" for frame, count in project[:top]]
    lines += ["  own time   function"]
    lines += [f"  {count / total * 100:8.1f}%  {frame}" for frame, count in own.most_common(top // 2)]
    return "\n".join(lines)


def short_frame(frame: str) -> str:
    """'func (/path/site-packages/pkg/mod.py:12)' → 'func (pkg/mod.py)'."""
    match = re.match(r"(.*) \((.*?)(?::\d+)?\)$", frame.strip())
    if not match:
        return frame.strip()
    name, path = match.groups()
    for marker in ("site-packages/", "python3.11/", str(REPO) + "/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{name} ({path})"


# --- Invariants -------------------------------------------------------------------------------------

def check_invariants(world: World, samples: list[Sample], errors: Counter) -> tuple[list[str], dict]:
    """Everything that must hold after the run; returns (violations, facts)."""
    from auctions.models import Bid, BidStatus
    from audit.models import AuditEvent, rfq_stream
    from audit.selectors import audit_verify
    from procurement.models import RFQ

    problems: list[str] = []
    stream = rfq_stream(world.rfq_id)
    bids = list(Bid.objects.filter(rfq_id=world.rfq_id).order_by("audit_seq", "id")
                .values("id", "amount", "status", "audit_seq", "supplier_id", "version", "submitted_at"))
    accepted = [b for b in bids if b["status"] == BidStatus.ACCEPTED]
    events = list(AuditEvent.objects.filter(stream=stream).order_by("seq").values("seq", "type", "payload"))
    placed = [e for e in events if e["type"] == "bid.placed"]
    refused_events = [e for e in events if e["type"] == "bid.place_rejected"]
    ok_responses = [s for s in samples if s.kind == "bid" and s.status == 201]
    refused_responses = [s for s in samples if s.kind == "bid" and s.status in (422, 429)]

    if len(bids) != len(accepted):
        problems.append(f"{len(bids) - len(accepted)} bids are not 'accepted' (nothing withdraws in this run)")
    if not (len(ok_responses) == len(accepted) == len(placed)):
        problems.append(f"accepted responses {len(ok_responses)}, accepted Bid rows {len(accepted)}, "
                        f"bid.placed events {len(placed)}: they must be equal")
    if {s.bid_id for s in ok_responses} != {b["id"] for b in accepted}:
        lost = {b["id"] for b in accepted} - {s.bid_id for s in ok_responses}
        phantom = {s.bid_id for s in ok_responses} - {b["id"] for b in accepted}
        problems.append(f"bid ids differ: in the database only {sorted(lost)[:10]}, "
                        f"answered 201 but missing {sorted(phantom)[:10]}")
    if len(ok_responses) != len({s.bid_id for s in ok_responses}):
        problems.append("the same bid id was answered 201 twice")

    not_decreasing = 0
    for prev, cur in zip(accepted, accepted[1:], strict=False):
        if cur["amount"] > prev["amount"] - DECREMENT:
            not_decreasing += 1
    if accepted and accepted[0]["amount"] > STARTING_PRICE:
        not_decreasing += 1
    if not_decreasing:
        problems.append(f"{not_decreasing} accepted bids do not beat the previous accepted bid by {DECREMENT}")
    out_of_order = sum(1 for b, e in zip(accepted, placed, strict=False)
                       if b["audit_seq"] != e["seq"] or e["payload"].get("bid_id") != b["id"])
    if out_of_order or [b["audit_seq"] for b in accepted] != [e["seq"] for e in placed]:
        problems.append(f"{out_of_order} accepted bids differ from the audit trail's bid.placed order")
    submitted_order = sorted(accepted, key=lambda b: (b["submitted_at"], b["id"]))
    if [b["id"] for b in submitted_order] != [b["id"] for b in accepted]:
        problems.append("submitted_at order differs from the audit order of accepted bids")
    versions: dict[int, list[int]] = {}
    for b in sorted(bids, key=lambda b: b["id"]):
        versions.setdefault(b["supplier_id"], []).append(b["version"])
    gaps = sum(1 for v in versions.values() if sorted(v) != list(range(1, len(v) + 1)))
    if gaps:
        problems.append(f"{gaps} suppliers have bid versions with gaps or repeats")
    if len(refused_events) != len(refused_responses):
        problems.append(f"{len(refused_responses)} refusals answered, {len(refused_events)} bid.place_rejected "
                        "events: every refusal is audited")

    rfq = RFQ.objects.get(pk=world.rfq_id)
    if accepted:
        last = accepted[-1]
        if rfq.best_amount != last["amount"] or rfq.best_bid_id != last["id"]:
            problems.append(f"RFQ best {rfq.best_amount} / bid {rfq.best_bid_id} is not the last accepted bid "
                            f"{last['amount']} / {last['id']}")
    if rfq.bid_count != len(accepted):
        problems.append(f"RFQ bid_count {rfq.bid_count} != {len(accepted)} accepted bids")
    if rfq.extensions:
        problems.append(f"the deadline was extended {rfq.extensions} times (anti-sniping must not fire here)")

    verification = audit_verify(rfq_id=world.rfq_id)
    if not verification.ok:
        problems.append(f"audit chain of {stream} broken at seq {verification.first_bad_seq}: {verification.problem}")
    everything = audit_verify()
    if not everything.ok:
        problems.append(f"audit chain {everything.stream} broken at seq {everything.first_bad_seq}: "
                        f"{everything.problem}")

    server_errors = sum(1 for s in samples if s.status >= 500)
    if server_errors:
        problems.append(f"{server_errors} responses were 5xx")
    no_response = sum(1 for s in samples if s.status == 0)
    if no_response:
        problems.append(f"{no_response} requests got no response ({dict(errors)})")
    other = Counter(s.status for s in samples if s.kind == "bid" and s.status not in (0, 201, 422, 429)
                    and s.status < 500)
    if other:
        problems.append(f"unexpected statuses for bids: {dict(other)}")

    facts = {"accepted_rows": len(accepted), "placed_events": len(placed), "refused_events": len(refused_events),
             "chain_events_checked": verification.checked, "all_streams_checked": everything.checked,
             "final_best": rfq.best_amount, "bid_count": rfq.bid_count}
    return problems, facts


# --- pgbench ------------------------------------------------------------------------------------------

PGBENCH_SCRIPT = """\
-- One accepted reverse-auction bid as the issue spells it out: lock the row, insert the bid,
-- update the best, append the audit event; one statement per round trip, plus the supplier's
-- own-bids read and the audit stream head every bid needs.
\\set s random(0, {n_minus_1})
\\set sup {sup_base} + :s
\\set usr {user_base} + :s
\\set step random(1, {max_step})
BEGIN;
-- lock the auction row
SELECT id, status, best_amount, bid_count, bidding_deadline, extensions, auction_settings
  FROM procurement_rfq WHERE id = {rfq} FOR UPDATE \\gset
-- the supplier's own bids, for rate limit / version (context.own_bids)
SELECT COALESCE(MAX(version), 0) + 1 AS version, count(*) AS recent FROM auctions_bid
  WHERE rfq_id = {rfq} AND supplier_id = :sup AND submitted_at > now() - interval '1 minute' \\gset
-- insert the bid
INSERT INTO auctions_bid (rfq_id, supplier_id, submitted_by_id, submitted_at, status, version, amount,
    sealed_payload, sealed_commitment, opened_at, criteria, terms, valid_until, items_quoted, withdrawn_at,
    audit_seq, ip_address, user_agent, device_fingerprint)
  VALUES ({rfq}, :sup, :usr, clock_timestamp(), 'accepted', :version, :best_amount - :step / 100.0,
    '', '', NULL, '{{}}', '', NULL, 0, NULL, NULL, '127.0.0.1', '{user_agent}', md5(random()::text))
  RETURNING id AS bid_id, amount AS amount \\gset
-- update best / count / deadline fields of the auction row
UPDATE procurement_rfq SET best_amount = :amount, best_bid_id = :bid_id, bid_count = bid_count + 1,
    bidding_deadline = bidding_deadline, extensions = extensions, deadline_version = deadline_version,
    last_extension_at = last_extension_at, updated_at = clock_timestamp()
  WHERE id = {rfq} AND status = 'open';
-- audit: lock the stream head
SELECT key, last_seq, last_hash FROM audit_auditstream WHERE key = 'rfq:{rfq}' ORDER BY key LIMIT 1
  FOR UPDATE \\gset
-- audit: the hash-chained event
INSERT INTO audit_auditevent (stream, seq, rfq_id, type, actor_id, actor_name, at, payload, prev_hash, hash)
  VALUES ('rfq:{rfq}', :last_seq + 1, {rfq}, 'bid.placed', :usr, 'bench' || lpad(:s::text, 4, '0'),
    clock_timestamp(), jsonb_build_object('bid_id', :bid_id, 'supplier_id', :sup,
      'supplier', 'Bench Supplier ' || lpad(:s::text, 4, '0'), 'version', :version, 'amount', ':amount',
      'ip', '127.0.0.1', 'user_agent', '{user_agent}', 'fingerprint', left(md5(random()::text), 32),
      'session', '', 'submitted_at', clock_timestamp(), 'bid_count', :bid_count + 1),
    ':last_hash', md5(random()::text) || md5(random()::text))
  RETURNING seq AS ev_seq, hash AS ev_hash \\gset
UPDATE audit_auditstream SET last_seq = :ev_seq, last_hash = ':ev_hash' WHERE key = 'rfq:{rfq}';
-- the bid learns its audit seq
UPDATE auctions_bid SET audit_seq = :ev_seq WHERE id = :bid_id;
COMMIT;
"""

PGBENCH_BATCHED_SCRIPT = """\
-- The same bid in the round trips the Django bid transaction uses (auctions/services/bids.py
-- with common/db.py): BEGIN; lock + own bids + id in one; the four writes in one; COMMIT.
\\set s random(0, {n_minus_1})
\\set sup {sup_base} + :s
\\set usr {user_base} + :s
\\set step random(1, {max_step})
BEGIN;
SELECT r.id, r.status, r.best_amount, r.bid_count, r.bidding_deadline, r.extensions, r.auction_settings,
       s.last_seq, s.last_hash
  FROM procurement_rfq r JOIN audit_auditstream s ON s.key = 'rfq:{rfq}'
  WHERE r.id = {rfq} FOR NO KEY UPDATE \\;
SELECT COALESCE(MAX(version), 0) + 1 AS version, count(*) AS recent FROM auctions_bid
  WHERE rfq_id = {rfq} AND supplier_id = :sup \\;
SELECT nextval(pg_get_serial_sequence('auctions_bid', 'id')) AS bid_id \\aset
INSERT INTO auctions_bid (id, rfq_id, supplier_id, submitted_by_id, submitted_at, status, version, amount,
    sealed_payload, sealed_commitment, opened_at, criteria, terms, valid_until, items_quoted, withdrawn_at,
    audit_seq, ip_address, user_agent, device_fingerprint)
  VALUES (:bid_id, {rfq}, :sup, :usr, clock_timestamp(), 'accepted', :version, :best_amount - :step / 100.0,
    '', '', NULL, '{{}}', '', NULL, 0, NULL, :last_seq + 1, '127.0.0.1', '{user_agent}', md5(random()::text)) \\;
UPDATE procurement_rfq SET best_amount = :best_amount - :step / 100.0, best_bid_id = :bid_id,
    bid_count = bid_count + 1, bidding_deadline = bidding_deadline, extensions = extensions,
    deadline_version = deadline_version, last_extension_at = last_extension_at, updated_at = clock_timestamp()
  WHERE id = {rfq} \\;
INSERT INTO audit_auditevent (stream, seq, rfq_id, type, actor_id, actor_name, at, payload, prev_hash, hash)
  VALUES ('rfq:{rfq}', :last_seq + 1, {rfq}, 'bid.placed', :usr, 'bench' || lpad(:s::text, 4, '0'),
    clock_timestamp(), jsonb_build_object('bid_id', :bid_id, 'supplier_id', :sup,
      'supplier', 'Bench Supplier ' || lpad(:s::text, 4, '0'), 'version', :version,
      'amount', (:best_amount - :step / 100.0)::text, 'ip', '127.0.0.1', 'user_agent', '{user_agent}',
      'fingerprint', left(md5(random()::text), 32), 'session', '', 'submitted_at', clock_timestamp(),
      'bid_count', :bid_count + 1),
    ':last_hash', md5(:last_seq::text || 'a') || md5(:last_seq::text || 'b')) \\;
UPDATE audit_auditstream SET last_seq = :last_seq + 1,
    last_hash = md5(:last_seq::text || 'a') || md5(:last_seq::text || 'b') WHERE key = 'rfq:{rfq}';
COMMIT;
"""


def run_pgbench(args, world: World, tmpdir: Path, template: str = PGBENCH_SCRIPT, name: str = "bid") -> dict:
    pgbench = shutil.which("pgbench")
    if pgbench is None:
        return {"error": "pgbench not found (apt-get install postgresql-client)"}
    base_s, base_u = world.supplier_ids[0], world.user_ids[0]
    if world.supplier_ids != list(range(base_s, base_s + len(world.supplier_ids))) or \
            world.user_ids != list(range(base_u, base_u + len(world.user_ids))):
        return {"error": "bench supplier/user ids are not contiguous; pgbench script cannot address them"}
    script = tmpdir / f"{name}.sql"
    script.write_text(template.format(n_minus_1=len(world.supplier_ids) - 1, sup_base=base_s,
                                            user_base=base_u, max_step=args.max_step_cents,
                                            rfq=world.twin_rfq_id, user_agent=USER_AGENT))
    # The twin starts where the HTTP auction started: at the starting price.
    import psycopg

    with psycopg.connect(f"{args.pg_url}/{args.db}", autocommit=True) as conn:
        conn.execute("UPDATE procurement_rfq SET best_amount = %s WHERE id = %s", (STARTING_PRICE, world.twin_rfq_id))
    command = [pgbench, "-h", "127.0.0.1", "-p", str(args.pg_port), "-U", "postgres", "-n", "-c", str(args.clients),
               "-j", str(min(2, args.clients)), "-T", str(args.seconds), "-f", str(script), args.db]
    meter = CpuMeter()
    before = meter.sample()
    result = subprocess.run(command, capture_output=True, text=True, timeout=args.seconds + 120)
    cpu = CpuMeter.delta(before, meter.sample())
    out = result.stdout + result.stderr
    tps = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", out)
    latency = re.search(r"latency average = ([0-9.]+) ms", out)
    failed = re.search(r"number of failed transactions: (\d+)", out)
    processed = re.search(r"number of transactions actually processed: (\d+)", out)
    if result.returncode != 0 or tps is None:
        return {"error": f"pgbench failed ({result.returncode}):\n{out[-2000:]}", "command": command}
    return {"tps": float(tps.group(1)), "latency_ms": float(latency.group(1)) if latency else None,
            "failed": int(failed.group(1)) if failed else 0, "processed": int(processed.group(1)) if processed else 0,
            "command": " ".join(command[:-2] + ["<script>", args.db]), "cpu": cpu, "script": template}


# --- Report -----------------------------------------------------------------------------------------

def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(q / 100 * len(ordered) + 0.5)) - 1))]


def ms(values: list[float]) -> str:
    if not values:
        return "—"
    return (f"p50 {pct(values, 50) * 1000:7.1f}  p95 {pct(values, 95) * 1000:7.1f}  p99 {pct(values, 99) * 1000:7.1f}"
            f"  mean {statistics.fmean(values) * 1000:7.1f} ms")


def machine_info() -> dict:
    info = {"nproc": os.cpu_count(), "python": platform.python_version(), "kernel": platform.release()}
    try:
        model = [line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                 if line.startswith("model name")]
        info["cpu"] = model[0] if model else platform.processor()
    except OSError:
        info["cpu"] = platform.processor()
    try:
        mem = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
        info["memory_gib"] = round(int(mem) / 1048576, 1)
    except (OSError, IndexError, ValueError):
        pass
    return info


def code_revision() -> str:
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True,
                             timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO,
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{rev or 'unknown'}{' + uncommitted changes' if dirty else ''} ({REPO})"


def postgres_version(args) -> str:
    import psycopg

    with psycopg.connect(f"{args.pg_url}/{args.db}", autocommit=True) as conn:
        version = conn.execute("SHOW server_version").fetchone()[0]
        settings = dict(conn.execute("SELECT name, setting FROM pg_settings WHERE name IN "
                                     "('synchronous_commit', 'fsync', 'shared_buffers', 'max_connections')")
                        .fetchall())
    return f"{version} ({', '.join(f'{k}={v}' for k, v in sorted(settings.items()))})"


def report(args, world: World, samples, errors, cpu, wall, skipped, capped, problems, facts, pg, server_info) -> str:
    import django

    bids = [s for s in samples if s.kind == "bid"]
    accepted = [s for s in bids if s.status == 201]
    refused = [s for s in bids if s.status in (422, 429)]
    by_rule = Counter()
    for s in refused:
        for rule in s.rules:
            by_rule[(s.status, rule)] += 1
    statuses = Counter(s.status for s in samples)
    lines = []
    add = lines.append
    info = machine_info()
    add("=" * 78)
    add("Quayside reverse-auction bid throughput")
    add("=" * 78)
    add(f"machine      {info['nproc']} cores ({info['cpu']}), {info.get('memory_gib', '?')} GiB, "
        f"Linux {info['kernel']}, Python {info['python']}, Django {django.get_version()}")
    add(f"code         {code_revision()}")
    add(f"postgres     {postgres_version(args)}")
    add(f"server       {server_info}")
    add(f"clients      {args.clients} threads (keep-alive), {len(world.tokens)} suppliers "
        f"({len(world.tokens) / args.clients:.1f} per client, round-robin), 60 bids/min/supplier")
    add(f"duration     {args.seconds} s requested, {wall:.2f} s measured; hard cap {args.max_requests} requests"
        f"{' (REACHED)' if capped else ''}")
    add("")
    add(f"requests     {len(samples)} ({len(samples) / wall:.1f}/s); status counts {dict(sorted(statuses.items()))}")
    add(f"bids         {len(bids)} sent, {len(bids) / wall:.1f}/s")
    add(f"  accepted   {len(accepted):6d}   {len(accepted) / wall:8.1f}/s   (201)")
    add(f"  refused    {len(refused):6d}   {len(refused) / wall:8.1f}/s   by rule:")
    for (status, rule), count in by_rule.most_common():
        add(f"     {status} {rule:<28s} {count:6d}   {count / wall:8.1f}/s")
    if skipped:
        add(f"  (clients found all their suppliers rate-limited {skipped} times and waited)")
    add("latency")
    add(f"  accepted   {ms([s.latency for s in accepted])}")
    add(f"  refused    {ms([s.latency for s in refused])}")
    add(f"  all        {ms([s.latency for s in samples])}")
    if cpu and wall:
        n = max(1, len(accepted))
        r = max(1, len(samples))
        add("cpu during the HTTP run (seconds; per request / per accepted bid in ms)")
        for part in ("server", "postgres", "client"):
            add(f"  {part:<9s}  {cpu[part]:6.2f} s  {cpu[part] / wall * 100:5.0f}% of one core   "
                f"{cpu[part] / r * 1000:6.2f} ms/request   {cpu[part] / n * 1000:6.2f} ms/accepted")
        if cpu["total"]:
            add(f"  machine    {cpu['busy'] / cpu['total'] * 100:5.0f}% busy over {info['nproc']} cores")
    add("")
    if "error" in pg:
        add(f"pgbench      ERROR: {pg['error']}")
        ratio = None
    else:
        add(f"pgbench      {pg['tps']:.1f} tps, latency avg {pg['latency_ms']} ms, {pg['processed']} transactions, "
            f"{pg['failed']} failed")
        add(f"             {pg['command']}")
        if pg.get("cpu") and pg["cpu"]["total"]:
            add(f"             postgres cpu {pg['cpu']['postgres'] / pg['cpu']['wall'] * 100:.0f}% of one core, "
                f"machine {pg['cpu']['busy'] / pg['cpu']['total'] * 100:.0f}% busy")
        ratio = (len(accepted) / wall) / pg["tps"] if pg["tps"] else 0.0
        add(f"ratio        HTTP accepted/s ÷ pgbench tps = {len(accepted) / wall:.1f} / {pg['tps']:.1f} = "
            f"{ratio * 100:.1f}%  (target ≥ {TARGET_RATIO * 100:.0f}%: {'met' if ratio >= TARGET_RATIO else 'MISSED'})")
        add(f"             (every bid, refused ones too, locks the auction row and appends an audit event: "
            f"all bids/s ÷ pgbench tps = {len(bids) / wall / pg['tps'] * 100:.1f}%)" if pg["tps"] else "")
        batched = pg.get("batched") or {}
        if "tps" in batched:
            add(f"pgbench, batched   {batched['tps']:.1f} tps, latency avg {batched['latency_ms']} ms, "
                f"{batched['processed']} transactions, {batched['failed']} failed (the round trips of the Django "
                f"transaction)")
            add(f"             HTTP accepted/s ÷ batched pgbench tps = "
                f"{len(accepted) / wall / batched['tps'] * 100:.1f}%" if batched["tps"] else "")
        elif batched:
            add(f"pgbench, batched   ERROR: {batched['error']}")
    add("")
    add(f"invariants   {len(problems)} violations "
        f"(accepted rows {facts.get('accepted_rows')}, bid.placed {facts.get('placed_events')}, "
        f"bid.place_rejected {facts.get('refused_events')}, chain events verified "
        f"{facts.get('chain_events_checked')} on the auction, {facts.get('all_streams_checked')} in all streams; "
        f"final best {facts.get('final_best')})")
    for problem in problems:
        add(f"  VIOLATION: {problem}")
    if errors:
        add(f"client errors {dict(errors)}")
    add("=" * 78)
    return "\n".join(lines)


# --- Main -----------------------------------------------------------------------------------------

def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=32, help="concurrent HTTP clients (and pgbench clients)")
    parser.add_argument("--seconds", type=int, default=20, help="duration of the HTTP run and of pgbench")
    parser.add_argument("--server", choices=SERVERS, default="gunicorn",
                        help="gunicorn: WSGI sync workers, the production HTTP setup (default); uvicorn or "
                             "daphne: ASGI processes")
    parser.add_argument("--workers", type=int, default=None,
                        help="server worker processes (default: one per core, the fastest here: see bench/README.md)")
    parser.add_argument("--suppliers-per-client", type=int, default=12,
                        help="bench suppliers per client, used round-robin (the rate limit is 60 bids/min each)")
    parser.add_argument("--pattern", choices=["ladder", "race"], default="ladder",
                        help="ladder: clients take descending prices from one shared list, one decrement apart "
                             "(each bid is accepted unless a later one overtakes it: the work pgbench does); race: "
                             "each client bids the best it knows minus a random step (a bidding war: most bids "
                             "lose the race and are refused)")
    parser.add_argument("--max-step-cents", type=int, default=50,
                        help="race pattern: each bid is the best known minus a random 1..N cents")
    parser.add_argument("--max-requests", type=int, default=None,
                        help="hard cap on HTTP requests (default: 1000 per client per 10 s)")
    parser.add_argument("--conn-max-age", type=int, default=None,
                        help="append ?conn_max_age=N to DATABASE_URL (default: the project's setting, 0: "
                             "a new PostgreSQL connection per request; under ASGI every request thread keeps its "
                             "own connection, so N > 0 can exhaust max_connections)")
    parser.add_argument("--db", default="quayside_bench", help="database to DROP and recreate")
    parser.add_argument("--pg-url", default=PG_ADMIN_URL, help="PostgreSQL server URL without the database name")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--skip-pgbench", action="store_true")
    parser.add_argument("--py-spy", metavar="BIN", default=None,
                        help="sample every server process with this py-spy binary during the run and print "
                             "where server CPU goes (py-spy is not a dependency: see bench/README.md)")
    parser.add_argument("--keep-logs", action="store_true", help="keep the temp dir with server logs")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures as JSON here")
    args = parser.parse_args(argv)
    if args.clients < 1 or args.seconds < 1:
        parser.error("--clients and --seconds must be positive")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", args.db) or args.db in ("postgres", "template0", "template1"):
        parser.error("--db must be a plain lower-case name of a scratch database")
    args.workers = args.workers or (os.cpu_count() or 1)
    args.max_requests = args.max_requests or max(1000, 100 * args.clients * args.seconds)
    port = re.search(r":(\d+)$", args.pg_url)
    args.pg_port = int(port.group(1)) if port else 5432
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    tmpdir = Path(tempfile.mkdtemp(prefix="quayside-bench-"))
    servers: Servers | None = None

    def terminate(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, terminate)
    signal.signal(signal.SIGINT, terminate)  # also when started with SIGINT ignored (background jobs)
    failed = True
    try:
        hold_database_lock(args.db)
        env = bench_env(args, tmpdir)
        t0 = time.monotonic()
        print(f"[setup] recreating database {args.db}", flush=True)
        recreate_database(args)
        print("[setup] migrate + seed_demo", flush=True)
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "seed_demo")
        django_setup(env)
        n_suppliers = args.clients * args.suppliers_per_client
        print(f"[setup] {n_suppliers} bench suppliers and the auction", flush=True)
        world = create_world(n_suppliers)
        from django.conf import settings
        from django.db import connections

        connections.close_all()
        print(f"[setup] done in {time.monotonic() - t0:.1f} s; starting {args.server} ({args.workers} workers)", flush=True)
        servers = Servers(env, args.server, args.workers, tmpdir)
        servers.start()
        servers.wait_ready(world.tokens[0], world.rfq_id)
        # Warm every process (URL conf, DRF, first connection) with reads only.
        for _ in range(4 * args.workers):
            request_once(servers.port, "GET", f"/api/v1/rfqs/{world.rfq_id}/state/", world.tokens[0])
        pool = settings.DATABASES["default"].get("OPTIONS", {}).get("pool")
        persistent = (f"persistent DB connections (CONN_MAX_AGE={world.conn_max_age})" if world.conn_max_age
                      else f"a psycopg connection pool per process (max {pool['max_size']})" if pool
                      else "no persistent DB connections (CONN_MAX_AGE=0: one new connection per request)")
        server_info = (f"{args.workers} × {args.server} (one shared socket, 127.0.0.1:{servers.port}), DEBUG off, "
                       f"{persistent}, Redis {args.redis_url}")
        idle_before = machine_busy()
        time.sleep(1.0)
        idle_after = machine_busy()
        background = ((idle_after[0] - idle_before[0]) / (idle_after[1] - idle_before[1])
                      if idle_after[1] > idle_before[1] else 0.0)
        server_info += f"; machine {background * 100:.0f}% busy in the idle second before the run"
        print(f"[run] {args.clients} clients × {args.seconds} s against {server_info}", flush=True)
        spies = start_py_spy(args, servers.pids(), tmpdir)
        samples, errors, cpu, wall, skipped, capped = run_load(args, servers.port, world, servers.pids())
        spy_report = finish_py_spy(spies)
        servers.stop()
        print("[check] invariants", flush=True)
        problems, facts = check_invariants(world, samples, errors)
        connections.close_all()
        if args.skip_pgbench:
            pg = {"error": "skipped (--skip-pgbench)"}
        else:
            print(f"[pgbench] {args.clients} clients × {args.seconds} s", flush=True)
            pg = run_pgbench(args, world, tmpdir)
            print("[pgbench] the same, batched as the Django transaction sends it", flush=True)
            pg["batched"] = run_pgbench(args, world, tmpdir, PGBENCH_BATCHED_SCRIPT, "bid-batched")
        text = report(args, world, samples, errors, cpu, wall, skipped, capped, problems, facts, pg, server_info)
        print(text)
        if spy_report:
            print(spy_report)
        if args.json:
            write_json(args, samples, wall, cpu, pg, problems, facts)
        failed = bool(problems)  # keep the server logs of a run with violations
        return 1 if problems else 0
    except SetupError as exc:
        print(f"bench could not run: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; stopping servers", file=sys.stderr)
        return 130
    finally:
        if servers is not None:
            servers.stop()
        if (args.keep_logs or failed) and any(tmpdir.glob("*.log")):
            print(f"[logs] {tmpdir}", file=sys.stderr)
        else:
            shutil.rmtree(tmpdir, ignore_errors=True)


def write_json(args, samples, wall, cpu, pg, problems, facts) -> None:
    bids = [s for s in samples if s.kind == "bid"]
    accepted = [s.latency for s in bids if s.status == 201]
    everything = [s.latency for s in samples]
    data = {
        "clients": args.clients, "seconds": args.seconds, "wall": wall, "server": args.server, "workers": args.workers,
        "accepted_per_s": len(accepted) / wall, "bids_per_s": len(bids) / wall,
        "refused": dict(Counter(f"{s.status} {','.join(s.rules)}" for s in bids if s.status in (422, 429))),
        "latency_ms": {name: {q: pct(values, q) * 1000 for q in (50, 95, 99)}
                       for name, values in (("accepted", accepted), ("all", everything))},
        "cpu": cpu, "pgbench_tps": pg.get("tps"), "pgbench_batched_tps": (pg.get("batched") or {}).get("tps"), "violations": problems,
        "facts": {k: str(v) for k, v in facts.items()}, "machine": machine_info(),
    }
    args.json.write_text(json.dumps(data, indent=2, default=str))


if __name__ == "__main__":
    sys.exit(main())
