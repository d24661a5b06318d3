"""Write paths whose cost must not grow with a class: the same queries for a class of 3 and of 30.

Publishing results and releasing report cards have theirs beside their domains' tests; these are the
teacher's everyday writes at a lesson change.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from krijt.core.roles import Role
from krijt.core.worker import run_pending_tasks
from krijt.messaging import services as messaging
from krijt.messaging.models import MessageRecipient
from krijt.planner import services as planner
from krijt.planner.models import PlannerItem
from tests.scenario import Scenario, assert_fixed_queries, build_school

pytestmark = pytest.mark.django_db

TEACHER = frozenset({Role.TEACHER})
# Tuesday 17 November 2026, 10:30 in Brussels: a school day, inside every window.
NOW = dt.datetime(2026, 11, 17, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
def schools() -> tuple[Scenario, Scenario]:
    return build_school("small", students_per_class=3), build_school("large", students_per_class=30)


def test_planning_and_moving_a_task_have_fixed_budgets(schools: tuple[Scenario, Scenario]) -> None:
    small, large = schools

    def plan(s: Scenario) -> PlannerItem:
        return planner.item_plan(school=s.school, actor=s.teacher, roles=TEACHER, course=s.courses[0], kind="task",
                                 title="Oefeningen", due_date=dt.date(2026, 11, 24), minutes=20)

    with time_machine.travel(NOW, tick=False):
        assert_fixed_queries(lambda: plan(small), lambda: plan(large))
        items = {s.school.pk: PlannerItem.objects.get(school=s.school) for s in schools}

        def move(s: Scenario) -> None:
            planner.item_update(school=s.school, actor=s.teacher, roles=TEACHER, item=items[s.school.pk],
                                kind="task", title="Oefeningen", due_date=dt.date(2026, 11, 25), minutes=20)

        assert_fixed_queries(lambda: move(small), lambda: move(large))


def test_sending_a_message_to_a_class_has_a_fixed_budget(schools: tuple[Scenario, Scenario]) -> None:
    small, large = schools

    def send(s: Scenario) -> None:
        messaging.message_send(school=s.school, sender=s.teacher, roles=TEACHER, to=[f"class:{s.classes[0].pk}"],
                               subject="Uitstap", body="Morgen vertrekken we om 8.30 uur.")

    with time_machine.travel(NOW, tick=False):
        assert_fixed_queries(lambda: send(small), lambda: send(large))
        run_pending_tasks()  # the fan-out, in the worker: chunks of a fixed size
    assert MessageRecipient.objects.filter(school=large.school).count() >= 30
