from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from krijt.planner.models import PlannerItem
from tests.scenario import Scenario

# Thursday 1 October 2026, 10:00 in Brussels (summer time, UTC+2): a school day in the scenario's year.
FROZEN_NOW = dt.datetime(2026, 10, 1, 8, 0, tzinfo=dt.UTC)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def _frozen_time(time_machine: Any) -> None:
    time_machine.move_to(FROZEN_NOW, tick=False)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def make_task(
    s: Scenario,
    *,
    class_index: int = 0,
    due_date: dt.date = dt.date(2026, 10, 5),
    lesson_period: int | None = None,
    kind: str = PlannerItem.Kind.TASK,
    state: str = PlannerItem.State.PLANNED,
    visible_from: dt.datetime | None = None,
    title: str = "Essay about autumn",
) -> PlannerItem:
    group = s.classes[class_index]
    course = next(c for c in s.courses if c.class_group_id == group.pk and c.teacher_id == s.teachers[0].pk)
    return PlannerItem.objects.create(
        school=s.school,
        school_year=s.year,
        class_group=group,
        course=course,
        teacher=s.teachers[0],
        kind=kind,
        title=title,
        description="Write one page.",
        due_date=due_date,
        lesson_period=s.lesson_periods[lesson_period - 1] if lesson_period else None,
        state=state,
        visible_from=visible_from or FROZEN_NOW - dt.timedelta(days=1),
    )


@pytest.fixture
def task(scenario: Scenario) -> PlannerItem:
    return make_task(scenario)


@pytest.fixture
def pdf() -> Callable[..., SimpleUploadedFile]:
    def _pdf(name: str = "essay.pdf", content: bytes = PDF) -> SimpleUploadedFile:
        return SimpleUploadedFile(name, content, content_type="application/pdf")

    return _pdf
