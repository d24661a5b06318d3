"""Reading ahead: the cache entries a request is sure to need, read in one round trip instead of one each.

Every page in a school reads its session and its school from the cache before anything else, and then
the person's row and what they are in the school (krijt.core.parts). Each read is a round trip to Redis
that costs more CPU in the client than the command costs the server; on a warm Today page the round
trips were half of the page's cost. So the domains that own those entries say which keys a request will
read (`provider`: the session from the cookie, the school from the address), `ReadAheadMiddleware`
reads them all at once before the first of them is needed, and each owner takes its entry from here
(`take`) instead of asking the cache. Parts read ahead the same way (`parts.prefetch`).

An entry taken here is exactly what the cache held at the start of the request: nothing is kept
between requests. Each key is read ahead at most once per request, and `take` hands an entry out only
once, so a second read (after the request itself changed the entry) goes to the cache again; a part's
versions are dropped from here when the request bumps them (`forget`). When the cache cannot be
reached, every key counts as missing and its owner goes to the database, as it would have anyway.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

MISSING: Any = object()  # not read ahead (a key read ahead but absent from the cache is None)

_store: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("krijt_readahead", default=None)
_providers: list[Callable[[HttpRequest], Iterable[str]]] = []


def provider(keys_for: Callable[[HttpRequest], Iterable[str]]) -> Callable[[HttpRequest], Iterable[str]]:
    """Registers a function naming the cache keys a request will read (empty when it will not)."""
    if keys_for not in _providers:
        _providers.append(keys_for)
    return keys_for


def active() -> bool:
    return _store.get() is not None


def read(keys: Iterable[str]) -> None:
    """Reads these keys now, in one round trip, for `take` and `peek` later in this request. Without a
    request being served (a worker, a shell) it does nothing: its callers then read the cache themselves."""
    store = _store.get()
    if store is None:
        return
    wanted = [k for k in dict.fromkeys(keys) if k not in store]
    if not wanted:
        return
    try:
        found = cache.get_many(wanted)
    except Exception:
        logger.warning("cache unreachable while reading ahead", exc_info=True)
        found = {}
    for k in wanted:
        store[k] = found.get(k)


def take(key: str) -> Any:
    """The entry read ahead for `key` (None when the cache had none), handed out once; MISSING when the
    key was not read ahead (or was taken already)."""
    store = _store.get()
    if store is None:
        return MISSING
    return store.pop(key, MISSING)


def peek(key: str) -> Any:
    """As `take`, but the entry stays for the next reader of the same request (a part's versions)."""
    store = _store.get()
    if store is None:
        return MISSING
    return store.get(key, MISSING)


def forget(keys: Iterable[str]) -> None:
    """Drops entries the request has just changed, so that nobody here reads them as they were."""
    store = _store.get()
    if store is not None:
        for k in keys:
            store.pop(k, None)


class ReadAheadMiddleware:
    """Reads every key the providers name for this request, in one round trip, before the first is needed."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _store.set({})
        try:
            read(k for keys_for in _providers for k in keys_for(request))
            return self.get_response(request)
        finally:
            _store.reset(token)
