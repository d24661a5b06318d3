from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from krijt.results import services
from krijt.results.models import Evaluation
from tests.scenario import Scenario

TZ = ZoneInfo("Europe/Brussels")


def local(y: int, m: int, d: int, h: int, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, h, mi, tzinfo=TZ)


def make_evaluation(
    scenario: Scenario, *, name: str = "Toets 1", maximum: str = "10", course_index: int = 0, period_index: int = 0
) -> Evaluation:
    course = scenario.courses[course_index]
    return services.evaluation_create(
        school=scenario.school,
        actor=scenario.teacher,
        course=course,
        period=scenario.periods[period_index],
        name=name,
        date=dt.date(2026, 11, 10),
        maximum=Decimal(maximum),
    )


@pytest.fixture
def evaluation(scenario: Scenario) -> Evaluation:
    return make_evaluation(scenario)
