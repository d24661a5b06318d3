"""A student's planner week comes from the same cached parts as Today: a change shows on the next page,
and a warm page reads no planner or school table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from krijt.core.roles import Role
from krijt.planner import services
from tests.scenario import Scenario, english_client

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Brussels"))
TEACHER = frozenset({Role.TEACHER})


@pytest.fixture(autouse=True)
def _monday() -> Iterator[None]:
    with time_machine.travel(MONDAY, tick=False):
        yield


def week(client: Any, scenario: Scenario, page: str = "/planner/me/") -> str:
    response = client.get(scenario.url(page), {"week": "2026-11-30"})
    assert response.status_code == 200
    return response.content.decode()


def signed_in(user: Any) -> Any:
    client = english_client()
    client.force_login(user, backend="krijt.accounts.backends.KrijtBackend")
    return client


def plan(scenario: Scenario, **changes: Any) -> Any:
    """Breuken, a task for the first course's class on Wednesday 2 December, planned by its teacher."""
    fields: dict[str, Any] = {"kind": "task", "title": "Breuken", "due_date": dt.date(2026, 12, 2), "minutes": 20}
    return services.item_plan(school=scenario.school, actor=scenario.teacher, roles=TEACHER,
                              course=scenario.courses[0], **{**fields, **changes})


def test_planned_moved_and_done_show_on_the_next_page(scenario: Scenario) -> None:
    client = signed_in(scenario.student)
    assert "Breuken" not in week(client, scenario)
    item = plan(scenario)
    # Planned in school hours: visible to students at once.
    assert "Breuken" in week(client, scenario)
    services.done_mark_set(school=scenario.school, student=scenario.student, item=item, done=True)
    assert 'aria-pressed="true"' in week(client, scenario)
    services.item_update(school=scenario.school, actor=scenario.teacher, roles=TEACHER, item=item, kind="task",
                         title="Breuken", due_date=dt.date(2026, 12, 9), minutes=20)
    assert "Breuken" not in week(client, scenario)  # moved to the week after


def test_a_warm_week_reads_no_planner_or_school_table(scenario: Scenario) -> None:
    plan(scenario)
    client = signed_in(scenario.student)
    week(client, scenario)
    with CaptureQueriesContext(connection) as captured:
        assert "Breuken" in week(client, scenario)
    read = [q["sql"] for q in captured.captured_queries if "planner_" in q["sql"] or "schools_" in q["sql"]]
    assert not read, read


def teacher_week(client: Any, scenario: Scenario) -> str:
    return week(client, scenario, "/planner/teacher/")


def test_the_teachers_week_comes_from_parts_and_shows_every_change_on_the_next_page(scenario: Scenario) -> None:
    client = signed_in(scenario.teacher)
    assert "Breuken" not in teacher_week(client, scenario)
    item = plan(scenario, kind="test", minutes=50)
    page = teacher_week(client, scenario)
    assert "Breuken" in page
    assert scenario.courses[0].class_group.name in page  # each item names its class
    with CaptureQueriesContext(connection) as captured:
        assert "Breuken" in teacher_week(client, scenario)
    read = [q["sql"] for q in captured.captured_queries if "planner_" in q["sql"] or "schools_" in q["sql"]]
    assert not read, read
    services.item_cancel(school=scenario.school, actor=scenario.teacher, roles=TEACHER, item=item)
    assert "Breuken" not in teacher_week(client, scenario)


def test_the_teacher_sees_an_item_before_students_do(scenario: Scenario) -> None:
    """Planned in the evening, a task reaches students only the next school morning; its teacher sees it at once."""
    evening = dt.datetime(2026, 11, 23, 21, 0, tzinfo=ZoneInfo("Europe/Brussels"))
    with time_machine.travel(evening, tick=False):
        plan(scenario, title="Avondtaak")
        assert "Avondtaak" in teacher_week(signed_in(scenario.teacher), scenario)
        assert "Avondtaak" not in week(signed_in(scenario.student), scenario)
