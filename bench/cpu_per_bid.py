#!/usr/bin/env python
"""CPU of the server's Python per accepted bid: the real WSGI application, in this process.

    .venv/bin/python bench/cpu_per_bid.py --bids 600 --repeat 3

Builds the bench world in its own scratch database (default `quayside_bench_cpu`, dropped and
recreated: 400 suppliers, one reverse auction), then calls `config.wsgi.application` with
WSGI environs of `POST /api/v1/rfqs/{id}/bids/` (token, JSON body, each bid one decrement
below the last: every one accepted) and reads this process's CPU time (user + system)
around them. No server, no client, no concurrency: what Gunicorn's worker spends inside
Django on each bid, the figure the bid path work moves, much steadier than the server CPU
bid_throughput.py measures while client, servers and PostgreSQL share the cores. A warm-up
(imports, URLconf, first connection) is not measured; each round is printed, then the median.
"""
from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import time
import uuid
from decimal import Decimal

from harness.client import USER_AGENT
from harness.setup import PG_ADMIN_URL
from harness.world import DECREMENT, STARTING_PRICE, in_process_world


def environ(path: str, token: str, amount: Decimal, key: str | None = None) -> dict:
    """A WSGI environ as Gunicorn builds one for the load generator's bid (with the SDK's
    Idempotency-Key when `key` is given)."""
    body = json.dumps({"amount": f"{amount:.2f}"}).encode()
    return {**({"HTTP_IDEMPOTENCY_KEY": key} if key else {}),
            "REQUEST_METHOD": "POST", "PATH_INFO": path, "SCRIPT_NAME": "", "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "127.0.0.1", "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)), "HTTP_AUTHORIZATION": f"Token {token}",
            "HTTP_ACCEPT": "application/json", "HTTP_USER_AGENT": USER_AGENT, "wsgi.input": io.BytesIO(body),
            "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr, "wsgi.multithread": False,
            "wsgi.multiprocess": True, "wsgi.run_once": False, "wsgi.version": (1, 0)}


class Bidder:
    """Accepted bids one after another through the WSGI application, suppliers round-robin."""

    def __init__(self, world, bidders: int = 0, keys: bool = False):
        from config.wsgi import application

        self.app, self.world = application, world
        self.path = f"/api/v1/rfqs/{world.rfq_id}/bids/"
        self.amount, self.n = STARTING_PRICE, 0
        self.tokens = world.tokens[:bidders] if bidders else world.tokens
        self.keys = keys

    def bid(self) -> None:
        self.amount -= DECREMENT
        statuses: list[str] = []
        token = self.tokens[self.n % len(self.tokens)]
        self.n += 1
        key = f"cpu-{uuid.uuid4()}" if self.keys else None
        result = self.app(environ(self.path, token, self.amount, key),
                          lambda status, headers, exc=None: statuses.append(status))
        body = b"".join(result)
        result.close()
        if not statuses[0].startswith("201"):
            raise SystemExit(f"expected 201, got {statuses[0]}: {body[:300]!r}")

    def round(self, bids: int) -> float:
        """Milliseconds of this process's CPU per accepted bid over `bids` bids."""
        began = time.process_time()
        for _ in range(bids):
            self.bid()
        return (time.process_time() - began) * 1000 / bids


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bids", type=int, default=600, help="accepted bids per round")
    parser.add_argument("--repeat", type=int, default=3, help="rounds")
    parser.add_argument("--db", default="quayside_bench_cpu")
    parser.add_argument("--pg-url", default=PG_ADMIN_URL)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--live", action="store_true",
                        help="as in live_auction.py: an Idempotency-Key per bid (the SDK's), every supplier "
                             "connected (presence: each bid ranks them and publishes the moved ranks), "
                             "bids round-robin among --bidders of them (each bid moves their ranks)")
    parser.add_argument("--bidders", type=int, default=50, help="with --live: suppliers bidding")
    args = parser.parse_args(argv)
    args.clients, args.conn_max_age = 1, None
    # 60 bids a minute per supplier: 400 suppliers take 400 bids a second without a 429.
    with in_process_world(args, "quayside-cpu-", 400) as world:
        if args.live:
            from common import presence

            for supplier_id in world.supplier_ids:
                presence.join(world.rfq_id, f"supplier:{supplier_id}", "cpu-bench")
        bidder = Bidder(world, bidders=args.bidders if args.live else 0, keys=args.live)
        for _ in range(20):  # warm-up: imports, URLconf, the pool's first connection
            bidder.bid()
        rounds = [bidder.round(args.bids) for _ in range(args.repeat)]
    print(f"server CPU per accepted bid, in-process (ms): {' '.join(f'{r:.2f}' for r in rounds)}; "
          f"median {statistics.median(rounds):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
