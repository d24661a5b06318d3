"""Cached parts of the hot pages (Today, and later the planner week and the inbox), kept right by
versions that the services which change them bump, never by expiry.

A part is a plain value (lists and dicts of strings, numbers, dates: no model instances) built by a
selector, stored under its key together with the versions of the scopes it depends on. A page asks for
all its parts at once: one cache round trip reads the parts and the current versions of their scopes;
a part whose stored versions are the current ones is used as it is, any other is built again (its
queries) and stored, all in one more round trip.

A writer calls `bump(scope, ...)` inside its transaction: each scope gets a new random version at once and
again after the commit, so every part that depends on it is stale from the next read on. The second
bump makes it right under concurrency: a reader who read a version before the commit stores its part
under that version, which no later reader accepts. A version missing from the cache (never set, or
evicted) is set once to a random value before any part is stored against it, so no part is ever kept
under "no version".

Keys carry the school: a key never mixes schools, and a person's parts carry the person. Every part
also depends on its school's epoch (bumped when the school is made or removed), so a school rebuilt
under the same id (the demo's reset on SQLite) never meets the parts of the one before.
A cache that fails only costs speed: every part is then built from the database.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import secrets
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import transaction

from krijt.core import readahead

logger = logging.getLogger(__name__)

# How long the cache may keep a part or a version: memory hygiene only, never what keeps a part right.
PART_SECONDS = 3 * 24 * 3600
VERSION_SECONDS = 30 * 24 * 3600


SCOPE_PREFIX = "pv"


def scope(school_id: int, name: str, *ids: Any) -> str:
    """The version key of a scope: what one kind of write changes (a class's planner, a person's inbox)."""
    return ":".join([SCOPE_PREFIX, str(school_id), name, *(str(i) for i in ids)])


def key(school_id: int, name: str, *ids: Any) -> str:
    """The cache key of a part."""
    return ":".join(["pt", str(school_id), name, *(str(i) for i in ids)])


def epoch_scope(school_id: int) -> str:
    return scope(school_id, "epoch")


@dataclass(frozen=True)
class Part:
    key: str
    deps: tuple[str, ...]
    build: Callable[[], Any]

    @property
    def all_deps(self) -> tuple[str, ...]:
        """Its scopes and its school's epoch (the school id is the key's second field)."""
        return (*self.deps, epoch_scope(int(self.key.split(":")[1])))


def _token() -> str:
    return secrets.token_hex(8)


def bump(*scopes: str) -> None:
    """Makes every part depending on these scopes stale: now, and again once the current transaction
    commits (a part a reader stored in between, from the rows before the commit, is stale then too)."""
    wanted = sorted(set(scopes))
    if not wanted:
        return

    def publish() -> None:
        try:
            cache.set_many({s: _token() for s in wanted}, VERSION_SECONDS)
        except Exception:
            # The writes stand; without the new versions the parts would be stale, so drop them all.
            logger.warning("part versions not bumped; dropping them", exc_info=True)
            try:
                cache.delete_many(wanted)
            except Exception:
                logger.error("part versions neither bumped nor dropped: %s", wanted, exc_info=True)

    readahead.forget(wanted)
    publish()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(publish)


def _versions(found: dict[str, Any], scopes: list[str]) -> dict[str, Any]:
    versions = {s: found.get(s) for s in scopes}
    for name in [s for s, v in versions.items() if v is None]:
        readahead.forget([name])
        token = _token()
        versions[name] = token if cache.add(name, token, VERSION_SECONDS) else cache.get(name)
    return versions


class Missing(LookupError):
    """Offline, a part the cache does not hold."""


_offline: contextvars.ContextVar[bool] = contextvars.ContextVar("krijt_parts_offline", default=False)


@contextlib.contextmanager
def offline() -> Iterator[None]:
    """While the database cannot be reached: every part as the cache last held it, whatever its versions
    (nothing can have changed them since, as no write gets through), and Missing for one it lacks."""
    token = _offline.set(True)
    try:
        yield
    finally:
        _offline.reset(token)


def _fetch_offline(parts: Sequence[Part], *, current: bool) -> list[Any]:
    scopes = sorted({d for p in parts for d in p.all_deps}) if current else []
    found = cache.get_many([p.key for p in parts] + scopes)
    values = []
    for part in parts:
        hit = found.get(part.key)
        if not (isinstance(hit, tuple) and len(hit) == 2):
            raise Missing(part.key)
        if current and hit[0] != tuple(found.get(d) for d in part.all_deps):
            raise Missing(part.key)
        values.append(hit[1])
    return values


def prefetch(parts: Sequence[Part]) -> None:
    """Reads these parts and their versions now, in one round trip, so that fetching them later in this
    request costs none (krijt.core.readahead); builds nothing. Outside a request it does nothing."""
    if readahead.active() and not _offline.get():
        keys = [p.key for p in parts] + sorted({d for p in parts for d in p.all_deps})
        readahead.note(keys)
        readahead.read(keys)


def _get_many(keys: list[str]) -> dict[str, Any]:
    """The cache's entries for these keys (absent ones left out), from what the request read ahead where
    it did: a part is taken once, a version stays for the next part that depends on it."""
    readahead.note(keys)
    found: dict[str, Any] = {}
    rest = []
    for k in keys:
        value = readahead.peek(k) if k.startswith(SCOPE_PREFIX + ":") else readahead.take(k)
        if value is readahead.MISSING:
            rest.append(k)
        elif value is not None:
            found[k] = value
    if rest:
        found.update(cache.get_many(rest))
    return found


def fetch(parts: Sequence[Part], *, current: bool = False) -> list[Any]:
    """The value of each part, in order: from the cache when current, else built and stored.

    Offline, `current=True` accepts only a part whose versions are still the current ones: for what a
    change made just before the outage must not outlive (who may see a session's page)."""
    if _offline.get():
        return _fetch_offline(parts, current=current)
    scopes = sorted({d for p in parts for d in p.all_deps})
    try:
        found = _get_many([p.key for p in parts] + scopes)
        versions = _versions(found, scopes)
    except Exception:
        logger.warning("parts unreachable; building them from the database", exc_info=True)
        return [p.build() for p in parts]
    values: list[Any] = []
    fresh: dict[str, Any] = {}
    for part in parts:
        stamp = tuple(versions[d] for d in part.all_deps)
        if None in stamp:  # a version that could not be set: build, but keep nothing
            values.append(part.build())
            continue
        hit = found.get(part.key)
        if isinstance(hit, tuple) and len(hit) == 2 and hit[0] == stamp:
            values.append(hit[1])
            continue
        value = part.build()
        fresh[part.key] = (stamp, value)
        values.append(value)
    if fresh:
        try:
            cache.set_many(fresh, PART_SECONDS)
        except Exception:
            logger.warning("parts not stored", exc_info=True)
    return values
