"""Running queued tasks: in-process for the demo, and synchronously in tests.

Production runs `manage.py db_worker` (django-tasks-db) as its own process.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from django.db import close_old_connections, transaction
from django.utils.crypto import get_random_string

from krijt.core import housekeeping

logger = logging.getLogger(__name__)


def run_pending_tasks(*, limit: int = 1000) -> int:
    """Runs every ready task now, in this thread; returns how many ran. Safe inside a test transaction."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=get_random_string(12),
        excluded_queue_names=[],
    )
    ran = 0
    while ran < limit:
        with transaction.atomic():
            result = DBTaskResult.objects.ready().filter(backend_name="default").get_locked()
            if result is None:
                break
            result.claim(worker.worker_id)
        worker.run_task(result)
        ran += 1
    return ran


# Work that is not a queued task but polled, registered by the domain that owns it (the notification
# engine registers its dispatcher), so the worker needs no import of any domain above core.
_runners: dict[str, Callable[[], int]] = {}


def register_runner(name: str, run_once: Callable[[], int]) -> None:
    """`run_once` does one batch and returns how much it did (0: nothing was due)."""
    _runners[name] = run_once


def run_registered() -> int:
    """One round of the polled work (the notification dispatcher); how much it did."""
    return sum(run_once() for run_once in list(_runners.values()))


def start_background_worker(*, interval: float = 0.5, stop: threading.Event | None = None) -> threading.Thread:
    """The demo's in-process worker: a daemon thread polling the task table until `stop` is set."""
    stop_event = stop or threading.Event()

    def loop() -> None:
        while not stop_event.is_set():
            try:
                close_old_connections()
                ran = run_pending_tasks(limit=50)
                sent = run_registered()
                housekeeping.run_due()
                if not ran and not sent:
                    stop_event.wait(interval)
            except Exception:
                logger.exception("in-process worker: task loop failed; retrying")
                stop_event.wait(interval * 4)
        close_old_connections()

    thread = threading.Thread(target=loop, name="krijt-worker", daemon=True)
    thread.start()
    return thread
