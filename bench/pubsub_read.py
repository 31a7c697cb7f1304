#!/usr/bin/env python
"""CPU per Redis pub/sub message read the way a live hub reads them (common/realtime.py
LiveHub._read: redis.asyncio, `get_message`), with redis-py's pure-Python reply parser and
with hiredis (a dependency since the eighth session's measurement, bench/README.md).

    .venv/bin/python bench/pubsub_read.py [--messages 20000] [--repeat 2] [--redis-url redis://127.0.0.1:6379/13]

A separate process publishes rank_changed-sized messages in pipelines of 500; only the
reader's CPU (time.process_time, uvloop as under Uvicorn) is counted. Prints µs per message
for each parser; never asserts a figure.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

CHANNEL = "quayside:bench:pubsub-read"
TEXT = json.dumps({"type": "rank_changed", "private": True, "seq": 1234, "rfq": 7,
                   "at": "2026-12-05T05:00:00.123456Z", "your_rank": 12, "your_best": "999123.45"},
                  separators=(",", ":"))
PUBLISHER = """
import sys, redis
url, channel, text, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
pipe = redis.Redis.from_url(url).pipeline(transaction=False)
for i in range(n):
    pipe.publish(channel, text)
    if i % 500 == 499:
        pipe.execute()
pipe.execute()
"""


def parser_classes() -> dict[str, type]:
    from redis._parsers import _AsyncHiredisParser, _AsyncRESP2Parser
    from redis.utils import HIREDIS_AVAILABLE

    classes: dict[str, type] = {"python": _AsyncRESP2Parser}
    if HIREDIS_AVAILABLE:
        classes["hiredis"] = _AsyncHiredisParser
    return classes


async def read_cost(url: str, parser_class: type, messages: int) -> float:
    """CPU seconds per message for the reader, messages published by another process."""
    import redis.asyncio

    client = redis.asyncio.Redis.from_url(url, parser_class=parser_class)
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    await pubsub.subscribe(CHANNEL)
    got = 0
    publisher = subprocess.Popen([sys.executable, "-c", PUBLISHER, url, CHANNEL, TEXT, str(messages)])
    started = time.process_time()
    try:
        while got < messages:
            message = await pubsub.get_message(timeout=5.0)
            if message is None:  # 5 s without a message
                if publisher.poll() is not None:  # and nothing more will come
                    raise SystemExit("the publisher failed" if publisher.returncode else
                                     f"{got} of {messages} messages arrived (pub/sub dropped the rest)")
                continue
            if message["type"] == "message":
                got += 1
        return (time.process_time() - started) / messages
    finally:
        publisher.wait(timeout=60)
        await pubsub.aclose()
        await client.aclose()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    args = parser.parse_args(argv)
    import uvloop

    classes = parser_classes()
    if "hiredis" not in classes:
        print("hiredis is not installed: only the Python parser is measured")
    for name, parser_class in classes.items():
        costs = [uvloop.run(read_cost(args.redis_url, parser_class, args.messages)) for _ in range(args.repeat)]
        print(f"{name:8s} " + "  ".join(f"{cost * 1e6:5.1f}" for cost in costs)
              + f"  µs of CPU per message read (best {min(costs) * 1e6:.1f}; {args.messages} messages per run)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
