"""Periodic chores that modules register (e.g. resuming a fan-out whose worker died).

The demo's in-process worker and `manage.py dispatch` call run_due() on every round; each chore runs at
most once per its interval in a process. Chores must be idempotent: several processes may run them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)


@dataclass
class _Chore:
    name: str
    func: Callable[[], object]
    every_seconds: float
    last_run: float = field(default=0.0)


_chores: dict[str, _Chore] = {}


def register(name: str, func: Callable[[], object], *, every_seconds: float = 60) -> None:
    _chores[name] = _Chore(name, func, every_seconds)


def run_due(*, monotonic: Callable[[], float] = time.monotonic) -> list[str]:
    """Runs the chores whose interval has passed; a failing chore is logged and tried again next time."""
    ran = []
    now = monotonic()
    for chore in list(_chores.values()):
        if chore.last_run and now - chore.last_run < chore.every_seconds:
            continue
        chore.last_run = now
        try:
            chore.func()
        except Exception:
            logger.exception("housekeeping chore %s failed", chore.name)
        ran.append(chore.name)
    return ran
