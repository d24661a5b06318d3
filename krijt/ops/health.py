"""Health of the parts Krijt depends on, each check bounded by a short deadline.

Checks run in a small pool of their own threads, so a database or cache that hangs (a black-holed
address, a full connection pool) costs the caller the deadline and no more. A check that does not
finish in time counts as down. The pool is small and bounded: a storm of readiness probes cannot
pile up threads behind a hanging dependency.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.cache import cache
from django.db import connection

from krijt.core import clock

logger = logging.getLogger(__name__)

OK = "ok"
DEGRADED = "degraded"
DOWN = "down"
NOT_CONFIGURED = "not_configured"

DEADLINE = 1.0  # seconds, for /ready/ and the status page
# A ready task older than this means the worker is behind or gone.
WORKER_LATE_SECONDS = 300

_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="krijt-health")


@dataclass
class Check:
    name: str
    state: str
    latency_ms: float | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"state": self.state}
        if self.latency_ms is not None:
            data["latency_ms"] = round(self.latency_ms, 1)
        data.update(self.detail)
        return data


def _with_deadline(name: str, probe: Callable[[], dict[str, Any] | None], deadline: float | None) -> Check:
    deadline = DEADLINE if deadline is None else deadline
    started = time.perf_counter()
    try:
        future: Future[dict[str, Any] | None] = _pool.submit(probe)
        detail = future.result(timeout=deadline)
    except FutureTimeout:
        logger.warning("health check %s did not answer within %.1f s", name, deadline)
        return Check(name, DOWN, None, {"error": "timeout"})
    except Exception as exc:
        logger.warning("health check %s failed: %s", name, exc)
        return Check(name, DOWN, None, {"error": type(exc).__name__})
    return Check(name, OK, (time.perf_counter() - started) * 1000, detail or {})


def _release_connection() -> None:
    """A probe thread is the pool's, not a request's: it gives its connection back at once."""
    if threading.current_thread().name.startswith("krijt-health"):
        connection.close()


def _database_probe() -> None:
    try:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET statement_timeout = 1000")
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        _release_connection()


def _cache_probe() -> None:
    key = "ops:ready-probe"
    token = str(time.time_ns())
    cache.set(key, token, timeout=30)
    if cache.get(key) != token:
        raise RuntimeError("cache read back a different value")


def check_database(deadline: float | None = None) -> Check:
    return _with_deadline("database", _database_probe, deadline)


def check_cache(deadline: float | None = None) -> Check:
    return _with_deadline("cache", _cache_probe, deadline)


def _worker_probe() -> dict[str, Any]:
    from django.db.models import Case, Count, F, Min, When
    from django.db.models.functions import Greatest
    from django_tasks_db.models import DBTaskResult, get_date_max

    try:
        ready_at = Case(
            When(run_after=get_date_max(), then=F("enqueued_at")),
            default=Greatest(F("run_after"), F("enqueued_at")),
        )
        row = DBTaskResult.objects.ready().aggregate(depth=Count("id"), oldest=Min(ready_at))
    finally:
        _release_connection()
    now = clock.now()
    oldest: dt.datetime | None = row["oldest"]
    age = max(0.0, (now - oldest).total_seconds()) if oldest else 0.0
    last_seen: float | None
    try:
        from krijt.ops.signals import WORKER_SEEN_KEY

        last_seen = cache.get(WORKER_SEEN_KEY)
    except Exception:
        last_seen = None
    return {
        "queue_depth": int(row["depth"]),
        "oldest_ready_age_seconds": round(age, 1),
        "last_seen": dt.datetime.fromtimestamp(last_seen, tz=dt.UTC).isoformat() if last_seen else None,
    }


def check_worker(deadline: float | None = None) -> Check:
    result = _with_deadline("worker", _worker_probe, deadline)
    if result.state == OK and result.detail["oldest_ready_age_seconds"] > WORKER_LATE_SECONDS:
        result.state = DEGRADED
    result.latency_ms = None
    return result


def _email_probe() -> dict[str, Any]:
    delivery = apps.get_model("notifications", "Delivery")
    try:
        # Newest first along the primary key: stops at the first match instead of reading the table.
        last_sent = (
            delivery.objects.filter(channel="email", state="sent").order_by("-pk").values_list("sent_at", flat=True)[:1]
        )
        # Failed rows are few and have their own partial index.
        last_failed = (
            delivery.objects.filter(channel="email", state="failed")
            .order_by("-next_attempt_at")
            .values_list("next_attempt_at", flat=True)[:1]
        )
        sent = next(iter(last_sent), None)
        failed = next(iter(last_failed), None)
    finally:
        _release_connection()
    return {
        "last_success": sent.isoformat() if sent else None,
        "last_failure": failed.isoformat() if failed else None,
    }


def check_email(deadline: float | None = None) -> Check:
    if not apps.is_installed("krijt.notifications"):
        return Check("email", NOT_CONFIGURED)
    result = _with_deadline("email", _email_probe, deadline)
    result.latency_ms = None
    detail = result.detail
    if result.state == OK and detail.get("last_failure") and (detail["last_failure"] > (detail["last_success"] or "")):
        result.state = DEGRADED
    return result


@dataclass(frozen=True)
class Component:
    """A part of the platform another module watches: `probe()` returns (state, detail) and runs with the
    others' deadline; `describe(detail)` says it in the reader's language on the status page."""

    name: str
    label: Any
    probe: Callable[[], tuple[str, dict[str, Any]]]
    describe: Callable[[dict[str, Any]], str]


_components: dict[str, Component] = {}


def register_component(component: Component) -> None:
    _components[component.name] = component


def component(name: str) -> Component | None:
    return _components.get(name)


def _check_component(part: Component, deadline: float | None = None) -> Check:
    holder: dict[str, str] = {}

    def probe() -> dict[str, Any]:
        try:
            state, detail = part.probe()
        finally:
            _release_connection()
        holder["state"] = state
        return detail

    result = _with_deadline(part.name, probe, deadline)
    if result.state == OK:
        result.state = holder.get("state", OK)
    result.latency_ms = None
    return result


def collect() -> dict[str, Check]:
    checks = [Check("web", OK), check_database(), check_cache()]
    if checks[1].state == OK:
        checks += [check_worker(), check_email()]
        checks += [_check_component(part) for part in _components.values()]
    else:
        unreadable = {"error": "database"}
        checks += [Check("worker", DOWN, detail=unreadable), Check("email", DOWN, detail=dict(unreadable))]
        if not apps.is_installed("krijt.notifications"):
            checks[-1] = Check("email", NOT_CONFIGURED)
    return {c.name: c for c in checks}
