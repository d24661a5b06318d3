"""Django's Redis cache, with one Redis client per connection pool instead of one per call.

Django's RedisCacheClient builds a new `redis.Redis` object for every cache call; its constructor fills
a table of some 170 response callbacks each time, which cost about 8 % of a warm Today page (five cache
calls a request). A client is safe to share between threads (each command borrows a connection from
the pool), so one per pool is enough. Keys are not checked for memcached's limits (below). Everything
else is Django's.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient

    def make_and_validate_key(self, key: Any, version: int | None = None) -> str:
        """Without the per-key check: it only warns about keys memcached would refuse (length, spaces,
        control characters), which Redis stores as they are; a warm page made some 25 checks."""
        return self.make_key(key, version=version)
