"""Prometheus metrics in the text exposition format, kept in this process's memory.

Hand-written instead of prometheus_client: a handful of counters and histograms, no dependency, and
no shared-memory directory to manage. The figures are per process: a server with several worker
processes needs one scrape target per worker (or a sum at the load balancer), see docs/operations.md.
"""

from __future__ import annotations

import bisect
import logging
import math
import threading
import time
from collections.abc import Callable, Iterable

logger = logging.getLogger(__name__)

Labels = tuple[tuple[str, str], ...]

# Seconds. Fine steps below 100 ms, where a healthy page lives; coarse above, where shedding should act.
LATENCY_BUCKETS: tuple[float, ...] = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

HELP = {
    "krijt_http_requests_total": ("counter", "HTTP requests answered, by route class and status class."),
    "krijt_http_request_duration_seconds": ("histogram", "Time to answer an HTTP request, by route class."),
    "krijt_http_requests_shed_total": (
        "counter",
        "Requests answered 503 by admission control, by priority class and reason.",
    ),
    "krijt_logins_total": ("counter", "Sign-ins by result (success or failure)."),
    "krijt_admission_in_flight": ("gauge", "Requests holding an admission slot in this process."),
    "krijt_admission_limit": ("gauge", "Admission slots of this process."),
    "krijt_task_queue_depth": ("gauge", "Background tasks ready to run now."),
    "krijt_task_oldest_ready_age_seconds": ("gauge", "Age of the oldest task ready to run now."),
    "krijt_process_start_time_seconds": ("gauge", "Start time of this process, in seconds since the epoch."),
}


class Registry:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counters: dict[tuple[str, Labels], float] = {}
        self._histograms: dict[tuple[str, Labels], list[float]] = {}
        self._gauges: dict[str, Callable[[], Iterable[tuple[Labels, float]]]] = {}
        self.started = time.time()

    def inc(self, name: str, labels: Labels = (), amount: float = 1.0) -> None:
        key = (name, labels)
        with self._lock:
            self._counters[key] = self._counters.get(key, 0.0) + amount

    def observe(self, name: str, labels: Labels, value: float) -> None:
        key = (name, labels)
        slot = bisect.bisect_left(LATENCY_BUCKETS, value)
        with self._lock:
            row = self._histograms.get(key)
            if row is None:
                # one count per bucket, then +Inf, then the sum
                row = self._histograms[key] = [0.0] * (len(LATENCY_BUCKETS) + 2)
            row[slot] += 1
            row[-1] += value

    def gauge(self, name: str, read: Callable[[], Iterable[tuple[Labels, float]]]) -> None:
        """Registers a gauge read at scrape time (reads must be cheap or cached)."""
        self._gauges[name] = read

    def value(self, name: str, labels: Labels = ()) -> float:
        with self._lock:
            return self._counters.get((name, labels), 0.0)

    def histogram_count(self, name: str, labels: Labels) -> int:
        with self._lock:
            row = self._histograms.get((name, labels))
            return int(sum(row[:-1])) if row else 0

    def reset(self) -> None:
        with self._lock:
            self._counters.clear()
            self._histograms.clear()

    def render(self) -> str:
        with self._lock:
            counters = dict(self._counters)
            histograms = {k: list(v) for k, v in self._histograms.items()}
        lines: list[str] = []
        seen: set[str] = set()

        def header(name: str) -> None:
            if name not in seen:
                seen.add(name)
                kind, text = HELP.get(name, ("untyped", name))
                lines.append(f"# HELP {name} {text}")
                lines.append(f"# TYPE {name} {kind}")

        for (name, labels), amount in sorted(counters.items()):
            header(name)
            lines.append(f"{name}{_labels(labels)} {_number(amount)}")
        for (name, labels), row in sorted(histograms.items()):
            header(name)
            running = 0.0
            for bound, count in zip(LATENCY_BUCKETS, row, strict=False):
                running += count
                lines.append(f"{name}_bucket{_labels((*labels, ('le', _number(bound))))} {_number(running)}")
            running += row[len(LATENCY_BUCKETS)]
            lines.append(f"{name}_bucket{_labels((*labels, ('le', '+Inf')))} {_number(running)}")
            lines.append(f"{name}_sum{_labels(labels)} {_number(row[-1])}")
            lines.append(f"{name}_count{_labels(labels)} {_number(running)}")
        for name, read in sorted(self._gauges.items()):
            try:
                samples = list(read())
            except Exception:  # a gauge that cannot be read is left out, never a failed scrape
                logger.debug("gauge %s unreadable", name, exc_info=True)
                continue
            header(name)
            for labels, amount in samples:
                lines.append(f"{name}{_labels(labels)} {_number(amount)}")
        header("krijt_process_start_time_seconds")
        lines.append(f"krijt_process_start_time_seconds {_number(self.started)}")
        return "\n".join(lines) + "\n"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(labels: Labels) -> str:
    if not labels:
        return ""
    return "{" + ",".join(f'{k}="{_escape(v)}"' for k, v in labels) + "}"


def _number(value: float) -> str:
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


REGISTRY = Registry()


def record_request(route_class: str, status: int, seconds: float) -> None:
    REGISTRY.inc("krijt_http_requests_total", (("class", route_class), ("code", f"{status // 100}xx")))
    REGISTRY.observe("krijt_http_request_duration_seconds", (("class", route_class),), seconds)


def record_shed(priority: str, reason: str) -> None:
    REGISTRY.inc("krijt_http_requests_shed_total", (("priority", priority), ("reason", reason)))


def record_login(success: bool) -> None:
    REGISTRY.inc("krijt_logins_total", (("result", "success" if success else "failure"),))
