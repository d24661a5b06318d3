"""Publishing a class's results costs the same number of queries for a class of 3 and of 30."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from krijt.notifications.models import Delivery, Notification
from krijt.results import services
from tests.scenario import Scenario, assert_fixed_queries, build_school

pytestmark = pytest.mark.django_db


def _ready_to_publish(school: Scenario) -> tuple[Scenario, object]:
    course = school.courses[0]
    evaluation = services.evaluation_create(
        school=school.school, actor=school.teacher, course=course, period=school.periods[0], name="Toets",
        date=dt.date(2026, 11, 10), maximum=Decimal(10),
    )
    for n, student in enumerate(school.students_by_class[course.class_group_id]):
        # A fail among them: sensitive scores are released in their own window, with a comment.
        entry, comment = ("3", "We bespreken dit samen.") if n % 10 == 0 else ("8", None)
        services.score_set(school=school.school, actor=school.teacher, evaluation=evaluation,
                           student_id=student.pk, entry=entry, comment=comment)
    return school, evaluation


def test_publishing_a_class_has_a_fixed_query_budget() -> None:
    with time_machine.travel(dt.datetime(2026, 11, 17, 9, 30, tzinfo=dt.UTC), tick=False):
        small, small_eval = _ready_to_publish(build_school("small", students_per_class=3))
        large, large_eval = _ready_to_publish(build_school("large", students_per_class=30))
        queries = assert_fixed_queries(
            lambda: services.evaluation_publish(school=small.school, actor=small.teacher,
                                                evaluation=small_eval),  # type: ignore[arg-type]
            lambda: services.evaluation_publish(school=large.school, actor=large.teacher,
                                                evaluation=large_eval),  # type: ignore[arg-type]
        )
    assert queries < 40
    # And every student and parent of the large class is told, once.
    told = Notification.objects.filter(school=large.school, kind="result")
    assert told.filter(audience="student").count() == 30
    assert told.filter(audience="parent").count() == 30
    assert Delivery.objects.filter(school=large.school).count() > 0
