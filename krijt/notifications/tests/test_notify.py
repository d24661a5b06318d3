"""notify() and delivery_preview() on the scenario school: rows, moments, urgency, idempotency, query counts."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from krijt.accounts.models import Membership, User
from krijt.core.errors import Forbidden, ValidationFailed
from krijt.core.roles import Role
from krijt.notifications import selectors, services
from krijt.notifications.models import Delivery, Notification, UrgentLog
from krijt.notifications.policy import QuietRules
from krijt.notifications.services import Target, delivery_preview, notify
from krijt.notifications.tests.conftest import KIND
from krijt.schools.models import CalendarEntry
from krijt.schools.selectors import school_calendar
from tests.scenario import Scenario, make_user

TZ = ZoneInfo("Europe/Brussels")
FRIDAY_NIGHT = dt.datetime(2026, 10, 2, 21, 0, tzinfo=TZ)
MONDAY_MORNING = dt.datetime(2026, 10, 5, 7, 0, tzinfo=TZ)
TUESDAY_MORNING = dt.datetime(2026, 10, 6, 10, 0, tzinfo=TZ)


def students(s: Scenario) -> list[Target]:
    return [Target(user_id=u.pk, audience="student") for u in s.students]


def parents(s: Scenario) -> list[Target]:
    return [
        Target(user_id=p.pk, audience="parent", about_student_id=c.pk)
        for p, c in zip(s.parents, s.students, strict=True)
    ]


def send(s: Scenario, targets: list[Target], key: str = "test:1", **kw: object) -> services.NotifyResult:
    return notify(
        school=s.school,
        kind=KIND,
        key=key,
        targets=targets,
        params={"subject": "Trip"},
        url="/messages/1/",
        **kw,  # type: ignore[arg-type]
    )


def test_friday_night_message_is_in_a_students_inbox_on_monday_07(scenario: Scenario) -> None:
    student = scenario.student
    with time_machine.travel(FRIDAY_NIGHT, tick=False):
        result = send(scenario, students(scenario))
        assert result.visible_at(student.pk) == MONDAY_MORNING
        assert result.summary == [(MONDAY_MORNING, 6)]
        assert selectors.unread_count(user=student, school=scenario.school) == 0
        assert selectors.notifications_for(user=student, school=scenario.school).object_list == []
    with time_machine.travel(MONDAY_MORNING - dt.timedelta(seconds=1), tick=False):
        assert selectors.unread_count(user=student, school=scenario.school) == 0
    with time_machine.travel(MONDAY_MORNING, tick=False):
        assert selectors.unread_count(user=student, school=scenario.school) == 1
        with translation.override("nl"):  # titles are rendered in the reader's language
            page = selectors.notifications_for(user=student, school=scenario.school)
            assert [item.title for item in page.object_list] == ["Leerling: Trip"]
    # Students have no e-mail address in the scenario: the e-mail row is skipped, visibly, with the reason.
    email = Delivery.objects.get(recipient=student, channel="email")
    assert (email.state, email.last_error) == ("skipped", "no e-mail address")
    push = Delivery.objects.get(recipient=student, channel="push")
    assert (push.state, push.due_at) == ("pending", MONDAY_MORNING)


def test_staff_see_it_at_once_but_email_waits_for_staff_hours(scenario: Scenario) -> None:
    teacher = scenario.teacher
    with time_machine.travel(FRIDAY_NIGHT, tick=False):
        result = send(scenario, [Target(user_id=teacher.pk, audience="staff")])
        assert result.visible_at(teacher.pk) == FRIDAY_NIGHT
        assert result.summary == [(FRIDAY_NIGHT, 1)]
        assert selectors.unread_count(user=teacher, school=scenario.school) == 1
    email = Delivery.objects.get(recipient=teacher, channel="email")
    assert (email.state, email.due_at, email.digest) == ("pending", MONDAY_MORNING, False)


def test_staff_quiet_hours_from_the_school_policy(scenario: Scenario) -> None:
    services.policy_update(
        school=scenario.school,
        actor=scenario.admin,
        student=QuietRules(),
        parent=QuietRules(),
        staff=QuietRules(start=dt.time(18, 0), end=dt.time(8, 0)),
        digest_time=dt.time(18, 0),
        push_budget=5,
        urgent_roles=["admin"],
    )
    evening = dt.datetime(2026, 10, 6, 18, 30, tzinfo=TZ)
    with time_machine.travel(evening, tick=False):
        send(scenario, [Target(user_id=scenario.teacher.pk, audience="staff")])
    email = Delivery.objects.get(recipient=scenario.teacher, channel="email")
    assert email.due_at == dt.datetime(2026, 10, 7, 8, 0, tzinfo=TZ)


def test_holiday_week_waits_until_school_starts_again(scenario: Scenario) -> None:
    # The scenario's Christmas holiday runs 21 December to 3 January.
    with time_machine.travel(dt.datetime(2026, 12, 23, 10, 0, tzinfo=TZ), tick=False):
        result = send(scenario, parents(scenario)[:1] + students(scenario)[:1])
    first_day = dt.datetime(2027, 1, 4, 7, 0, tzinfo=TZ)
    assert result.summary == [(first_day, 2)]
    # An extra closure day that the school adds moves it one more day.
    CalendarEntry.objects.create(
        school=scenario.school,
        school_year=scenario.year,
        name="Pedagogische studiedag",
        starts_on=dt.date(2027, 1, 4),
        ends_on=dt.date(2027, 1, 4),
    )
    with time_machine.travel(dt.datetime(2026, 12, 23, 10, 0, tzinfo=TZ), tick=False):
        preview = delivery_preview(school=scenario.school, targets=students(scenario))
    assert preview == [(dt.datetime(2027, 1, 5, 7, 0, tzinfo=TZ), 6)]


def test_preview_shows_now_and_later_without_writing(scenario: Scenario) -> None:
    targets = students(scenario) + [Target(user_id=t.pk, audience="staff") for t in scenario.teachers]
    with time_machine.travel(FRIDAY_NIGHT, tick=False):
        preview = delivery_preview(school=scenario.school, targets=targets)
    assert preview == [(FRIDAY_NIGHT, 2), (MONDAY_MORNING, 6)]
    assert not Notification.objects.exists()
    scheduled = dt.datetime(2026, 10, 6, 9, 0, tzinfo=TZ)
    with time_machine.travel(FRIDAY_NIGHT, tick=False):
        assert delivery_preview(school=scenario.school, targets=targets, moment=scheduled) == [(scheduled, 8)]


def test_urgent_goes_at_once_needs_a_reason_and_a_role_and_is_logged(scenario: Scenario) -> None:
    sunday_night = dt.datetime(2026, 10, 4, 22, 0, tzinfo=TZ)
    everyone = students(scenario) + parents(scenario)
    with time_machine.travel(sunday_night, tick=False):
        with pytest.raises(Forbidden):
            send(scenario, everyone, urgent=True, actor=scenario.teacher, reason="School closed tomorrow")
        with pytest.raises(ValidationFailed) as excinfo:
            send(scenario, everyone, urgent=True, actor=scenario.admin, reason="  ")
        assert "reason" in excinfo.value.fields
        assert not Notification.objects.exists()
        assert selectors.may_send_urgent(school=scenario.school, user=scenario.admin)
        assert not selectors.may_send_urgent(school=scenario.school, user=scenario.teacher)
        result = send(scenario, everyone, urgent=True, actor=scenario.admin, reason="School closed tomorrow")
        assert result.summary == [(sunday_night, 12)]
        assert delivery_preview(school=scenario.school, targets=everyone, urgent=True) == [(sunday_night, 12)]
    log = UrgentLog.objects.get(school=scenario.school)
    assert (log.actor, log.key, log.reason, log.recipients) == (scenario.admin, "test:1", "School closed tomorrow", 12)
    # Urgent skips the parents' digest: their e-mails are due at once, on their own.
    parent_mail = Delivery.objects.get(recipient=scenario.parent, channel="email")
    assert (parent_mail.due_at, parent_mail.digest) == (sunday_night, False)
    assert Delivery.objects.filter(recipient=scenario.parent, channel="push", due_at=sunday_night).exists()


def test_parents_default_to_the_digest_without_pushes(scenario: Scenario) -> None:
    with time_machine.travel(TUESDAY_MORNING, tick=False):
        send(scenario, parents(scenario))
    rows = Delivery.objects.filter(recipient=scenario.parent)
    assert [(r.channel, r.digest, r.due_at) for r in rows] == [
        ("email", True, dt.datetime(2026, 10, 6, 18, 0, tzinfo=TZ))
    ]
    notification = Notification.objects.get(recipient=scenario.parent)
    assert notification.about_student == scenario.student
    assert notification.visible_at == TUESDAY_MORNING


def test_preferences_change_channels_and_digest(scenario: Scenario) -> None:
    parent = scenario.parent
    services.preference_update(user=parent, digest=False, digest_time=None, email=False, push=True)
    teacher = scenario.teacher
    services.preference_update(
        user=teacher, digest=True, digest_time=dt.time(16, 0), email=True, push=True, school=scenario.school
    )
    with pytest.raises(ValidationFailed):
        services.preference_update(
            user=teacher, digest=True, digest_time=dt.time(21, 0), email=True, push=True, school=scenario.school
        )
    with time_machine.travel(TUESDAY_MORNING, tick=False):
        send(scenario, [*parents(scenario)[:1], Target(user_id=teacher.pk, audience="staff")])
    assert list(Delivery.objects.filter(recipient=parent).values_list("channel", "digest")) == [("push", False)]
    assert list(Delivery.objects.filter(recipient=teacher).values_list("channel", "digest", "due_at")) == [
        ("email", True, dt.datetime(2026, 10, 6, 16, 0, tzinfo=TZ))
    ]
    assert selectors.preference_for(user=teacher, audience="staff").digest_time == dt.time(16, 0)


def test_notify_twice_creates_the_same_rows(scenario: Scenario) -> None:
    with time_machine.travel(FRIDAY_NIGHT, tick=False):
        first = send(scenario, students(scenario) + parents(scenario))
    rows = sorted(Delivery.objects.values_list("id", "idempotency_key", "due_at"))
    items = sorted(Notification.objects.values_list("id", "recipient_id", "visible_at"))
    with time_machine.travel(TUESDAY_MORNING, tick=False):
        again = send(scenario, students(scenario) + parents(scenario))
        # Chunks of any size: the same event in halves creates nothing either.
        send(scenario, students(scenario)[:2])
    assert first.created == 12
    assert again.created == 0
    assert again.visible == first.visible  # the stored moments, not new ones
    assert sorted(Delivery.objects.values_list("id", "idempotency_key", "due_at")) == rows
    assert sorted(Notification.objects.values_list("id", "recipient_id", "visible_at")) == items
    assert len({key for _id, key, _due in rows}) == len(rows)


def test_unknown_and_inactive_users_and_unknown_kinds(scenario: Scenario) -> None:
    gone = make_user("alpha.gone", "Gone", "User", is_active=False)
    with time_machine.travel(TUESDAY_MORNING, tick=False):
        result = send(
            scenario, [Target(user_id=gone.pk, audience="student"), Target(user_id=999999, audience="student")]
        )
        assert result.created == 0
        assert result.summary == []
        with pytest.raises(ValueError, match="no renderer"):
            notify(school=scenario.school, kind="nope", key="x", targets=[], params={}, url="/")
        with pytest.raises(ValueError, match="audience"):
            send(scenario, [Target(user_id=scenario.student.pk, audience="alumnus")])


def test_withdraw_takes_back_an_event(scenario: Scenario) -> None:
    with time_machine.travel(FRIDAY_NIGHT, tick=False):
        send(scenario, students(scenario))
        send(scenario, students(scenario), key="test:2")
        assert services.withdraw(school=scenario.school, key="test:1") == 6
    assert not Notification.objects.filter(key="test:1").exists()
    assert not Delivery.objects.filter(notification__key="test:1").exists()
    assert Notification.objects.filter(key="test:2").count() == 6


def test_notify_runs_a_fixed_number_of_queries(
    scenario: Scenario, django_assert_num_queries: object, django_assert_max_num_queries: object
) -> None:
    many: list[User] = []
    for n in range(500):
        many.append(User(username=f"alpha.bulk{n}", first_name="Bulk", last_name=str(n), email=f"b{n}@alpha.example"))
    User.objects.bulk_create(many)
    Membership.objects.bulk_create([Membership(school=scenario.school, user=u, role=Role.STUDENT) for u in many])
    big = [Target(user_id=u.pk, audience="student") for u in many]
    small = big[:5]
    selectors.policy_for(school=scenario.school)  # warm the caches, as on any busy day
    school_calendar(school=scenario.school)
    with time_machine.travel(TUESDAY_MORNING, tick=False):
        # policy and calendar (cached: none), per chunk: users, preferences, existing, insert, read back,
        # deliveries.
        with django_assert_num_queries(6 + 2):  # type: ignore[operator]
            send(scenario, small, key="small")
        with django_assert_num_queries(6 + 2):  # type: ignore[operator]
            result = send(scenario, big, key="big")
    assert result.created == 500
    assert Delivery.objects.filter(notification__key="big").count() == 1000
