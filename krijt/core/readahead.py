"""Reading ahead: the cache entries a request is sure to need, read in one round trip instead of one each.

Every page in a school reads its session and its school from the cache before anything else, and then
the person's row and what they are in the school (krijt.core.parts). Each read is a round trip to Redis
that costs more CPU in the client than the command costs the server; on a warm Today page the round
trips were half of the page's cost. So the domains that own those entries say which keys a request will
read (`provider`: the session from the cookie, the school from the address), `ReadAheadMiddleware`
reads them all at once before the first of them is needed, and each owner takes its entry from here
(`get`) instead of asking the cache. Parts read ahead the same way (`parts.prefetch`).

An entry taken here is exactly what the cache held at the start of the request: nothing is kept
between requests. Each key is read ahead at most once per request, and `take` hands an entry out only
once, so a second read (after the request itself changed the entry) goes to the cache again; a part's
versions are dropped from here when the request bumps them (`forget`). When the cache cannot be
reached, every key counts as missing and its owner goes to the database, as it would have anyway.

What a page reads beyond that depends on what was read before (the roles decide the parts, a
student's class decides the lessons). So each process also remembers, per address and session, the
parts and versions the last successful GET read (`note`), and reads those ahead too: a warm Today page
is then one round trip in all. A remembered key that is no longer wanted (a new day, another class)
costs a few bytes in that read and nothing else; a key the page wants and that was not remembered is
read as before. Entries are only ever used under their own key, with their versions from the same
read, so what the page shows is what reading them one by one at that moment would have shown.
"""

from __future__ import annotations

import contextvars
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

MISSING: Any = object()  # not read ahead (a key read ahead but absent from the cache is None)

_store: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("krijt_readahead", default=None)
_noted: contextvars.ContextVar[dict[str, None] | None] = contextvars.ContextVar("krijt_readahead_noted", default=None)
_providers: list[Callable[[HttpRequest], Iterable[str]]] = []

LEARNED_SIZE = 4096  # addresses x sessions remembered per process
_learned: OrderedDict[tuple[str, str, str], tuple[str, ...]] = OrderedDict()
_learned_lock = threading.Lock()


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


def get(key: str, backend: Any = None) -> Any:
    """The entry for `key`: as read ahead when it was (taken, so once), else from the cache (`backend`,
    the default cache unless given). Raises what the cache raises, as `cache.get` would."""
    value = take(key)
    return (backend or cache).get(key) if value is MISSING else value


def peek(key: str) -> Any:
    """As `take`, but the entry stays for the next reader of the same request (a part's versions)."""
    store = _store.get()
    if store is None:
        return MISSING
    return store.get(key, MISSING)


def note(keys: Iterable[str]) -> None:
    """Records keys this request read through the parts, to be read ahead on its next visit."""
    noted = _noted.get()
    if noted is not None:
        noted.update(dict.fromkeys(keys))


def _visit(request: HttpRequest, cookie: str) -> tuple[str, str, str] | None:
    if request.method != "GET" or not cookie:
        return None
    return (request.get_host(), request.get_full_path(), cookie)


def _remembered(visit: tuple[str, str, str] | None) -> tuple[str, ...]:
    if visit is None:
        return ()
    with _learned_lock:
        keys = _learned.get(visit, ())
        if keys:
            _learned.move_to_end(visit)
    return keys


def _remember(visit: tuple[str, str, str], keys: tuple[str, ...]) -> None:
    with _learned_lock:
        _learned[visit] = keys
        _learned.move_to_end(visit)
        while len(_learned) > LEARNED_SIZE:
            _learned.popitem(last=False)


def forget_learned() -> None:
    """Empties what this process remembered of earlier visits (tests)."""
    with _learned_lock:
        _learned.clear()


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
        token, noted_token = _store.set({}), _noted.set({})
        try:
            try:
                visit = _visit(request, request.COOKIES.get(settings.SESSION_COOKIE_NAME, ""))
            except Exception:  # a host Django refuses: the middleware after this answers it
                visit = None
            read([*(k for keys_for in _providers for k in keys_for(request)), *_remembered(visit)])
            response = self.get_response(request)
            noted = _noted.get()
            if visit is not None and noted and response.status_code == 200:
                _remember(visit, tuple(noted))
            return response
        finally:
            _store.reset(token)
            _noted.reset(noted_token)
