"""gunicorn hooks for `manage.py serve` (the command line in krijt/ops/management/commands/serve.py sets
the rest). Measured in docs/decisions/0006-warm-balanced-workers.md; the reasons:

- **Warm workers.** The application is loaded once in the master (`--preload`), `krijt.ops.warm.warm()`
  compiles the templates, loads the catalogues and the URL maps, and the heap is frozen (`gc.freeze()`:
  the garbage collector then leaves those objects alone, so forks share their pages). A worker is a fork
  of that process: it accepts its first connection warm, and replacing one costs milliseconds.
- **Balanced workers.** `--reuse-port` gives each worker a listening socket of its own in one
  SO_REUSEPORT group: the kernel spreads new connections over the workers evenly, instead of the first
  worker to wake taking most long-lived connections while another idles.
- **Replacement by age and size, not by count.** A count (`--max-requests`) replaces workers more often
  the busier the server is: every ~20 s at 2,000 requests/s, exactly when a pause hurts. A worker here
  is replaced when it has served about KRIJT_WORKER_MAX_AGE seconds (default 6 hours; each worker
  somewhere between three and five quarters of it, so they never go together) or when its resident
  memory passed KRIJT_WORKER_MAX_RSS_MB (default 768): slow leaks are still bounded, and the rate no
  longer follows the traffic.
- **Connections that move.** A kept-alive connection stays with the worker that accepted it; after a
  replacement every reconnecting client lands on the survivors, and a proxy's pooled connections would
  never spread again. The first answer on a connection after KRIJT_CONNECTION_SECONDS (default 10) says
  `Connection: close`, and the kernel places the client's next connection afresh. By age, not by a
  count of requests: a count lets a busy worker, slow to reach the count, keep its connections while a
  quick one keeps giving them away (measured: 30 of 32 connections on one worker).
"""

from __future__ import annotations

import gc
import os
import random
import resource
import time
from typing import Any

CHECK_EVERY = 256  # requests between two looks at a worker's age and memory


def _max_age() -> float:
    return float(os.environ.get("KRIJT_WORKER_MAX_AGE", str(6 * 3600)))


def _connection_seconds() -> float:
    return float(os.environ.get("KRIJT_CONNECTION_SECONDS", "10"))


def _max_rss_kib() -> int:
    return int(os.environ.get("KRIJT_WORKER_MAX_RSS_MB", "768")) * 1024


def when_ready(server: Any) -> None:
    """In the master, after the application was loaded (`--preload`) and before any worker is forked."""
    from krijt.ops.warm import connections_opened, warm

    counts = warm()
    opened = connections_opened()
    if opened:
        # A connection opened in the master would be one socket shared by every worker.
        raise RuntimeError(f"the master holds database connections {opened}; nothing may connect before the fork")
    gc.collect()
    gc.freeze()
    server.log.info(
        "warm: %(templates)d templates, %(languages)d languages, %(url_patterns)d URL patterns; heap frozen", counts
    )


def post_fork(server: Any, worker: Any) -> None:
    # Anywhere between three and five quarters of the age: workers started together never retire together.
    worker.krijt_retire_at = time.monotonic() + _max_age() * (0.75 + random.random() / 2)  # noqa: S311
    worker.krijt_requests = 0


def pre_request(worker: Any, req: Any) -> None:
    """Decided before the response, so that its header already says `Connection: close`."""
    # The connection's reader lives as long as the connection: its first request stamps it.
    now = time.monotonic()
    born = getattr(req.unreader, "krijt_born", None)
    if born is None:
        req.unreader.krijt_born = now
    elif now - born >= _connection_seconds():
        req.must_close = True
    worker.krijt_requests = getattr(worker, "krijt_requests", 0) + 1
    if worker.krijt_requests % CHECK_EVERY:
        return
    too_old = time.monotonic() >= getattr(worker, "krijt_retire_at", float("inf"))
    too_big = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss >= _max_rss_kib()
    if (too_old or too_big) and worker.alive:
        worker.log.info("worker %s is replaced: %s", worker.pid, "its age" if too_old else "its memory")
        worker.alive = False  # this answer closes its connection; the master forks a warm successor
        req.must_close = True
