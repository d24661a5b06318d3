"""Hooks into sign-in and task signals: login counters for /metrics, and when the worker was last seen."""

from __future__ import annotations

import logging
import time
from typing import Any

logger = logging.getLogger(__name__)

WORKER_SEEN_KEY = "ops:worker:last-seen"
# A busy worker runs many tasks a second; one cache write per few seconds is enough to say it is alive.
WORKER_SEEN_EVERY = 5.0
_last_written = 0.0


def _login_succeeded(sender: Any, **kwargs: Any) -> None:
    from krijt.ops.metrics import record_login

    record_login(True)


def _login_failed(sender: Any, **kwargs: Any) -> None:
    from krijt.ops.metrics import record_login

    record_login(False)


def _worker_seen(sender: Any, **kwargs: Any) -> None:
    global _last_written  # noqa: PLW0603
    now = time.time()
    if now - _last_written < WORKER_SEEN_EVERY:
        return
    _last_written = now
    from django.core.cache import cache

    try:
        cache.set(WORKER_SEEN_KEY, now, timeout=7 * 24 * 3600)
    except Exception:
        logger.warning("cache unreachable; worker heartbeat not written", exc_info=True)


def connect() -> None:
    from django.contrib.auth.signals import user_logged_in, user_login_failed
    from django_tasks.signals import task_finished, task_started

    user_logged_in.connect(_login_succeeded, dispatch_uid="krijt.ops.login_ok")
    user_login_failed.connect(_login_failed, dispatch_uid="krijt.ops.login_failed")
    task_started.connect(_worker_seen, dispatch_uid="krijt.ops.worker_started")
    task_finished.connect(_worker_seen, dispatch_uid="krijt.ops.worker_finished")
