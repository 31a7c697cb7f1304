"""Django's Redis cache, keeping its client objects instead of building one per call.

Django's RedisCacheClient builds a new `redis.Redis` around the shared connection pool on
every cache call; building one fills its table of response callbacks (~170 entries), which
cost about 80 µs of CPU — more than the Redis round trip itself. The bid path makes a cache
call on every accepted bid (oversight's debounced gaming scan), so the clients are kept, one
per pool. A redis.Redis is safe to share between threads: each command takes a connection
from the pool.
"""
from __future__ import annotations

from django.core.cache.backends import redis as django_redis


class KeptClientRedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(index))
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = KeptClientRedisCacheClient
