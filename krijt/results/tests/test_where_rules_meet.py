"""Where the release rules meet the timetable, an adult student's choice, a removed parent link and the
teacher's preview: each played through the pages, the worker and the dispatcher at controlled times."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core import mail

from krijt.notifications.dispatch import dispatch_once
from krijt.notifications.models import Delivery, Notification
from krijt.results.models import Evaluation, Score
from krijt.results.tests.conftest import local, make_evaluation
from krijt.schools.models import TimetableSlot
from tests.scenario import Scenario

pytestmark = pytest.mark.django_db


def short_wednesday(s: Scenario) -> None:
    """Class 1A: lessons until 15:35 on Monday, Tuesday, Thursday and Friday; on Wednesday until 12:00."""
    periods = {p.number: p for p in s.lesson_periods}
    math = s.courses[0]
    for weekday in (1, 2, 4, 5):
        TimetableSlot.objects.create(
            school=s.school, school_year=s.year, course=math, weekday=weekday, lesson_period=periods[7]
        )
    TimetableSlot.objects.create(school=s.school, school_year=s.year, course=math, weekday=3, lesson_period=periods[4])


def post_score(client: Any, s: Scenario, evaluation: Evaluation, student: Any, value: str, comment: str = "") -> None:
    url = s.url(f"/results/evaluations/{evaluation.pk}/students/{student.pk}/")
    response = client.post(url, {"value": value, "comment": comment, "detail": "1"})
    assert response.status_code in (200, 302), response.content[:500]


def publish(client: Any, s: Scenario, evaluation: Evaluation) -> None:
    response = client.post(s.url(f"/results/evaluations/{evaluation.pk}/publish/"))
    assert response.status_code == 302


def test_a_fail_published_on_a_short_wednesday_afternoon_waits_for_the_next_school_day(
    scenario: Scenario, login_as: Any
) -> None:
    s = scenario
    short_wednesday(s)
    evaluation = make_evaluation(s)
    teacher = login_as("teacher")
    weak, fine = s.students[0], s.students[1]
    # Wednesday 18 November 2026, 13:30: class 1A's lessons ended at 12:00; nobody is at school to talk.
    with time_machine.travel(local(2026, 11, 18, 13, 30), tick=False):
        post_score(teacher, s, evaluation, weak, "3", "Let's look at fractions together on Thursday.")
        post_score(teacher, s, evaluation, fine, "8")
        publish(teacher, s, evaluation)
    sensitive = Score.objects.get(evaluation=evaluation, student=weak)
    ordinary = Score.objects.get(evaluation=evaluation, student=fine)
    assert sensitive.sensitive
    assert sensitive.student_visible_at == local(2026, 11, 19, 10)
    assert ordinary.student_visible_at == local(2026, 11, 18, 13, 30)
    assert Notification.objects.get(recipient=weak, kind="result").visible_at == local(2026, 11, 19, 10)
    student = login_as("student", user=weak)
    with time_machine.travel(local(2026, 11, 18, 16), tick=False):
        assert "fractions" not in student.get(s.url("/results/mine/")).content.decode()
    with time_machine.travel(local(2026, 11, 19, 10), tick=False):
        assert "fractions" in student.get(s.url("/results/mine/")).content.decode()


def test_on_a_long_day_the_fail_goes_before_the_last_lesson(scenario: Scenario, login_as: Any) -> None:
    s = scenario
    short_wednesday(s)
    evaluation = make_evaluation(s)
    teacher = login_as("teacher")
    # Tuesday 13:30: class 1A still has its 14:45 lesson to come.
    with time_machine.travel(local(2026, 11, 17, 13, 30), tick=False):
        post_score(teacher, s, evaluation, s.students[0], "3", "Let's talk.")
        publish(teacher, s, evaluation)
    assert Score.objects.get(evaluation=evaluation).student_visible_at == local(2026, 11, 17, 13, 30)


def make_adult(student: Any) -> None:
    student.birth_date = dt.date(2008, 1, 15)  # 18 in November 2026
    student.save(update_fields=["birth_date"])


def parent_rows(parent: Any, student: Any) -> tuple[int, int]:
    items = Notification.objects.filter(recipient=parent, about_student=student)
    return items.count(), Delivery.objects.filter(recipient=parent, notification__about_student=student).count()


def test_an_adult_students_no_withdraws_what_the_parents_would_get_and_nothing_new_comes(
    scenario: Scenario, login_as: Any
) -> None:
    s = scenario
    student, parent = s.students[0], s.parents[0]
    make_adult(student)
    evaluation = make_evaluation(s)
    teacher = login_as("teacher")
    with time_machine.travel(local(2026, 11, 17, 11), tick=False):
        post_score(teacher, s, evaluation, student, "8")
        publish(teacher, s, evaluation)
    assert parent_rows(parent, student)[0] == 1  # in-app Wednesday 11:00, the digest Wednesday 18:00
    assert parent_rows(parent, student)[1] == 1
    # Tuesday 12:00 the student (18) says no.
    me = login_as("student", user=student)
    with time_machine.travel(local(2026, 11, 17, 12), tick=False):
        response = me.post(s.url("/results/mine/parents/"), {})
        assert response.status_code == 302
    assert parent_rows(parent, student) == (0, 0)
    # A new result afterwards, and a digest moment: nothing reaches the parent.
    second = make_evaluation(s, name="Toets 2")
    teacher = login_as("teacher")  # one test client: sign the teacher in again
    with time_machine.travel(local(2026, 11, 18, 11), tick=False):
        post_score(teacher, s, second, student, "6")
        publish(teacher, s, second)
    assert parent_rows(parent, student) == (0, 0)
    mail.outbox.clear()
    for moment in (local(2026, 11, 18, 18, 1), local(2026, 11, 19, 18, 1)):
        with time_machine.travel(moment, tick=False):
            while dispatch_once().claimed:
                pass
    assert not [m for m in mail.outbox if parent.email in m.to]
    with time_machine.travel(local(2026, 11, 20, 12), tick=False):
        page = login_as("parent", user=parent).get(s.url("/notifications/")).content.decode()
    assert "A new result in" not in page
    # The student still hears of their own results.
    assert Notification.objects.filter(recipient=student, kind="result").count() == 2


def test_a_removed_parent_link_withdraws_what_that_parent_would_get(scenario: Scenario, login_as: Any) -> None:
    s = scenario
    student, parent = s.students[0], s.parents[0]
    evaluation = make_evaluation(s)
    teacher = login_as("teacher")
    with time_machine.travel(local(2026, 11, 17, 11), tick=False):
        post_score(teacher, s, evaluation, student, "8")
        publish(teacher, s, evaluation)
    assert parent_rows(parent, student) == (1, 1)
    admin = login_as("admin")
    with time_machine.travel(local(2026, 11, 17, 12), tick=False):
        page = admin.get(s.url(f"/manage/people/{student.pk}/")).content.decode()
        assert "Remove the link with" in page
        response = admin.post(s.url(f"/manage/people/{student.pk}/parents/remove/"), {"parent": parent.pk})
        assert response.status_code == 302
    assert parent_rows(parent, student) == (0, 0)
    # Removing it again is not found; a new result reaches the student only.
    with time_machine.travel(local(2026, 11, 17, 12), tick=False):
        response = admin.post(s.url(f"/manage/people/{student.pk}/parents/remove/"), {"parent": parent.pk})
        assert response.status_code in (302, 404)
    second = make_evaluation(s, name="Toets 2")
    teacher = login_as("teacher")  # one test client: sign the teacher in again
    with time_machine.travel(local(2026, 11, 18, 11), tick=False):
        post_score(teacher, s, second, student, "6")
        publish(teacher, s, second)
    assert parent_rows(parent, student) == (0, 0)
    assert Notification.objects.filter(recipient=student, kind="result").count() == 2


def test_the_release_preview_names_both_moments(scenario: Scenario, login_as: Any) -> None:
    s = scenario
    make_evaluation(s)
    teacher = login_as("teacher")
    with time_machine.travel(local(2026, 11, 17, 11), tick=False):
        page = teacher.get(s.url(f"/results/courses/{s.courses[0].pk}/")).content.decode()
    assert "A result: the student sees it Tuesday 17 November 11:00, parents Wednesday 18 November 11:00." in page
    # Class 1A's last lesson starts at 10:20: a fail waits for Wednesday's 10:00, parents a day later.
    assert (
        "A sensitive result: the student sees it Wednesday 18 November 10:00 (during school hours), "
        "parents Thursday 19 November 10:00." in page
    )
    assert "sees it ," not in page
