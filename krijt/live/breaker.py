"""A circuit breaker per video server, shared by every process through the cache.

Calls to a video server have timeouts of a few seconds; a server that is down would make every teacher who
clicks Join wait that long. After FAILURES failed calls within WINDOW seconds the server counts as down for
OPEN_SECONDS: no process calls it, students are shown the school's fallback at once, and the status page says
so. When the pause is over, one caller (whoever wins `cache.add`) tries again: a success closes the breaker,
a failure opens it for another pause. Housekeeping probes every server each minute, so a server that comes
back is noticed even when nobody clicks.

The state is a small dict per server in the cache; a cache that fails counts as "closed" (calls are tried).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache

from krijt.core import clock

logger = logging.getLogger(__name__)

FAILURES = 3
WINDOW = 60.0
OPEN_SECONDS = 30.0
KEEP_SECONDS = 24 * 3600


def _key(server_id: int) -> str:
    return f"live:breaker:{server_id}"


def _probe_key(server_id: int) -> str:
    return f"live:breaker-probe:{server_id}"


@dataclass(frozen=True)
class State:
    down: bool
    since: float | None  # when the failures began (epoch seconds)
    failures: int


CLOSED = State(False, None, 0)


def _now() -> float:
    return clock.now().timestamp()


def _read(value: Any) -> State:
    if not isinstance(value, dict):
        return CLOSED
    return State(down=bool(value.get("open")),
                 since=value.get("since"), failures=int(value.get("failures", 0)))


def states(server_ids: list[int]) -> dict[int, State]:
    """Each server's state in one cache round trip. A server that has failed and not answered since stays
    down after its pause, until a call or a probe succeeds."""
    if not server_ids:
        return {}
    try:
        found = cache.get_many([_key(pk) for pk in server_ids])
    except Exception:
        logger.warning("video server breakers unreadable", exc_info=True)
        return dict.fromkeys(server_ids, CLOSED)
    return {pk: _read(found.get(_key(pk))) for pk in server_ids}


def is_down(server_id: int) -> bool:
    return states([server_id])[server_id].down


def allow(server_id: int) -> bool:
    """May this caller call the server now? Closed: yes. Open and paused: no. Open after its pause: only the
    one caller who takes the probe."""
    try:
        value = cache.get(_key(server_id))
    except Exception:
        return True
    if not isinstance(value, dict) or not value.get("open"):
        return True
    if value.get("open_until", 0.0) > _now():
        return False
    try:
        return bool(cache.add(_probe_key(server_id), 1, timeout=int(OPEN_SECONDS)))
    except Exception:
        return True


def failed(server_id: int) -> None:
    now = _now()
    try:
        value = cache.get(_key(server_id))
        if not isinstance(value, dict) or (now - value.get("last", 0.0) > WINDOW and not value.get("open")):
            value = {"failures": 0, "since": now}
        value["failures"] = int(value["failures"]) + 1
        value["last"] = now
        if value["failures"] >= FAILURES:
            value["open"] = True
            value["open_until"] = now + OPEN_SECONDS
        cache.set(_key(server_id), value, timeout=KEEP_SECONDS)
    except Exception:
        logger.warning("video server breaker not written", exc_info=True)


def succeeded(server_id: int) -> None:
    try:
        if cache.get(_key(server_id)) is not None:
            cache.delete_many([_key(server_id), _probe_key(server_id)])
    except Exception:
        logger.warning("video server breaker not reset", exc_info=True)
