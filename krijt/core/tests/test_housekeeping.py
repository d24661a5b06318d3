from __future__ import annotations

from krijt.core import housekeeping


def test_chores_run_once_per_interval_and_survive_failures() -> None:
    calls: list[str] = []
    clock = [1000.0]

    def broken() -> None:
        calls.append("broken")
        raise RuntimeError("boom")

    housekeeping.register("test.ok", lambda: calls.append("ok"), every_seconds=60)
    housekeeping.register("test.broken", broken, every_seconds=60)
    try:
        housekeeping.run_due(monotonic=lambda: clock[0])
        clock[0] += 30
        housekeeping.run_due(monotonic=lambda: clock[0])
        clock[0] += 31
        housekeeping.run_due(monotonic=lambda: clock[0])
    finally:
        housekeeping._chores.pop("test.ok")
        housekeeping._chores.pop("test.broken")
    assert calls.count("ok") == 2
    assert calls.count("broken") == 2


def test_messaging_registers_its_fan_out_recovery() -> None:
    assert "messaging.resume_stalled_fanouts" in housekeeping._chores
