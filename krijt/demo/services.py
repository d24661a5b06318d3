"""Writes a planned school (krijt.demo.generator) to the database in bulk, and removes it again."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any, TypeVar

from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from django.db.models import Q

from krijt.accounts.models import Membership, ParentLink, User
from krijt.care.models import CareTeamMember
from krijt.core import parts
from krijt.demo.generator import LESSON_TIMES, SchoolPlan
from krijt.results.models import Evaluation
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
from krijt.schools.parts import family_scope
from krijt.schools.selectors import forget_school

DEMO_SLUG = "demo"
DEMO_NAME = "Sint-Lutgardiscollege"
DEMO_ACCENT = "#7a1f5c"  # the college's burgundy: the shell takes a school's own colour
DEMO_PASSWORD = "krijt-demo"  # noqa: S105 - published on purpose: every demo account shares it
BATCH_SIZE = 1000

M = TypeVar("M", bound=models.Model)


@functools.cache
def demo_password_hash() -> str:
    """The demo password hashed once, and that one encoded hash stored for every demo account.

    One Argon2 hash costs tens of milliseconds by design; 1,500 of them would make the demo take a
    minute to build, and 30,000 would make the benchmark seed take a quarter of an hour. Sharing the
    salt is harmless here: every demo account has the same, published password anyway. Real
    accounts are never made this way.
    """
    return make_password(DEMO_PASSWORD)


def _bulk(model: type[M], rows: Sequence[M]) -> list[M]:
    created = model._default_manager.bulk_create(rows, batch_size=BATCH_SIZE)
    return list(created)


def _fill_missing_pks(rows: Sequence[M], lookup: dict[tuple[Any, ...], Any], key: str) -> None:
    """Databases that cannot return ids from a bulk insert (SQLite before 3.35): look them up."""
    for row in rows:
        if row.pk is None:
            row.pk = lookup[tuple(getattr(row, part) for part in key.split(","))]


@transaction.atomic
def demo_school_create(*, plan: SchoolPlan, password_hash: str) -> School:
    """One school, with its year, calendar, people, classes, courses and timetable, in a few bulk inserts."""
    spec, year_plan = plan.spec, plan.year
    school = School.objects.create(slug=spec.slug, name=spec.name, school_weekdays=[1, 2, 3, 4, 5],
                                   accent_color=DEMO_ACCENT if spec.slug == DEMO_SLUG else "")
    year = SchoolYear.objects.create(school=school, name=year_plan.name, starts_on=year_plan.starts_on,
                                     ends_on=year_plan.ends_on)
    _bulk(Period, [Period(school=school, school_year=year, name=t.name, starts_on=t.starts_on, ends_on=t.ends_on)
                   for t in year_plan.terms])
    _bulk(CalendarEntry, [CalendarEntry(school=school, school_year=year, kind=d.kind, name=d.name,
                                        starts_on=d.starts_on, ends_on=d.ends_on) for d in year_plan.days_off])
    periods = _bulk(LessonPeriod, [LessonPeriod(school=school, number=n, starts_at=s, ends_at=e)
                                   for n, (s, e) in enumerate(LESSON_TIMES, start=1)])
    if any(p.pk is None for p in periods):
        periods = list(LessonPeriod.objects.filter(school=school).order_by("number"))
    period_by_number = {p.number: p for p in periods}

    users = _bulk(User, [User(username=p.username, first_name=p.first_name, last_name=p.last_name, email=p.email,
                              birth_date=p.birth_date, language="nl", password=password_hash)
                         for p in plan.people])
    if any(u.pk is None for u in users):
        ids = dict(User.objects.filter(username__in=[u.username for u in users]).values_list("username", "pk"))
        for user in users:
            user.pk = ids[user.username]
    _bulk(Membership, [Membership(school=school, user=users[i], role=p.role)
                       for i, p in enumerate(plan.people) if p.role != "parent"])
    care_functions = {"Zorgcoördinator": CareTeamMember.Function.COORDINATOR,
                      "Leerlingenbegeleider": CareTeamMember.Function.COUNSELLOR}
    _bulk(CareTeamMember, [CareTeamMember(school=school, user=users[i], function=care_functions[p.title])
                           for i, p in enumerate(plan.people) if p.title in care_functions])

    groups = _bulk(ClassGroup, [
        ClassGroup(school=school, school_year=year, name=c.name, grade=c.grade,
                   mentor=users[c.mentor] if c.mentor is not None else None)
        for c in plan.classes
    ])
    if any(g.pk is None for g in groups):
        saved = ClassGroup.objects.filter(school=school, school_year=year)
        _fill_missing_pks(groups, {(g.name,): g.pk for g in saved}, "name")
    _bulk(Enrollment, [Enrollment(school=school, school_year=year, class_group=groups[ci], student=users[s])
                       for ci, c in enumerate(plan.classes) for s in c.students])
    courses = _bulk(Course, [
        Course(school=school, school_year=year, class_group=groups[c.class_index], name=c.name, code=c.code,
               teacher=users[c.teacher], hours_per_week=c.hours)
        for c in plan.courses
    ])
    if any(c.pk is None for c in courses):
        saved_courses = Course.objects.filter(school=school, school_year=year)
        _fill_missing_pks(courses, {(c.class_group_id, c.name): c.pk for c in saved_courses}, "class_group_id,name")
    _bulk(TimetableSlot, [
        TimetableSlot(school=school, school_year=year, course=courses[s.course], weekday=s.weekday,
                      lesson_period=period_by_number[s.period], room=s.room)
        for s in plan.slots
    ])
    _bulk(ParentLink, [ParentLink(school=school, parent=users[p], student=users[s]) for p, s in plan.parent_links])
    forget_school(school.slug)
    # Bulk inserts send no signals: the school's epoch and its parents' families start afresh here.
    parts.bump(parts.epoch_scope(school.pk), *(family_scope(users[p].pk) for p, _s in plan.parent_links))
    return school


@transaction.atomic
def demo_school_delete(*, slug: str) -> int:
    """Removes a generated school and the accounts that belong to it alone; returns how many accounts."""
    school = School.objects.filter(slug=slug).first()
    if school is None:
        return 0
    own = Q(pk__in=Membership.objects.filter(school=school).values("user_id")) | Q(
        pk__in=ParentLink.objects.filter(school=school).values("parent_id"))
    elsewhere = Q(pk__in=Membership.objects.exclude(school=school).values("user_id")) | Q(
        pk__in=ParentLink.objects.exclude(school=school).values("parent_id"))
    accounts = User.objects.filter(own).exclude(elsewhere)
    removed = accounts.count()
    accounts.delete()
    # Evaluations hold on to their period (a school's real results are never deleted by removing a term).
    Evaluation.objects.filter(school=school).delete()
    school.delete()
    forget_school(slug)
    return removed
