from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future
from typing import Any

import pytest

from krijt.ops import admission, degraded, health, metrics
from krijt.ops.status import snapshot


@pytest.fixture(autouse=True)
def _fresh_process_state() -> Iterator[None]:
    """Slots, counters and the status snapshot live in the process; each test starts from zero."""
    admission.reset_gate()
    metrics.REGISTRY.reset()
    snapshot.clear()
    degraded.breaker_reset()
    yield
    admission.reset_gate()
    snapshot.clear()
    degraded.breaker_reset()


class InlineExecutor:
    """Runs health probes in the test's thread, so they see the test transaction's rows."""

    def submit(self, fn: Any, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:
            future.set_exception(exc)
        return future


@pytest.fixture
def inline_probes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(health, "_pool", InlineExecutor())
