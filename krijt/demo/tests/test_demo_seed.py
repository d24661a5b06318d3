"""demo_seed on the real database: the expected school, a clash-free timetable, idempotence, sign-in."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, Sum
from django.test import Client

from krijt.accounts.models import Membership, ParentLink, User
from krijt.core.roles import Role
from krijt.demo.selectors import demo_accounts, school_counts
from krijt.demo.services import DEMO_PASSWORD, DEMO_SLUG
from krijt.schools.models import (
    CalendarEntry,
    ClassGroup,
    Course,
    Enrollment,
    LessonPeriod,
    Period,
    School,
    SchoolYear,
    TimetableSlot,
)
from krijt.schools.selectors import school_calendar

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

MODELS = (School, SchoolYear, Period, CalendarEntry, LessonPeriod, User, Membership, ParentLink, ClassGroup,
          Enrollment, Course, TimetableSlot)


def seed(*args: str) -> str:
    out = StringIO()
    call_command("demo_seed", "--year", "2026", "--no-activity", *args, stdout=out)
    return out.getvalue()


def snapshot() -> dict[str, object]:
    return {m.__name__: (m.objects.count(), sorted(m.objects.values_list("pk", flat=True))[-1:]) for m in MODELS}


def test_demo_seed_builds_the_school_with_the_expected_counts() -> None:
    output = seed()
    school = School.objects.get(slug=DEMO_SLUG)
    assert school.name == "Sint-Lutgardiscollege"
    counts = school_counts(school=school)
    assert {k: counts[k] for k in ("students", "teachers", "staff", "admins", "parents", "classes")} == {
        "students": 600, "teachers": 60, "staff": 3, "admins": 2, "parents": 900, "classes": 24}
    assert counts["calendar_entries"] == 10
    assert 50 < counts["parents_of_several"] < 200
    assert User.objects.filter(memberships__school=school).count() == 665
    assert "600 students, 60 teachers, 900 parents" in output
    assert f"password: {DEMO_PASSWORD}" in output
    year = SchoolYear.objects.get(school=school)
    assert (year.name, year.starts_on, year.ends_on) == ("2026-2027", dt.date(2026, 8, 31), dt.date(2027, 7, 2))
    assert list(Period.objects.filter(school=school).values_list("name", flat=True)) == [
        "Trimester 1", "Trimester 2", "Trimester 3"]
    assert LessonPeriod.objects.filter(school=school).count() == 8
    first = LessonPeriod.objects.get(school=school, number=1)
    assert (first.starts_at, first.ends_at) == (dt.time(8, 25), dt.time(9, 15))
    calendar = school_calendar(school=school)
    assert calendar.is_school_day(dt.date(2026, 8, 31))
    assert not calendar.is_school_day(dt.date(2026, 11, 2))  # herfstvakantie
    assert not calendar.is_school_day(dt.date(2026, 11, 18))  # pedagogical study day
    assert CalendarEntry.objects.get(school=school, kind=CalendarEntry.Kind.CLOSURE).name == "Pedagogische studiedag"
    # Every student in exactly one class; every class with a mentor who teaches it.
    assert Enrollment.objects.filter(school=school).count() == 600
    for group in ClassGroup.objects.filter(school=school).select_related("mentor"):
        assert group.mentor is not None
        assert Course.objects.filter(school=school, class_group=group, teacher=group.mentor).exists()
    # At most two parent accounts per student.
    assert not ParentLink.objects.filter(school=school).values("student").annotate(n=Count("id")).filter(n__gt=2)
    # Some sixth-years are adults.
    sixth = User.objects.filter(enrollments__class_group__grade=6, enrollments__school=school)
    assert sum(1 for s in sixth if s.is_adult_on(year.starts_on)) >= 1


def test_no_teacher_is_double_booked_and_every_class_has_a_full_week() -> None:
    seed()
    school = School.objects.get(slug=DEMO_SLUG)
    clashes = (
        TimetableSlot.objects.filter(school=school)
        .values("course__teacher", "weekday", "lesson_period")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert not clashes.exists()
    class_clashes = (
        TimetableSlot.objects.filter(school=school)
        .values("course__class_group", "weekday", "lesson_period")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert not class_clashes.exists()
    for group in ClassGroup.objects.filter(school=school):
        hours = Course.objects.filter(school=school, class_group=group).aggregate(h=Sum("hours_per_week"))["h"]
        slots = TimetableSlot.objects.filter(school=school, course__class_group=group)
        assert 32 <= hours <= 34
        assert slots.count() == hours
        assert not slots.filter(weekday=3, lesson_period__number__gt=4).exists()  # Wednesday afternoon free
        for weekday in (1, 2, 4, 5):
            numbers = sorted(slots.filter(weekday=weekday).values_list("lesson_period__number", flat=True))
            assert numbers[:7] == [1, 2, 3, 4, 5, 6, 7]
    for course in Course.objects.filter(school=school).annotate(n=Count("slots")):
        assert course.n == course.hours_per_week


def test_a_second_run_without_reset_changes_nothing() -> None:
    seed()
    before = snapshot()
    output = seed()
    assert "nothing changed" in output
    assert snapshot() == before


def test_reset_rebuilds_the_same_school() -> None:
    seed()
    usernames = set(User.objects.filter(memberships__school__slug=DEMO_SLUG).values_list("username", flat=True))
    old_school = School.objects.get(slug=DEMO_SLUG).pk
    output = seed("--reset")
    assert "Removed the demo school and 1565 accounts." in output
    school = School.objects.get(slug=DEMO_SLUG)
    assert school.pk != old_school
    assert set(User.objects.filter(memberships__school=school).values_list("username", flat=True)) == usernames
    assert User.objects.count() == 1565


def test_reset_leaves_other_schools_alone(scenario: object) -> None:
    seed()
    others = User.objects.exclude(memberships__school__slug=DEMO_SLUG).exclude(
        children_links__school__slug=DEMO_SLUG).count()
    seed("--reset")
    assert School.objects.filter(slug="alpha").exists()
    assert User.objects.count() == others + 1565


def test_the_demo_accounts_sign_in_with_the_demo_password(client: Client) -> None:
    seed()
    school = School.objects.get(slug=DEMO_SLUG)
    accounts = demo_accounts(school=school)
    assert accounts is not None
    assert Membership.objects.filter(school=school, user=accounts.student, role=Role.STUDENT).exists()
    assert Membership.objects.filter(school=school, user=accounts.teacher, role=Role.TEACHER).exists()
    assert Membership.objects.filter(school=school, user=accounts.admin, role=Role.ADMIN).exists()
    assert ParentLink.objects.filter(school=school, parent=accounts.parent, student=accounts.student).exists()
    assert ParentLink.objects.filter(school=school, parent=accounts.parent).count() == 2
    assert accounts.student.birth_date
    assert not accounts.student.is_adult_on(dt.date(2027, 7, 2))
    response = client.post(f"/s/{DEMO_SLUG}/accounts/sign-in/",
                           {"username": accounts.student.username, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert client.get(f"/s/{DEMO_SLUG}/").status_code == 200
    # The same people every time.
    assert demo_accounts(school=school) == accounts


def test_the_build_works_where_bulk_inserts_return_no_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    """Older SQLite cannot return ids from a bulk insert; the build then looks them up."""
    from django.db import connection

    from krijt.demo.generator import SchoolSpec, plan_school
    from krijt.demo.services import demo_password_hash, demo_school_create

    monkeypatch.setattr(connection.features, "can_return_rows_from_bulk_insert", False)
    plan = plan_school(SchoolSpec(slug="small", name="Klein College", start_year=2026, students=150, parents=220,
                                  classes_per_grade=1))
    school = demo_school_create(plan=plan, password_hash=demo_password_hash())
    counts = school_counts(school=school)
    assert (counts["students"], counts["parents"], counts["classes"]) == (150, 220, 6)
    assert counts["lessons"] == len(plan.slots)
    assert ClassGroup.objects.filter(school=school, mentor__isnull=True).count() == 0
    assert Enrollment.objects.filter(school=school).count() == 150


def test_reset_removes_a_school_whose_term_has_results() -> None:
    """Evaluations hold on to their period; a reset removes them first instead of failing."""
    from decimal import Decimal

    from krijt.results.models import Evaluation

    seed()
    school = School.objects.get(slug=DEMO_SLUG)
    course = Course.objects.filter(school=school).select_related("teacher").first()
    assert course is not None
    period = Period.objects.filter(school=school).first()
    assert period is not None
    Evaluation.objects.create(school=school, school_year_id=course.school_year_id, course=course, period=period,
                              name="Toets", date=period.starts_on, maximum=Decimal(20), created_by=course.teacher)
    output = seed("--reset")
    assert "Removed the demo school" in output
    assert not Evaluation.objects.filter(school=school).exists()
    assert School.objects.get(slug=DEMO_SLUG).pk != school.pk
