"""Who is connected to an auction's live stream right now.

The buyer's monitor shows it, and private messages (a supplier's rank) are built only for
suppliers with an open connection: a supplier that connects later gets its rank in the
`state` message, so nothing is lost, and a bid on an auction with hundreds of invited but
absent suppliers does not fan out hundreds of messages nobody reads.

Each connection is an entry that expires unless refreshed (each process refreshes all of
its connections together every REFRESH_SECONDS: `Keeper`), so a process that dies without
saying goodbye drops out by itself. On
Redis the entries live in one sorted set per RFQ (shared by every ASGI process); the
embedded default keeps them in the process, which is the only one.
"""
from __future__ import annotations

import asyncio
import logging
import threading
import time

from asgiref.sync import sync_to_async
from django.conf import settings

from .redis_scripts import script_for

logger = logging.getLogger(__name__)

TTL_SECONDS = 90
REFRESH_SECONDS = 30


def _key(rfq_id: int) -> str:
    return f"quayside:presence:rfq:{rfq_id}"


def _member(participant: str, connection: str) -> str:
    return f"{participant}|{connection}"


class _MemoryPresence:
    def __init__(self):
        self.entries: dict[int, dict[str, float]] = {}
        self.lock = threading.Lock()

    def touch(self, rfq_id, member, expires):
        self.touch_many({rfq_id: [member]}, expires)

    def touch_many(self, members_of, expires):
        with self.lock:
            for rfq_id, members in members_of.items():
                entries = self.entries.setdefault(rfq_id, {})
                for member in members:
                    entries[member] = expires

    def remove(self, rfq_id, member):
        with self.lock:
            self.entries.get(rfq_id, {}).pop(member, None)

    def members(self, rfq_id, now):
        with self.lock:
            entries = self.entries.get(rfq_id, {})
            for member in [m for m, expires in entries.items() if expires <= now]:
                del entries[member]
            return list(entries)

    def suppliers(self, rfq_id):
        return suppliers_of(self.members(rfq_id, time.time()))


class _RedisPresence:
    def __init__(self, url: str):
        import redis

        self.client = redis.Redis.from_url(url, **settings.REDIS_CLIENT_TIMEOUTS)

    def touch(self, rfq_id, member, expires):
        self.touch_many({rfq_id: [member]}, expires)

    def touch_many(self, members_of, expires):
        pipe = self.client.pipeline(transaction=False)  # one round trip for every RFQ
        for rfq_id, members in members_of.items():
            pipe.zadd(_key(rfq_id), dict.fromkeys(members, expires))
            pipe.expire(_key(rfq_id), TTL_SECONDS * 2)
        pipe.execute()

    def remove(self, rfq_id, member):
        self.client.zrem(_key(rfq_id), member)

    def members(self, rfq_id, now):
        pipe = self.client.pipeline(transaction=False)
        pipe.zremrangebyscore(_key(rfq_id), "-inf", now)
        pipe.zrange(_key(rfq_id), 0, -1)
        return [member.decode() for member in pipe.execute()[-1]]

    def suppliers(self, rfq_id):
        return publish_and_read_suppliers(self.client, rfq_id)


_backends: dict[str, object] = {}
_backends_lock = threading.Lock()


def _backend():
    url = getattr(settings, "REDIS_URL", "")
    with _backends_lock:
        if url not in _backends:
            _backends[url] = _RedisPresence(url) if url else _MemoryPresence()
        return _backends[url]


def join(rfq_id: int, participant: str, connection: str) -> None:
    """Record (or refresh) one open connection of `participant` ("supplier:12", "buyer:3")."""
    _backend().touch(rfq_id, _member(participant, connection), time.time() + TTL_SECONDS)


def leave(rfq_id: int, participant: str, connection: str) -> None:
    _backend().remove(rfq_id, _member(participant, connection))


def refresh(members_of: dict[int, list[str]]) -> None:
    """Refresh many entries (RFQ id → members, as `Keeper` holds them) in one backend call."""
    if members_of:
        _backend().touch_many(members_of, time.time() + TTL_SECONDS)


def forget(members_of: dict[int, list[str]]) -> None:
    backend = _backend()
    for rfq_id, members in members_of.items():
        for member in members:
            backend.remove(rfq_id, member)


class Keeper:
    """This process's open connections, refreshed together every REFRESH_SECONDS.

    A timer per connection cost a task, a thread hop and a Redis round trip each: at 1,000
    connections, opened within seconds of each other, 1,000 of them came due within seconds
    every half minute, and the hub's event loop, which also writes the live messages, waited
    for them (bench/README.md, fan-out finding 17). One refresh per process sends them all in
    one round trip. The first entry of a connection is still written at once (`join`), and
    removed at once when it closes (`leave`).
    """

    def __init__(self):
        self.members: dict[int, set[str]] = {}
        self._task: asyncio.Task | None = None

    async def join(self, rfq_id: int, participant: str, connection: str) -> None:
        """A connection opened: its entry written now, and refreshed with the others from then on."""
        await sync_to_async(join, thread_sensitive=False)(rfq_id, participant, connection)
        self.add(rfq_id, participant, connection)

    async def leave(self, rfq_id: int, participant: str, connection: str) -> None:
        """A connection closed: no longer refreshed, and its entry removed now."""
        self.discard(rfq_id, participant, connection)
        await sync_to_async(leave, thread_sensitive=False)(rfq_id, participant, connection)

    def add(self, rfq_id: int, participant: str, connection: str) -> None:
        self.members.setdefault(rfq_id, set()).add(_member(participant, connection))
        if self._task is None or self._task.done() or self._task.get_loop() is not asyncio.get_running_loop():
            self._task = asyncio.get_running_loop().create_task(self._refresh_every())

    def discard(self, rfq_id: int, participant: str, connection: str) -> None:
        members = self.members.get(rfq_id)
        if members is not None:
            members.discard(_member(participant, connection))
            if not members:
                del self.members[rfq_id]

    async def _refresh_every(self) -> None:
        while self.members:
            await asyncio.sleep(REFRESH_SECONDS)
            snapshot = {rfq_id: list(members) for rfq_id, members in self.members.items()}
            try:
                await sync_to_async(refresh, thread_sensitive=False)(snapshot)
                # A connection that closed while the refresh was on its way was written back by
                # it after its own `leave`: take it out again.
                gone = {rfq_id: [m for m in members if m not in self.members.get(rfq_id, ())]
                        for rfq_id, members in snapshot.items()}
                if any(gone.values()):
                    await sync_to_async(forget, thread_sensitive=False)(gone)
            except Exception:  # Redis away for now: the next round tries again (entries last TTL_SECONDS)
                logger.warning("presence refresh failed", exc_info=True)


keeper = Keeper()


def participants(rfq_id: int) -> set[str]:
    """Everyone with at least one live connection to the RFQ."""
    return {member.split("|", 1)[0] for member in _backend().members(rfq_id, time.time())}


def connected_suppliers(rfq_id: int) -> set[int]:
    return _backend().suppliers(rfq_id)


# After publishing ARGV's (channel, text) pairs, prune the RFQ's expired entries and name the
# suppliers connected now, once each, as one comma-separated text: the live publish reads
# presence in its own round trip. One text rather than the members: redis-py's reply parser
# costs the caller about a microsecond of CPU per element, 0.65 ms a bid with 500 connections.
PUBLISH_AND_READ_SUPPLIERS = """
for i = 2, #ARGV, 2 do redis.call('PUBLISH', ARGV[i], ARGV[i + 1]) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local seen, out = {}, {}
for _, member in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local id = string.match(member, '^supplier:(%d+)|') or string.match(member, '^supplier:(%d+)$')
  if id and not seen[id] then seen[id] = true; out[#out + 1] = id end
end
return table.concat(out, ',')
"""


def publish_and_read_suppliers(client, rfq_id: int, publish: list[str] | tuple = ()) -> set[int]:
    """The suppliers connected to the RFQ now (as connected_suppliers), read with `client`
    in one script call that first publishes `publish` (channel, text, channel, text, …)."""
    text = script_for(client, PUBLISH_AND_READ_SUPPLIERS)(keys=[_key(rfq_id)], args=[time.time(), *publish])
    return {int(supplier) for supplier in text.split(b",")} if text else set()


def suppliers_of(members: list[str]) -> set[int]:
    participants = {member.split("|", 1)[0] for member in members}
    return {int(p.split(":", 1)[1]) for p in participants if p.startswith("supplier:")}
