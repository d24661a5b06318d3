"""What the status page shows: the health checks and the incidents, as one snapshot.

Kept in this process's memory for a few seconds, not in the shared cache, because the page must
answer when Redis or PostgreSQL is down, and a storm of visitors must not turn into a storm of checks:
one thread rebuilds the snapshot at most every STATUS_TTL seconds while the others serve the last one.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from krijt.core import clock
from krijt.ops import health
from krijt.ops.models import Impact, Incident

logger = logging.getLogger(__name__)

STATUS_TTL = 5.0

OPERATIONAL = "operational"
DEGRADED = "degraded"
PARTIAL_OUTAGE = "partial_outage"
OUTAGE = "outage"
MAINTENANCE = "maintenance"


@dataclass
class Snapshot:
    checks: dict[str, health.Check]
    open_incidents: list[Incident] | None  # None: the database could not be read
    recent_incidents: list[Incident] | None
    taken_at: dt.datetime

    @property
    def overall(self) -> str:
        states = {c.name: c.state for c in self.checks.values()}
        impacts = {i.impact for i in self.open_incidents or []}
        if states.get("database") == health.DOWN or Impact.CRITICAL in impacts:
            return OUTAGE
        if Impact.MAJOR in impacts:
            return PARTIAL_OUTAGE
        if health.DOWN in states.values() or health.DEGRADED in states.values() or Impact.MINOR in impacts:
            return DEGRADED
        if Impact.MAINTENANCE in impacts:
            return MAINTENANCE
        return OPERATIONAL

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.overall,
            "updated_at": self.taken_at.isoformat(),
            "components": {name: check.as_dict() for name, check in self.checks.items()},
            "incidents": {
                "open": None if self.open_incidents is None else [_incident(i) for i in self.open_incidents],
                "recent": None if self.recent_incidents is None else [_incident(i) for i in self.recent_incidents],
            },
        }


def _incident(incident: Incident) -> dict[str, Any]:
    return {
        "id": incident.pk,
        "title": incident.title,
        "impact": incident.impact,
        "status": incident.status,
        "started_at": incident.started_at.isoformat(),
        "resolved_at": incident.resolved_at.isoformat() if incident.resolved_at else None,
        "updates": [
            {"status": u.status, "message": u.message, "posted_at": u.posted_at.isoformat()}
            for u in incident.updates.all()
        ],
    }


def build() -> Snapshot:
    from krijt.ops import selectors

    checks = health.collect()
    open_incidents: list[Incident] | None = None
    recent: list[Incident] | None = None
    if checks["database"].state == health.OK:
        try:
            open_incidents = selectors.open_incidents()
            recent = selectors.recent_resolved_incidents()
        except Exception:
            logger.warning("status page: incidents could not be read", exc_info=True)
    return Snapshot(checks, open_incidents, recent, clock.now())


class Memo:
    def __init__(self, builder: Callable[[], Snapshot], ttl: float = STATUS_TTL) -> None:
        self.builder = builder
        self.ttl = ttl
        self.lock = threading.Lock()
        self.value: Snapshot | None = None
        self.at = 0.0

    def get(self) -> Snapshot:
        value = self.value
        if value is not None and time.monotonic() - self.at < self.ttl:
            return value
        # With a previous snapshot, a thread that finds another one rebuilding serves the old one at once.
        if not self.lock.acquire(blocking=value is None):
            return value  # type: ignore[return-value]
        try:
            if self.value is None or time.monotonic() - self.at >= self.ttl:
                self.value = self.builder()
                self.at = time.monotonic()
            return self.value
        finally:
            self.lock.release()

    def clear(self) -> None:
        self.value = None
        self.at = 0.0


snapshot = Memo(build)


def _queue_gauges() -> None:
    from krijt.ops import metrics

    def worker_detail() -> dict[str, Any]:
        check = snapshot.get().checks.get("worker")
        if check is None or "queue_depth" not in check.detail:
            raise LookupError("queue depth unknown")
        return check.detail

    metrics.REGISTRY.gauge("krijt_task_queue_depth", lambda: [((), float(worker_detail()["queue_depth"]))])
    metrics.REGISTRY.gauge(
        "krijt_task_oldest_ready_age_seconds", lambda: [((), float(worker_detail()["oldest_ready_age_seconds"]))]
    )


_queue_gauges()
