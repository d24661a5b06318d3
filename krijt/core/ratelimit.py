"""Fixed-window counters in the shared cache (Redis), so every web node sees the same counts.

If the cache is unreachable the limiter fails open and logs: sign-in stays possible, and password
hashing is bounded elsewhere.
"""

from __future__ import annotations

import hashlib
import logging
import time

from django.core.cache import cache

logger = logging.getLogger(__name__)


def _key(name: str, ident: str) -> str:
    digest = hashlib.sha256(ident.encode()).hexdigest()[:32]
    return f"rl:{name}:{digest}"


def retry_after(name: str, ident: str, limit: int, window: int) -> int:
    """Seconds until another attempt is allowed, or 0 if allowed now."""
    key = _key(name, ident)
    try:
        values = cache.get_many([key, key + ":end"])
    except Exception:
        logger.warning("rate limit cache unreachable; allowing", exc_info=True)
        return 0
    count = values.get(key) or 0
    if count < limit:
        return 0
    end = values.get(key + ":end") or (time.time() + window)
    return max(1, int(end - time.time()) + 1)


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
