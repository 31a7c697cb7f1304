#!/usr/bin/env python
"""One load-generator process: a share of the clients on one event loop (uvloop).

    python bench/live/loadgen.py CONFIG.json OUT.json

CONFIG: {"mode": "quayside" | "bare", "roles": [Role dicts], "http", "ws", "rfq_id", "burst",
"until" (epoch: give up), "batch"}. Prints "ready <n>" once every client has its first state
(or failed); in "bare" mode then reads one line from stdin, {"schedule": [[epoch, client
index, broadcast?, rank clients, extends?], ...] (live.bare.replay_schedule), "drain_until": epoch},
and bids at those moments. Then writes one record per client to OUT (with its own CPU seconds and peak RSS) and exits."""
from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent
# bench/ (harness, live), and this tree's SDK whatever the virtualenv's editable install points at.
sys.path[:0] = [str(BENCH), str(BENCH.parent / "clients" / "python" / "src")]

from live.bare import BareClient  # noqa: E402
from live.client import LiveClient  # noqa: E402
from live.plan import Role  # noqa: E402


async def connect_in_batches(clients, start, batch: int) -> list[asyncio.Task]:
    """Connections opened `batch` at a time, each batch's first state awaited: 500 handshakes
    at once would time out behind each other on two cores."""
    tasks = []
    for first in range(0, len(clients), batch):
        group = clients[first:first + batch]
        tasks += [asyncio.ensure_future(start(c)) for c in group]
        await asyncio.wait_for(asyncio.gather(*(c.ready.wait() for c in group)), timeout=120)
    return tasks


async def run_quayside(config: dict) -> list[dict]:
    clients = [LiveClient(Role(**r), http=config["http"], ws=config["ws"], rfq_id=config["rfq_id"],
                          burst=config["burst"]) for r in config["roles"]]
    tasks = await connect_in_batches(clients, lambda c: c.run(config["until"]), config.get("batch", 25))
    print(f"ready {len(clients)}", flush=True)
    await asyncio.gather(*tasks, return_exceptions=True)
    return [c.record() for c in clients]


async def run_bare(config: dict) -> list[dict]:
    clients = [BareClient(r["i"], config["ws"]) for r in config["roles"]]
    by_index = {c.i: c for c in clients}
    tasks = await connect_in_batches(clients, lambda c: c.run(config["until"]), config.get("batch", 25))
    print(f"ready {len(clients)}", flush=True)
    go = json.loads(await asyncio.to_thread(sys.stdin.readline))  # the moments, once every process is ready
    bids = [asyncio.ensure_future(by_index[i].bid_at(at, broadcast, ranks, extends))
            for at, i, broadcast, ranks, extends in go["schedule"] if i in by_index]
    await asyncio.gather(*bids, return_exceptions=True)
    await asyncio.sleep(max(0.0, go["drain_until"] - time.time()))
    for c in clients:
        c.stop()
    await asyncio.gather(*tasks, return_exceptions=True)
    return [c.record() for c in clients]


def main() -> int:
    config = json.loads(Path(sys.argv[1]).read_text())
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    run = run_bare if config["mode"] == "bare" else run_quayside
    records = asyncio.run(run(config))
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)  # the load generator's own cost, reported beside the servers'
    Path(sys.argv[2]).write_text(json.dumps({"records": records, "cpu": usage.ru_utime + usage.ru_stime,
                                             "rss_mib": usage.ru_maxrss / 1024}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
