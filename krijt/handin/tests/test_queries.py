"""List pages cost a fixed number of queries, however many students, tasks and hand-ins there are."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from krijt.accounts.models import Membership, ParentLink
from krijt.core.roles import Role
from krijt.handin import services
from krijt.handin.tests.conftest import PDF, make_task
from krijt.planner.models import PlannerItem
from krijt.schools.models import Enrollment
from tests.scenario import Scenario, make_user

pytestmark = pytest.mark.django_db


def count(client: Client, path: str) -> int:
    client.get(path)  # warm the school cache, as on a busy server
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, response.content[:300]
    return len(queries)


def add_students(s: Scenario, n: int, start: int) -> list[Any]:
    added = []
    for i in range(start, start + n):
        student = make_user(f"alpha.extra{i}", f"Extra{i}", "Student")
        Membership.objects.create(school=s.school, user=student, role=Role.STUDENT)
        Enrollment.objects.create(school=s.school, school_year=s.year, class_group=s.classes[0], student=student)
        added.append(student)
    return added


def hand_in_all(s: Scenario, item: PlannerItem, students: list[Any]) -> None:
    for student in students:
        submission = services.submission_hand_in(
            school=s.school, student=student, item=item, text="work",
            files=[SimpleUploadedFile("a.pdf", PDF), SimpleUploadedFile("b.pdf", PDF)],
        )
        services.submission_feedback_give(
            school=s.school, reviewer=s.teacher, roles=frozenset({Role.TEACHER}), submission=submission,
            feedback="ok", return_to_student=True,
        )


def test_the_teachers_per_task_list_has_a_fixed_query_count(
    scenario: Scenario, task: PlannerItem, login_as: Callable[..., Client]
) -> None:
    path = scenario.url(f"/hand-in/tasks/{task.pk}/submissions/")
    client = login_as("teacher")
    empty = count(client, path)
    hand_in_all(scenario, task, scenario.students[:1])
    few = count(client, path)
    hand_in_all(scenario, task, [*scenario.students[1:3], *add_students(scenario, 12, 1)])
    many = count(client, path)
    assert empty <= few == many  # without hand-ins there are no files to fetch
    assert many <= 8


def test_the_overviews_have_a_fixed_query_count(scenario: Scenario, login_as: Callable[..., Client]) -> None:
    path = scenario.url("/hand-in/")
    first = make_task(scenario)
    hand_in_all(scenario, first, scenario.students[:1])
    before = {role: count(login_as(role), path) for role in ("student", "teacher", "parent", "admin")}
    for day in range(6, 16):
        item = make_task(scenario, due_date=dt.date(2026, 10, day), title=f"Task {day}")
        hand_in_all(scenario, item, scenario.students[:3])
    second_child = scenario.students[1]
    ParentLink.objects.create(school=scenario.school, parent=scenario.parent, student=second_child)
    add_students(scenario, 5, 100)
    after = {role: count(login_as(role), path) for role in ("student", "teacher", "parent", "admin")}
    assert before == after
    assert max(after.values()) <= 8


def test_the_students_task_page_has_a_fixed_query_count(
    scenario: Scenario, task: PlannerItem, login_as: Callable[..., Client]
) -> None:
    path = scenario.url(f"/hand-in/tasks/{task.pk}/")
    client = login_as("student")
    hand_in_all(scenario, task, [scenario.student])
    services.submission_feedback_seen(
        school=scenario.school, student=scenario.student, submission=task.submissions.get()
    )
    one = count(client, path)
    for i in range(4):
        services.submission_hand_in(
            school=scenario.school, student=scenario.students[1], item=task, text=f"v{i}",
            files=[SimpleUploadedFile("x.pdf", PDF)],
        )
    assert count(client, path) == one
