from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

# A Thursday in the scenario's school year, before the autumn days off the tests add.
FROZEN_NOW = dt.datetime(2026, 10, 1, 8, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen_time(time_machine: object) -> None:
    time_machine.move_to(FROZEN_NOW, tick=False)  # type: ignore[attr-defined]


@pytest.fixture
def count_get() -> Callable[[Client, str], int]:
    """GETs a page (expecting 200) and returns how many SQL queries it cost with a warm school cache."""

    def _count(client: Client, url: str) -> int:
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, response.content[:500]
        return len(queries)

    return _count
