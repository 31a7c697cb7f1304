"""WebSocket subscribers for bench/fanout.py, spread over several client processes.

One Python process reading a thousand sockets was the limit of the measurement itself (the
bare server's p50 was 1.6 s at 1,000): the bench starts `procs` of these, each holding its
share of the connections, so the project and the bare server are read equally fast.

Each subscriber follows the chain as api.md asks of a client: a live event continues the
chain when its `prev_seq` is the last seq it has; a gap, or the server's `resync`, sends
`{"type": "resume", "since": last}`; what the replay brings is counted as recovered. The
events a subscriber accepted are checked against the database afterwards (`verify`): each
expected seq exactly once.

    python bench/harness/subscribers.py OUT.json < config.json   # prints "ready", waits for "stop"
"""
from __future__ import annotations

import asyncio
import json
import sys
import time
from dataclasses import asdict, dataclass, field


@dataclass
class Follower:
    """One subscriber's view of the chain (the sequencing an SDK client does)."""

    can_resume: bool = True  # the bare server has no resume: it only counts what arrived
    start_seq: int | None = None
    last: int = 0
    bid_seqs: list[int] = field(default_factory=list)  # bid_placed events accepted, in order
    latencies: list[float] = field(default_factory=list)
    resumes: int = 0
    resyncs: int = 0
    recovered: int = 0  # events accepted between asking for a resume and its closing `state`
    stale: int = 0  # events already had (a replay overlapping live messages): skipped
    resuming: bool = False
    closed: str | None = None
    bid_bytes: int = 0  # the size of the first bid_placed message (the bare baseline sends as many)

    def offer(self, body: dict, now: float) -> dict | None:
        """Take one message; returns the message to send back, if any (a resume)."""
        kind = body.get("type")
        if self.start_seq is None:  # the first message: `state` (project) or `hello` (bare)
            self.start_seq = self.last = body.get("seq") or 0
            return None
        if kind == "state":  # the end of a resume's replay
            self.resuming = False
            return None
        if kind == "resync":
            self.resyncs += 1
            return self._resume()
        seq, prev = body.get("seq"), body.get("prev_seq")
        if body.get("private") or not isinstance(seq, int) or not isinstance(prev, int):
            return None
        if seq <= self.last:
            self.stale += 1
            return None
        if prev > self.last and self.can_resume:  # a gap: this one comes back in the replay
            return self._resume()
        self.last = seq
        if self.resuming:
            self.recovered += 1
        if kind == "bid_placed":
            self.bid_seqs.append(seq)
            self.latencies.append(now - (body["sent"] if "sent" in body else parse_iso(body["at"])))
        return None

    def _resume(self) -> dict | None:
        if self.resuming or not self.can_resume:
            return None
        self.resuming, self.resumes = True, self.resumes + 1
        return {"type": "resume", "since": self.last}


def parse_iso(text: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def verify(bid_seqs: list[int], expected: set[int], start_seq: int) -> dict:
    """A subscriber's accepted bid events against the ones the database holds after it
    connected: each exactly once, nothing else."""
    want = {seq for seq in expected if seq > start_seq}
    got = set(bid_seqs)
    return {"lost": len(want - got), "duplicated": len(bid_seqs) - len(got), "unexpected": len(got - expected)}


async def follow(url: str, headers: dict, sub: Follower, ready: asyncio.Event, stop: asyncio.Event) -> None:
    from websockets.asyncio.client import connect

    try:
        async with connect(url, additional_headers=headers, open_timeout=120, ping_interval=None,
                           max_queue=None) as socket:  # offers deflate, as browsers do: the server decides
            sub.offer(json.loads(await socket.recv()), time.time())
            ready.set()
            closer = asyncio.ensure_future(_close_on(stop, socket))
            try:
                async for raw in socket:
                    reply = sub.offer(json.loads(raw), time.time())
                    if not sub.bid_bytes and sub.bid_seqs:
                        sub.bid_bytes = len(raw)
                    if reply is not None:
                        await socket.send(json.dumps(reply))
            finally:
                closer.cancel()
    except Exception as exc:  # noqa: BLE001 - recorded, reported as a failed subscriber
        if not stop.is_set():
            sub.closed = f"{type(exc).__name__}: {exc}"
        ready.set()


async def _close_on(stop: asyncio.Event, socket) -> None:
    await stop.wait()
    await socket.close()


async def run(config: dict, out: str) -> None:
    """Open config["count"] subscribers (config["batch"] at a time), say "ready", follow until
    "stop" arrives on stdin, then write what each saw to `out`."""
    subs = [Follower(can_resume=config["kind"] == "project") for _ in range(config["count"])]
    stop, tasks = asyncio.Event(), []
    headers = config["headers"]
    for start in range(0, len(subs), config["batch"]):
        events = []
        for i in range(start, min(len(subs), start + config["batch"])):
            events.append(asyncio.Event())
            tasks.append(asyncio.create_task(
                follow(config["url"], headers[i % len(headers)] if headers else {}, subs[i], events[-1], stop)))
        await asyncio.wait_for(asyncio.gather(*(event.wait() for event in events)), timeout=180)
    print("ready", flush=True)
    await asyncio.to_thread(sys.stdin.readline)  # "stop"
    stop.set()
    await asyncio.gather(*tasks)
    with open(out, "w") as handle:
        json.dump([asdict(sub) for sub in subs], handle)


if __name__ == "__main__":
    import resource

    resource.setrlimit(resource.RLIMIT_NOFILE, (resource.getrlimit(resource.RLIMIT_NOFILE)[1],) * 2)
    asyncio.run(run(json.loads(sys.stdin.readline()), sys.argv[1]))
