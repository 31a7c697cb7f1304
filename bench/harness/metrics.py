"""CPU and memory of processes, of PostgreSQL and of the machine, through psutil."""
from __future__ import annotations

import time

import psutil


def _process(pid: int) -> psutil.Process | None:
    try:
        return psutil.Process(pid)
    except psutil.Error:
        return None


def descendants(pid: int) -> list[int]:
    """Every live process below `pid` (Gunicorn's workers, Uvicorn's reloader children…)."""
    proc = _process(pid)
    if proc is None:
        return []
    try:
        return [child.pid for child in proc.children(recursive=True)]
    except psutil.Error:
        return []


def process_cpu(pids: list[int], *, children: bool = False) -> float:
    """user + system (+ reaped children's) CPU seconds of these processes."""
    total = 0.0
    for pid in pids:
        proc = _process(pid)
        if proc is None:
            continue
        try:
            times = proc.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
        if children:
            total += times.children_user + times.children_system
    return total


def tree_stats(pid: int) -> tuple[float, float]:
    """(CPU seconds, RSS MiB) of a process and its children still alive."""
    pids = [pid, *descendants(pid)]
    rss = 0
    for p in pids:
        proc = _process(p)
        if proc is None:
            continue
        try:
            rss += proc.memory_info().rss
        except psutil.Error:
            pass
    return process_cpu(pids), rss / 1048576


def postgres_cpu() -> float:
    """CPU seconds of every PostgreSQL process, including backends that already exited (the
    postmaster reaps them, so their time lands in its children's counters)."""
    procs = {p.pid: p for p in psutil.process_iter(["name", "ppid"])}
    total = 0.0
    for proc in procs.values():
        if proc.info["name"] != "postgres":
            continue
        parent = procs.get(proc.info["ppid"])
        is_postmaster = parent is None or parent.info["name"] != "postgres"
        try:
            times = proc.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
        if is_postmaster:
            total += times.children_user + times.children_system
    return total


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds over all cores since boot. Busy is summed from the busy fields
    (not total − idle), so that it never goes backwards through float rounding."""
    t = psutil.cpu_times()
    busy = t.user + t.nice + t.system + t.irq + t.softirq + t.steal
    return busy, busy + t.idle + t.iowait


class CpuMeter:
    """Snapshots of the CPU seconds of the servers, PostgreSQL, this process and the machine."""

    def __init__(self, server_pids: list[int] | None = None):
        self.server_pids = server_pids or []
        self.me = psutil.Process()

    def sample(self) -> dict:
        busy, total = machine_busy()
        usage = self.me.cpu_times()
        return {"server": process_cpu(self.server_pids), "postgres": postgres_cpu(),
                "client": usage.user + usage.system, "busy": busy, "total": total, "wall": time.monotonic()}

    @staticmethod
    def delta(before: dict, after: dict) -> dict:
        return {key: after[key] - before[key] for key in before}


def busy_share(seconds: float = 1.0) -> float:
    """How busy the machine is over the next `seconds` (0…1 of all cores)."""
    busy_before, total_before = machine_busy()
    time.sleep(seconds)
    busy_after, total_after = machine_busy()
    return (busy_after - busy_before) / (total_after - total_before) if total_after > total_before else 0.0


def settle(threshold: float = 0.10, timeout: float = 30.0) -> tuple[float, float]:
    """Wait, one second at a time, until the machine is less than `threshold` busy (or `timeout`
    passes): work still winding down before a run (a test suite's servers, autovacuum of the
    freshly seeded database) would otherwise be measured with it. (The last second's share,
    seconds waited before it.)"""
    started = time.monotonic()
    while True:
        waited = time.monotonic() - started
        share = busy_share(1.0)
        if share < threshold or waited + 1.0 >= timeout:
            return share, waited


def rss_mib(pids: list[int]) -> float:
    """Resident memory of these processes together, MiB."""
    total = 0
    for pid in pids:
        proc = _process(pid)
        if proc is None:
            continue
        try:
            total += proc.memory_info().rss
        except psutil.Error:
            pass
    return total / 1048576


class PeakRss:
    """The highest RSS of groups of processes, sampled in a thread every `interval` seconds (a
    group's pids are asked again at every sample: Gunicorn and Celery replace their workers)."""

    def __init__(self, groups: dict, interval: float = 0.5):
        import threading

        self.groups, self.interval = groups, interval  # name → callable returning the pids
        self.peaks: dict[str, float] = dict.fromkeys(groups, 0.0)
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name="peak-rss", daemon=True)

    def _run(self) -> None:
        while not self.stopped.is_set():
            for name, pids in self.groups.items():
                self.peaks[name] = max(self.peaks[name], rss_mib(pids()))
            self.stopped.wait(self.interval)

    def start(self) -> PeakRss:
        self.thread.start()
        return self

    def stop(self) -> dict[str, float]:
        self.stopped.set()
        self.thread.join(timeout=5)
        return dict(self.peaks)


def backend_database(proc: psutil.Process) -> str | None:
    """The database a PostgreSQL backend serves, from its title ("postgres: 15/main: user db
    host(port) activity"); None for the server's own processes (checkpointer, walwriter…)."""
    try:
        title = " ".join(proc.cmdline())
    except psutil.Error:
        return None
    parts = title.split(": ", 2)
    if len(parts) < 3:
        return None
    words = parts[2].split()
    return words[1] if len(words) >= 3 and "(" in words[2] else None


class DatabaseCpu:
    """CPU seconds of the PostgreSQL backends serving one database, apart from every other
    database's (other work on the same server, e.g. test suites, would count in postgres_cpu()).
    Sampled in a thread every `interval` seconds: a backend that exits between two samples loses
    at most that much of its time (the servers' and the worker's connections are pooled and
    live through a run). The server's shared processes (WAL writer, checkpointer) are not
    counted: they work for every database."""

    def __init__(self, db: str, interval: float = 0.5):
        import threading

        self.db, self.interval = db, interval
        self.seen: dict[int, tuple[float, float]] = {}  # pid → (CPU when first seen, latest CPU)
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name="database-cpu", daemon=True)

    def _sample(self, *, baseline: bool = False) -> None:
        for proc in psutil.process_iter(["name"]):
            if proc.info["name"] != "postgres" or backend_database(proc) != self.db:
                continue
            try:
                times = proc.cpu_times()
            except psutil.Error:
                continue
            cpu = times.user + times.system
            with self.lock:
                first = self.seen.get(proc.pid, (cpu if baseline else 0.0, cpu))[0]
                self.seen[proc.pid] = (first, cpu)

    def _run(self) -> None:
        while not self.stopped.wait(self.interval):
            self._sample()

    def start(self) -> DatabaseCpu:
        self._sample(baseline=True)  # what the backends alive now did before is not this run's
        self.thread.start()
        return self

    def total(self) -> float:
        """CPU seconds since start(), sampled now."""
        self._sample()
        with self.lock:
            return sum(latest - first for first, latest in self.seen.values())

    def stop(self) -> float:
        self.stopped.set()
        self.thread.join(timeout=5)
        return self.total()
