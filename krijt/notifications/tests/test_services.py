"""Policy and preference updates inside their limits, reading and marking items, the policy cache."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from krijt.core.errors import NotFound, ValidationFailed
from krijt.notifications import selectors, services
from krijt.notifications.policy import QuietRules
from krijt.notifications.services import Target, notify
from krijt.notifications.tests.conftest import KIND
from tests.scenario import Scenario

TZ = ZoneInfo("Europe/Brussels")
TUESDAY = dt.datetime(2026, 10, 6, 10, 0, tzinfo=TZ)


def update(s: Scenario, **changes: object) -> object:
    values: dict[str, object] = {
        "student": QuietRules(),
        "parent": QuietRules(),
        "staff": QuietRules(start=dt.time(20, 0)),
        "digest_time": dt.time(18, 0),
        "push_budget": 5,
        "urgent_roles": ["admin"],
    }
    values.update(changes)
    return services.policy_update(school=s.school, actor=s.admin, **values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"student": QuietRules(start=dt.time(23, 0))}, "student_quiet_start"),
        ({"parent": QuietRules(start=dt.time(16, 0))}, "parent_quiet_start"),
        ({"student": QuietRules(end=dt.time(5, 0))}, "student_quiet_end"),
        ({"parent": QuietRules(end=dt.time(10, 0))}, "parent_quiet_end"),
        ({"staff": QuietRules(start=dt.time(7, 0), end=dt.time(19, 0))}, "staff_quiet_start"),
        ({"digest_time": dt.time(20, 0)}, "digest_time"),
        ({"push_budget": 51}, "push_budget"),
        ({"urgent_roles": ["student"]}, "urgent_roles"),
    ],
)
def test_policy_limits(scenario: Scenario, changes: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationFailed) as excinfo:
        update(scenario, **changes)
    assert field in excinfo.value.fields


def test_policy_update_is_used_at_once(scenario: Scenario) -> None:
    assert selectors.policy_for(school=scenario.school).urgent_roles == frozenset({"admin"})  # cached now
    update(scenario, urgent_roles=["admin", "teacher"], push_budget=3, parent=QuietRules(start=dt.time(21, 0)))
    policy = selectors.policy_for(school=scenario.school)
    assert policy.urgent_roles == frozenset({"admin", "teacher"})
    assert (policy.push_budget, policy.parent.start) == (3, dt.time(21, 0))
    assert selectors.policy_row(school=scenario.school).updated_by == scenario.admin  # type: ignore[union-attr]
    assert selectors.may_send_urgent(school=scenario.school, user=scenario.teacher)


def test_reading_and_marking_items(scenario: Scenario, django_assert_num_queries: object) -> None:
    student, other = scenario.students[0], scenario.students[1]
    with time_machine.travel(TUESDAY, tick=False):
        for n in range(3):
            notify(
                school=scenario.school,
                kind=KIND,
                key=f"k:{n}",
                targets=[Target(user_id=student.pk, audience="student")],
                params={"subject": f"S{n}"},
                url="/",
            )
    with time_machine.travel(TUESDAY + dt.timedelta(hours=1), tick=False):
        with django_assert_num_queries(1):  # type: ignore[operator]
            assert selectors.unread_count(user=student, school=scenario.school) == 3
        with django_assert_num_queries(2), translation.override("nl"):  # type: ignore[operator]
            page = selectors.notifications_for(user=student, school=scenario.school)
        first = page.object_list[0]
        assert first.title == "Leerling: S2"
        assert (
            selectors.notification_item(school=scenario.school, user=student, notification_id=first.id).id == first.id
        )
        with pytest.raises(NotFound):
            selectors.notification_item(school=scenario.school, user=other, notification_id=first.id)
        with pytest.raises(NotFound):
            services.notification_mark_read(school=scenario.school, user=other, notification_id=first.id)
        services.notification_mark_read(school=scenario.school, user=student, notification_id=first.id)
        assert selectors.unread_count(user=student, school=scenario.school) == 2
        assert len(selectors.notifications_for(user=student, school=scenario.school, unread_only=True).object_list) == 2
        assert services.notifications_mark_all_read(school=scenario.school, user=student) == 2
        assert selectors.unread_count(user=student, school=scenario.school) == 0


def test_items_of_another_school_stay_there(scenario: Scenario, other_school: Scenario) -> None:
    with time_machine.travel(TUESDAY, tick=False):
        notify(
            school=scenario.school,
            kind=KIND,
            key="k",
            targets=[Target(user_id=scenario.student.pk, audience="student")],
            params={"subject": "S"},
            url="/",
        )
        assert selectors.unread_count(user=scenario.student, school=other_school.school) == 0
        item = selectors.notifications_for(user=scenario.student, school=scenario.school).object_list[0]
        with pytest.raises(NotFound):
            services.notification_mark_read(school=other_school.school, user=scenario.student, notification_id=item.id)


def test_the_policy_is_changed_by_an_administrator_only_even_when_called_directly(scenario: Scenario) -> None:
    from krijt.core.errors import Forbidden
    from krijt.notifications.models import NotificationPolicy

    values: dict[str, object] = {"student": QuietRules(), "parent": QuietRules(), "staff": QuietRules(),
                                 "digest_time": dt.time(18, 0), "push_budget": 50, "urgent_roles": ["teacher"]}
    for actor in (scenario.teacher, scenario.staff, scenario.student, scenario.parent):
        with pytest.raises(Forbidden):
            services.policy_update(school=scenario.school, actor=actor, **values)  # type: ignore[arg-type]
    assert not NotificationPolicy.objects.filter(school=scenario.school, push_budget=50).exists()
