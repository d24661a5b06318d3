"""Shared test scenario: a school with a year, classes, teachers, students, parents and a timetable.

Used by every domain's tests (and the browser tests) so that they all speak of the same school.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password

from krijt.accounts.models import Membership, ParentLink, User
from krijt.core.roles import Role
from krijt.demo.generator import LESSON_TIMES as DEMO_LESSON_TIMES
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

TEST_PASSWORD = "correct horse battery"


@functools.cache
def test_password_hash() -> str:
    """Hash once per process: tests create many users and each Argon2 hash costs tens of milliseconds."""
    return make_password(TEST_PASSWORD)


@dataclass
class Scenario:
    school: School
    year: SchoolYear
    periods: list[Period]
    classes: list[ClassGroup]
    teachers: list[User]
    students: list[User]
    parents: list[User]
    admin: User
    staff: User
    courses: list[Course]
    lesson_periods: list[LessonPeriod]
    students_by_class: dict[int, list[User]] = field(default_factory=dict)

    @property
    def student(self) -> User:
        return self.students[0]

    @property
    def teacher(self) -> User:
        return self.teachers[0]

    @property
    def parent(self) -> User:
        return self.parents[0]

    def user_for(self, role: str) -> User:
        return {
            Role.STUDENT: self.student,
            Role.TEACHER: self.teacher,
            Role.PARENT: self.parent,
            Role.ADMIN: self.admin,
            Role.STAFF: self.staff,
        }[Role(role)]

    def url(self, path: str = "/") -> str:
        return f"/s/{self.school.slug}{path}"


def make_user(username: str, first: str, last: str, **extra: Any) -> User:
    return User.objects.create(
        username=username, first_name=first, last_name=last, password=test_password_hash(), **extra
    )


# The demo school's day, one lesson shorter: enough for two courses per class.
LESSON_TIMES = DEMO_LESSON_TIMES[:7]


def build_school(
    slug: str = "alpha",
    name: str | None = None,
    *,
    classes: int = 2,
    students_per_class: int = 3,
    teachers: int = 2,
    year_start: dt.date = dt.date(2026, 9, 1),
    year_end: dt.date = dt.date(2027, 6, 30),
) -> Scenario:
    """A small but complete school. Every person's password is TEST_PASSWORD."""
    school = School.objects.create(slug=slug, name=name or f"Sint-{slug.capitalize()}college")
    year = SchoolYear.objects.create(
        school=school, name=f"{year_start.year}-{year_end.year}", starts_on=year_start, ends_on=year_end
    )
    periods = [
        Period.objects.create(
            school=school,
            school_year=year,
            name="Trimester 1",
            starts_on=year_start,
            ends_on=dt.date(year_start.year, 12, 22),
        ),
        Period.objects.create(
            school=school,
            school_year=year,
            name="Trimester 2",
            starts_on=dt.date(year_end.year, 1, 5),
            ends_on=dt.date(year_end.year, 3, 31),
        ),
        Period.objects.create(
            school=school,
            school_year=year,
            name="Trimester 3",
            starts_on=dt.date(year_end.year, 4, 1),
            ends_on=year_end,
        ),
    ]
    CalendarEntry.objects.create(
        school=school,
        school_year=year,
        name="Kerstvakantie",
        starts_on=dt.date(year_start.year, 12, 21),
        ends_on=dt.date(year_end.year, 1, 3),
    )
    lesson_periods = [
        LessonPeriod.objects.create(school=school, number=i + 1, starts_at=s, ends_at=e)
        for i, (s, e) in enumerate(LESSON_TIMES)
    ]
    admin = make_user(f"{slug}.admin", "Ann", "Admin", email=f"admin@{slug}.example")
    staff = make_user(f"{slug}.staff", "Stan", "Staff")
    Membership.objects.create(school=school, user=admin, role=Role.ADMIN)
    Membership.objects.create(school=school, user=staff, role=Role.STAFF)
    teacher_users = []
    for t in range(teachers):
        user = make_user(f"{slug}.teacher{t + 1}", f"Tess{t + 1}", "Teacher", email=f"teacher{t + 1}@{slug}.example")
        Membership.objects.create(school=school, user=user, role=Role.TEACHER)
        teacher_users.append(user)
    class_groups, courses, students, parents = [], [], [], []
    by_class: dict[int, list[User]] = {}
    for c in range(classes):
        group = ClassGroup.objects.create(
            school=school, school_year=year, name=f"{c + 1}A", grade=c + 1, mentor=teacher_users[c % len(teacher_users)]
        )
        class_groups.append(group)
        math = Course.objects.create(
            school=school,
            school_year=year,
            class_group=group,
            name="Wiskunde",
            code="WIS",
            teacher=teacher_users[0],
            hours_per_week=4,
        )
        dutch = Course.objects.create(
            school=school,
            school_year=year,
            class_group=group,
            name="Nederlands",
            code="NED",
            teacher=teacher_users[-1],
            hours_per_week=4,
        )
        courses += [math, dutch]
        for weekday in range(1, 6):
            TimetableSlot.objects.create(
                school=school,
                school_year=year,
                course=math,
                weekday=weekday,
                lesson_period=lesson_periods[c],
                room=f"B{c + 1}0{weekday}",
            )
            TimetableSlot.objects.create(
                school=school,
                school_year=year,
                course=dutch,
                weekday=weekday,
                lesson_period=lesson_periods[c + 2],
                room=f"A{c + 1}0{weekday}",
            )
        by_class[group.pk] = []
        for s in range(students_per_class):
            n = c * students_per_class + s + 1
            student = make_user(f"{slug}.student{n}", f"Stu{n}", "Student", birth_date=dt.date(2012, 3, n % 28 + 1))
            Membership.objects.create(school=school, user=student, role=Role.STUDENT)
            Enrollment.objects.create(school=school, school_year=year, class_group=group, student=student)
            parent = make_user(f"{slug}.parent{n}", f"Pa{n}", "Parent", email=f"parent{n}@{slug}.example")
            ParentLink.objects.create(school=school, parent=parent, student=student)
            students.append(student)
            parents.append(parent)
            by_class[group.pk].append(student)
    return Scenario(
        school=school,
        year=year,
        periods=periods,
        classes=class_groups,
        teachers=teacher_users,
        students=students,
        parents=parents,
        admin=admin,
        staff=staff,
        courses=courses,
        lesson_periods=lesson_periods,
        students_by_class=by_class,
    )


def english_client() -> Any:
    """A test client reading English, so assertions on text do not depend on the default language."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def clear_cache() -> None:
    """Empties this test run's cache keys only; cache.clear() would flush a Redis database shared by others."""
    from django.conf import settings
    from django.core.cache import cache

    backend = cache._cache if hasattr(cache, "_cache") else None  # type: ignore[attr-defined]
    if backend is None or not hasattr(backend, "get_client"):
        cache.clear()
        return
    client = backend.get_client(write=True)
    prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
    keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
    if keys:
        client.delete(*keys)


def count_queries(run: Any) -> int:
    """How many queries `run()` makes."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        run()
    return len(captured.captured_queries)


def assert_fixed_queries(few: Any, many: Any) -> int:
    """A write path's query budget does not grow with a class's size: `few()` and `many()` (the same
    action on a small and a large class, each set up by the caller) make the same number of queries."""
    small, large = count_queries(few), count_queries(many)
    assert small == large, f"{small} queries for the small class, {large} for the large one"
    return small
