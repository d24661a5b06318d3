from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from krijt.results.models import Evaluation, Score
from krijt.schools.models import Course, Period
from tests.scenario import Scenario

# Monday 21 June 2027, 09:00 in Brussels (UTC+2): a school day in the scenario's last period.
FROZEN_NOW = dt.datetime(2027, 6, 21, 7, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen_time(time_machine: Any) -> None:
    time_machine.move_to(FROZEN_NOW, tick=False)


def evaluation(s: Scenario, course: Course, period: Period, name: str, maximum: str, weight: str = "1") -> Evaluation:
    return Evaluation.objects.create(
        school=s.school,
        school_year=s.year,
        course=course,
        period=period,
        name=name,
        date=period.starts_on,
        maximum=Decimal(maximum),
        weight=Decimal(weight),
    )


# Scores published a week before the frozen moment: students and parents have seen them.
PUBLISHED = FROZEN_NOW - dt.timedelta(days=7)


def score(
    s: Scenario, ev: Evaluation, student: Any, value: str | None = None, code: str = "", *, published: bool = True
) -> Score:
    return Score.objects.create(
        school=s.school,
        evaluation=ev,
        student=student,
        value=Decimal(value) if value else None,
        code=code,
        published_at=PUBLISHED if published else None,
        student_visible_at=PUBLISHED if published else None,
        parent_visible_at=PUBLISHED + dt.timedelta(days=1) if published else None,
    )


def gradebook(s: Scenario) -> dict[str, Any]:
    """Class 1A, last period: Wiskunde (two tests and an absent one), Nederlands (one task, one exempt)."""
    period = s.periods[-1]
    math, dutch = s.courses[0], s.courses[1]
    t1 = evaluation(s, math, period, "Algebra test", "20", "2")
    t2 = evaluation(s, math, period, "Geometry quiz", "10", "1")
    t3 = evaluation(s, math, period, "Exam", "50", "3")
    d1 = evaluation(s, dutch, period, "Reading task", "10", "1")
    d2 = evaluation(s, dutch, period, "Spelling", "10", "1")
    student = s.students[0]
    score(s, t1, student, "15")  # 75% * 2
    score(s, t2, student, "6")  # 60% * 1
    score(s, t3, student, code="absent")
    score(s, d1, student, "8.5")
    score(s, d2, student, code="exempt")
    return {"period": period, "math": math, "dutch": dutch}
