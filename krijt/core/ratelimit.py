"""Fixed-window counters in the shared cache (Redis), so every web node sees the same counts.

If the cache is unreachable the limiter fails open and logs: sign-in stays possible, and password
hashing is bounded elsewhere.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass

from django.core.cache import cache

logger = logging.getLogger(__name__)


def _key(name: str, ident: str) -> str:
    digest = hashlib.sha256(ident.encode()).hexdigest()[:32]
    return f"rl:{name}:{digest}"


def retry_after(name: str, ident: str, limit: int, window: int) -> int:
    """Seconds until another attempt is allowed, or 0 if allowed now."""
    return check([(name, ident, limit, window)]).retry_after


@dataclass(frozen=True)
class Check:
    retry_after: int  # the longest wait any of the limits asks for; 0 when every one allows
    counted: frozenset[str]  # names of the limits that hold a count now (worth a reset after success)


def check(limits: list[tuple[str, str, int, int]]) -> Check:
    """Several limits (name, ident, limit, window) read in one round trip."""
    keys = [_key(name, ident) for name, ident, _limit, _window in limits]
    try:
        values = cache.get_many([k for key in keys for k in (key, key + ":end")])
    except Exception:
        logger.warning("rate limit cache unreachable; allowing", exc_info=True)
        return Check(0, frozenset())
    wait = 0
    counted = set()
    for key, (name, _ident, limit, window) in zip(keys, limits, strict=True):
        count = values.get(key) or 0
        if count:
            counted.add(name)
        if count >= limit:
            end = values.get(key + ":end") or (time.time() + window)
            wait = max(wait, 1, int(end - time.time()) + 1)
    return Check(wait, frozenset(counted))


def hit(name: str, ident: str, window: int) -> int:
    """Count one event; returns the count in the current window."""
    key = _key(name, ident)
    try:
        if cache.add(key, 0, window):
            cache.set(key + ":end", time.time() + window, window)
        return int(cache.incr(key))
    except ValueError:
        # The window expired between add and incr.
        cache.set(key, 1, window)
        cache.set(key + ":end", time.time() + window, window)
        return 1
    except Exception:
        logger.warning("rate limit cache unreachable; not counted", exc_info=True)
        return 0


def reset(name: str, ident: str) -> None:
    key = _key(name, ident)
    try:
        cache.delete_many([key, key + ":end"])
    except Exception:
        logger.warning("rate limit cache unreachable; not reset", exc_info=True)
