"""Hand-in follows the planner: links on the task's page, and late marks that move with the deadline."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from krijt.core.roles import Role
from krijt.handin.models import Submission
from krijt.planner import services as planner_services
from krijt.planner.models import PlannerItem
from tests.scenario import Scenario

pytestmark = pytest.mark.django_db


def make_task(scenario: Scenario, due: dt.date) -> PlannerItem:
    course = scenario.courses[0]
    return PlannerItem.objects.create(
        school=scenario.school,
        school_year=scenario.year,
        class_group=course.class_group,
        course=course,
        teacher=course.teacher,
        kind="task",
        title="Essay",
        description="",
        due_date=due,
        minutes=30,
        visible_from=dt.datetime(2026, 9, 1, tzinfo=dt.UTC),
    )


def test_the_task_page_links_to_hand_in_for_students_and_to_hand_ins_for_the_teacher(
    scenario: Scenario, login_as: Any
) -> None:
    task = make_task(scenario, dt.date(2026, 11, 27))
    with time_machine.travel("2026-11-23 10:00 +0100", tick=False):
        student_page = login_as(Role.STUDENT).get(scenario.url(f"/planner/item/{task.pk}/"))
        assert f'/hand-in/tasks/{task.pk}/"' in student_page.content.decode()
        teacher_page = login_as(Role.TEACHER, user=task.teacher).get(scenario.url(f"/planner/item/{task.pk}/"))
        assert f"/hand-in/tasks/{task.pk}/submissions/" in teacher_page.content.decode()


def test_moving_the_deadline_recomputes_late_marks(scenario: Scenario) -> None:
    task = make_task(scenario, dt.date(2026, 11, 23))
    submission = Submission.objects.create(
        school=scenario.school,
        item=task,
        student=scenario.student,
        text="Done.",
        submitted_at=dt.datetime(2026, 11, 24, 10, tzinfo=dt.UTC),
        late=True,
    )
    with time_machine.travel("2026-11-23 10:00 +0100", tick=False):
        planner_services.item_update(
            school=scenario.school,
            actor=scenario.courses[0].teacher or scenario.teacher,
            roles=frozenset({Role.TEACHER}),
            item=task,
            kind="task",
            title="Essay",
            description="",
            due_date=dt.date(2026, 11, 27),
            lesson_period=None,
            minutes=30,
            override_reason="Moved after a class trip.",
        )
    submission.refresh_from_db()
    assert submission.late is False
