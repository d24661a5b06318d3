from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine

TZ = ZoneInfo("Europe/Brussels")
# A Monday in the scenario's school year, two weeks before the week the tests plan in.
NOW = dt.datetime(2026, 9, 21, 10, 0, tzinfo=TZ)
WEEK = dt.date(2026, 10, 5)


@pytest.fixture
def school_hours() -> Iterator[object]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _media(settings: pytest.FixtureRequest, tmp_path: object) -> None:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]
