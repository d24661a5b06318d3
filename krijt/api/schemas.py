"""The shapes the API speaks. Output schemas are plain data; input schemas validate their fields."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import field_validator

from krijt.core.api import ClassRef, CourseRef, Day, ErrorOut, PersonRef, TeacherRef

__all__ = ["ClassRef", "CourseRef", "Day", "ErrorOut", "PersonRef", "TeacherRef"]

RoleName = Literal["student", "teacher", "staff", "admin", "parent"]
MemberRole = Literal["student", "teacher", "staff", "admin"]


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


class AdminClassOut(ClassOut):
    student_count: int


class ClassIn(Schema):
    name: str = Field(..., min_length=1, max_length=40)
    grade: int = Field(..., ge=1, le=12)
    school_year_id: int | None = Field(None, description="Defaults to the current school year.")
    mentor_id: int | None = None

    @field_validator("name")
    @classmethod
    def _strip_name(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError(_("This field is required."))
        return value


class PersonOut(PersonRef):
    email: str
    roles: list[RoleName]


class PeopleOut(Schema):
    count: int
    page: int
    page_size: int
    pages: int
    results: list[PersonOut]


class PersonDetailOut(PersonOut):
    birth_date: dt.date | None
    is_active: bool
    language: str
    class_: ClassRef | None = Field(None, alias="class", description="A student's class this school year.")
    parents: list[PersonRef]
    children: list[PersonRef]


class PersonIn(Schema):
    username: str = Field(..., min_length=2, max_length=64)
    first_name: str = Field(..., min_length=1, max_length=100)
    last_name: str = Field(..., min_length=1, max_length=100)
    role: MemberRole
    email: str = Field("", max_length=254)
    birth_date: Day | None = None
    class_id: int | None = Field(None, description="Required for a student: their class this school year.")

    @field_validator("first_name", "last_name")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError(_("This field is required."))
        return value

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        value = value.strip()
        if value:
            try:
                validate_email(value)
            except DjangoValidationError as exc:
                raise ValueError(_("Enter a valid e-mail address.")) from exc
        return value


class CourseOut(Schema):
    id: int
    name: str
    code: str
    hours_per_week: int
    class_: ClassRef = Field(..., alias="class")
    teacher: TeacherRef | None
    school_year_id: int


class SlotOut(Schema):
    id: int
    weekday: int = Field(..., description="ISO weekday, 1 is Monday.")
    period: int
    starts_at: dt.time
    ends_at: dt.time
    course: CourseRef
    class_: ClassRef = Field(..., alias="class")
    teacher: TeacherRef | None
    room: str


class LessonPeriodOut(Schema):
    number: int
    starts_at: dt.time
    ends_at: dt.time


class TimetableOut(Schema):
    school_year: SchoolYearRef | None
    lesson_periods: list[LessonPeriodOut]
    slots: list[SlotOut]


class PeriodOut(Schema):
    id: int
    name: str
    starts_on: dt.date
    ends_on: dt.date


class CalendarEntryOut(Schema):
    id: int
    kind: Literal["holiday", "closure"]
    name: str
    starts_on: dt.date
    ends_on: dt.date


class SchoolYearOut(Schema):
    id: int
    name: str
    starts_on: dt.date
    ends_on: dt.date
    periods: list[PeriodOut]
    closed: list[CalendarEntryOut]


class CalendarOut(Schema):
    weekdays: list[int]
    lesson_periods: list[LessonPeriodOut]
    school_years: list[SchoolYearOut]


# ---------------------------------------------------------------- planner


