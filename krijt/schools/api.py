"""The school's structure as JSON: who I am here, my lessons, my classes and a class."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema

from krijt.accounts.models import User
from krijt.core import clock
from krijt.core.api import Caller, ClassRef, CourseRef, Day, PersonRef, TeacherRef, caller, ok
from krijt.core.roles import Role
from krijt.schools import selectors as school_selectors
from krijt.schools.calendar import year_containing
from krijt.schools.models import (
    ClassGroup,
    LessonPeriod,
    SchoolYear,
    TimetableSlot,
)
from krijt.schools.selectors import children_of

router: Router = Router(by_alias=True)

CLASS_VIEWERS = frozenset({Role.STUDENT, Role.TEACHER, Role.STAFF, Role.ADMIN})
TIMETABLE_ROLES = frozenset({Role.STUDENT, Role.TEACHER})

RoleName = Literal["student", "teacher", "staff", "admin", "parent"]


# ---------------------------------------------------------------- shapes


class SchoolOut(Schema):
    slug: str
    name: str
    time_zone: str


class UserOut(PersonRef):
    language: str


class ChildOut(Schema):
    id: int
    first_name: str
    last_name: str
    full_name: str
    school_slug: str
    school_name: str
    class_name: str | None


class MeOut(Schema):
    user: UserOut
    roles: list[RoleName]
    school: SchoolOut
    children: list[ChildOut]


class LessonOut(Schema):
    id: int
    period: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    course: CourseRef
    class_: ClassRef = Field(..., alias="class")
    teacher: TeacherRef | None
    room: str


class DayOut(Schema):
    date: dt.date
    school_day: bool
    closure: str | None = Field(None, description="The holiday or closure day, when the school is closed.")
    lessons: list[LessonOut]


class WeekOut(Schema):
    week_start: dt.date
    days: list[DayOut]


class SchoolYearRef(Schema):
    id: int
    name: str


class ClassOut(Schema):
    id: int
    name: str
    grade: int
    school_year: SchoolYearRef
    mentor: TeacherRef | None


class MyClassOut(ClassOut):
    relation: Literal["teacher", "mentor", "student"]


class ClassDetailOut(ClassOut):
    students: list[PersonRef] | None = Field(
        None, description="The class's students; only for teachers, staff and administrators."
    )


# ---------------------------------------------------------------- building the output


def _person_ref(user: User) -> dict[str, Any]:
    return {"id": user.pk, "username": user.username, "first_name": user.first_name, "last_name": user.last_name,
            "full_name": user.full_name or user.username}


def _teacher_ref(user: User | None) -> dict[str, Any] | None:
    return None if user is None else {"id": user.pk, "full_name": user.full_name or user.username}


def _class_out(group: ClassGroup, year: SchoolYear) -> dict[str, Any]:
    return {"id": group.pk, "name": group.name, "grade": group.grade,
            "school_year": {"id": year.pk, "name": year.name}, "mentor": _teacher_ref(group.mentor)}


def _course_ref(slot: TimetableSlot) -> dict[str, Any]:
    course = slot.course
    return {"id": course.pk, "name": course.name, "code": course.code}


def _lesson(slot: TimetableSlot, day: dt.date, tz: str) -> dict[str, Any]:
    period = slot.lesson_period
    group = slot.course.class_group
    return {
        "id": slot.pk,
        "period": period.number,
        "starts_at": clock.aware(day, period.starts_at, tz),
        "ends_at": clock.aware(day, period.ends_at, tz),
        "course": _course_ref(slot),
        "class": {"id": group.pk, "name": group.name},
        "teacher": _teacher_ref(slot.course.teacher),
        "room": slot.room,
    }


def _slot(slot: TimetableSlot) -> dict[str, Any]:
    period = slot.lesson_period
    group = slot.course.class_group
    return {
        "id": slot.pk,
        "weekday": slot.weekday,
        "period": period.number,
        "starts_at": period.starts_at,
        "ends_at": period.ends_at,
        "course": _course_ref(slot),
        "class": {"id": group.pk, "name": group.name},
        "teacher": _teacher_ref(slot.course.teacher),
        "room": slot.room,
    }


def _lesson_period(period: LessonPeriod) -> dict[str, Any]:
    return {"number": period.number, "starts_at": period.starts_at, "ends_at": period.ends_at}


def _timetable_days(c: Caller, days: list[dt.date]) -> list[dict[str, Any]]:
    """The caller's lessons on each day, with the calendar asked once and one timetable query per role."""
    school = c.school
    calendar = school_selectors.school_calendar(school=school)
    open_days = [d for d in days if calendar.is_school_day(d)]
    years: list[SchoolYear] = []
    if open_days:
        first = school_selectors.school_year_on(school=school, day=open_days[0])
        if first is not None:
            years.append(first)
        if first is None or open_days[-1] > first.ends_on:
            last = school_selectors.school_year_on(school=school, day=open_days[-1])
            if last is not None and last not in years:
                years.append(last)
    slots: dict[int, list[TimetableSlot]] = {}
    for year in years:
        found: dict[int, TimetableSlot] = {}
        if Role.STUDENT in c.roles:
            enrollment = school_selectors.enrollment_of(school=school, student=c.user, school_year=year)
            if enrollment is not None:
                for slot in school_selectors.week_timetable(school=school, school_year=year,
                                                            class_group=enrollment.class_group):
                    found[slot.pk] = slot
        if Role.TEACHER in c.roles:
            for slot in school_selectors.week_timetable(school=school, school_year=year, teacher=c.user):
                found[slot.pk] = slot
        slots[year.pk] = sorted(found.values(), key=lambda s: (s.weekday, s.lesson_period.number, s.pk))
    result = []
    for day in days:
        lessons: list[dict[str, Any]] = []
        if day in open_days:
            year_of_day = year_containing(years, day)
            if year_of_day is not None:
                lessons = [_lesson(s, day, school.time_zone) for s in slots[year_of_day.pk]
                           if s.weekday == day.isoweekday()]
        result.append({"date": day, "school_day": day in open_days, "closure": calendar.closure_on(day),
                       "lessons": lessons})
    return result


# ---------------------------------------------------------------- me


@router.get("/me", response=ok(MeOut, 403), summary="Who I am in this school", tags=["me"])
def me(request: HttpRequest) -> dict[str, Any]:
    c = caller(request)
    user = c.user
    children = []
    if Role.PARENT in c.roles:
        children = [
            {**_person_ref(child.student), "school_slug": child.school.slug, "school_name": child.school.name,
             "class_name": child.class_name}
            for child in children_of(parent=user)
        ]
    return {
        "user": {**_person_ref(user), "language": user.language},
        "roles": sorted(c.roles),
        "school": {"slug": c.school.slug, "name": c.school.name, "time_zone": c.school.time_zone},
        "children": children,
    }


@router.get("/me/timetable", response=ok(DayOut, 400, 403), summary="My lessons on a day", tags=["me"])
def my_timetable(request: HttpRequest, date: Day | None = None) -> dict[str, Any]:
    """A student's or teacher's lessons on `date` (default: today in the school's time zone)."""
    c = caller(request, TIMETABLE_ROLES)
    day = date or clock.local_today(c.school.time_zone)
    return _timetable_days(c, [day])[0]


@router.get("/me/timetable/week", response=ok(WeekOut, 400, 403), summary="My lessons in a week", tags=["me"])
def my_week(request: HttpRequest, date: Day | None = None) -> dict[str, Any]:
    """The week (Monday to Sunday) that contains `date` (default: today in the school's time zone)."""
    c = caller(request, TIMETABLE_ROLES)
    day = date or clock.local_today(c.school.time_zone)
    monday = day - dt.timedelta(days=day.isoweekday() - 1)
    return {"week_start": monday, "days": _timetable_days(c, [monday + dt.timedelta(days=i) for i in range(7)])}


@router.get("/me/classes", response=ok(list[MyClassOut], 403), summary="My classes this school year", tags=["me"])
def my_classes(request: HttpRequest) -> list[dict[str, Any]]:
    c = caller(request, TIMETABLE_ROLES)
    year = school_selectors.current_school_year(school=c.school)
    if year is None:
        return []
    result = []
    if Role.TEACHER in c.roles:
        for group in school_selectors.classes_for_teacher(school=c.school, teacher=c.user, school_year=year):
            relation = "mentor" if group.mentor_id == c.user.pk else "teacher"
            result.append({**_class_out(group, year), "relation": relation})
    if Role.STUDENT in c.roles:
        enrollment = school_selectors.enrollment_of(school=c.school, student=c.user, school_year=year)
        if enrollment is not None:
            result.append({**_class_out(enrollment.class_group, year), "relation": "student"})
    return result


# ---------------------------------------------------------------- classes


@router.get("/classes/{class_id}", response=ok(ClassDetailOut, 403), summary="A class", tags=["classes"])
def class_detail(request: HttpRequest, class_id: int) -> dict[str, Any]:
    """A class you belong to, teach or mentor (staff and administrators: any); its students for staff."""
    c = caller(request, CLASS_VIEWERS)
    group = school_selectors.class_for_user(school=c.school, user=c.user, roles=c.roles, class_id=class_id)
    data = _class_out(group, group.school_year)
    if c.roles & {Role.TEACHER, Role.STAFF, Role.ADMIN}:
        data["students"] = [_person_ref(s)
                            for s in school_selectors.students_of_class(school=c.school, class_group=group)]
    return data


