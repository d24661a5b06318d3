from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine

TZ = ZoneInfo("Europe/Brussels")
# Monday 5 October 2026: a school day. Class 1A has maths (teacher 1) in lesson 1 (08:25) and Dutch
# (teacher 2) in lesson 3 (10:20); class 2A maths in lesson 2 and Dutch in lesson 4.
MONDAY = dt.date(2026, 10, 5)


@pytest.fixture
def at_ten() -> Iterator[None]:
    """Monday 5 October 2026, 10:30 in Brussels: lessons 1 to 3 have begun."""
    with time_machine.travel(dt.datetime(2026, 10, 5, 10, 30, tzinfo=TZ), tick=False):
        yield
