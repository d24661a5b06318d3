"""A bounded pool for password checks: at most KRIJT_HASH_CONCURRENCY at a time in each process.

One Argon2id check takes a core for about 17 ms and 19 MiB of memory (docs/decisions/0003). In a
sign-in storm, unbounded checks would pile up until every thread waits on a core and memory runs out.
A check that cannot start within KRIJT_HASH_WAIT seconds is refused with HashingBusy, which the web
layer answers 503 with Retry-After (the sign-in waiting room), instead of queueing into a timeout.
"""

from __future__ import annotations

import os
import random
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

DEFAULT_WAIT_SECONDS = 2.0
# Seconds a refused sign-in should wait before trying again: drawn between these for jitter.
RETRY_AFTER_RANGE = (3, 10)


class HashingBusy(Exception):
    """Not a KrijtError on purpose: the sign-in view shows KrijtErrors as form errors (400), while this
    must reach krijt.ops.admission, which answers 503 with the waiting room."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"password checks are busy; retry after {retry_after} s")
        self.retry_after = retry_after


def configured_size() -> int:
    value = getattr(settings, "KRIJT_HASH_CONCURRENCY", None) or os.environ.get("KRIJT_HASH_CONCURRENCY")
    return max(1, int(value or os.cpu_count() or 1))


def configured_wait() -> float:
    value = getattr(settings, "KRIJT_HASH_WAIT", None) or os.environ.get("KRIJT_HASH_WAIT")
    return float(value) if value else DEFAULT_WAIT_SECONDS


class HashingPool:
    def __init__(self, size: int, wait: float) -> None:
        self.size = max(1, size)
        self.wait = wait
        self._slots = threading.BoundedSemaphore(self.size)
        self._lock = threading.Lock()
        self.in_use = 0
        self.refused = 0

    @contextmanager
    def slot(self) -> Iterator[None]:
        if not self._slots.acquire(timeout=self.wait):
            with self._lock:
                self.refused += 1
            raise HashingBusy(random.randint(*RETRY_AFTER_RANGE))  # noqa: S311 - jitter, not a secret
        with self._lock:
            self.in_use += 1
        try:
            yield
        finally:
            with self._lock:
                self.in_use -= 1
            self._slots.release()


_pool: HashingPool | None = None
_pool_lock = threading.Lock()


def pool() -> HashingPool:
    global _pool  # noqa: PLW0603
    if _pool is None:
        with _pool_lock:
            if _pool is None:
                _pool = HashingPool(configured_size(), configured_wait())
    return _pool


def reset_pool() -> None:
    global _pool  # noqa: PLW0603
    with _pool_lock:
        _pool = None


@receiver(setting_changed)
def _settings_changed(*, setting: str, **kwargs: object) -> None:
    if setting in ("KRIJT_HASH_CONCURRENCY", "KRIJT_HASH_WAIT"):
        reset_pool()


def password_check_slot() -> AbstractContextManager[None]:
    """`with password_check_slot(): authenticate(...)`; raises HashingBusy past the wait bound."""
    return pool().slot()
