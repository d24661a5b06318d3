"""The shapes the API speaks. Output schemas are plain data; input schemas validate their fields."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import AfterValidator, field_validator

from krijt.core import days


def _day_in_range(value: dt.date) -> dt.date:
    if not days.in_range(value):
        raise ValueError(_("Choose a day between 1900 and 2999."))
    return value


# A day a caller may send: 1900-2999 (krijt.core.days), refused with a 400 outside it.
Day = Annotated[dt.date, AfterValidator(_day_in_range)]

RoleName = Literal["student", "teacher", "staff", "admin", "parent"]
MemberRole = Literal["student", "teacher", "staff", "admin"]


class ErrorBody(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] | None = None
    retry_after: int | None = None


class ErrorOut(Schema):
    error: ErrorBody


class SchoolOut(Schema):
    slug: str
    name: str
    time_zone: str


class PersonRef(Schema):
    id: int
    username: str
    first_name: str
    last_name: str
    full_name: str


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


class CourseRef(Schema):
    id: int
    name: str
    code: str


class ClassRef(Schema):
    id: int
    name: str


class TeacherRef(Schema):
    id: int
    full_name: str


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


class PlannerItemOut(Schema):
    id: int
    kind: Literal["task", "test"]
    title: str
    description: str
    due_date: dt.date
    period: int | None = Field(None, description="The lesson period it is due in, if any.")
    minutes: int
    state: Literal["planned", "cancelled"]
    course: CourseRef
    class_: ClassRef = Field(..., alias="class")
    teacher: TeacherRef | None
    done: bool | None = Field(None, description="Whether the asking student marked it done; null for others.")


class PlannerWeekOut(Schema):
    week_start: dt.date
    student: PersonRef | None = Field(None, description="Whose planner this is, for a student or a parent.")
    items: list[PlannerItemOut]


class DoneOut(Schema):
    item_id: int
    done: bool


# ---------------------------------------------------------------- notifications


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    text: str
    url: str = Field(..., description="The page it is about; empty when there is none.")
    visible_at: dt.datetime
    read_at: dt.datetime | None
    unread: bool
    urgent: bool
    about_student: str | None = Field(None, description="The child it is about, for a parent.")


class NotificationPageOut(Schema):
    count: int
    page: int
    page_size: int
    pages: int
    results: list[NotificationOut]


class UrgentLogOut(Schema):
    id: int
    created_at: dt.datetime
    sender: str | None
    what: str
    reason: str
    audience: str
    audiences: dict[str, int]
    recipients: int
    read: int


class UrgentLogPageOut(Schema):
    count: int
    page: int
    page_size: int
    pages: int
    results: list[UrgentLogOut]


class UnreadCountOut(Schema):
    unread: int


# ---------------------------------------------------------------- messages


class MessageSummaryOut(Schema):
    id: int
    thread_id: int
    subject: str
    sender: TeacherRef
    at: dt.datetime = Field(..., description="When it reached me (received) or is or was sent (sent, scheduled).")
    audience_label: str
    urgent: bool
    has_attachments: bool
    unread: bool | None = Field(None, description="For received messages: not read yet.")


class MessagePageOut(Schema):
    folder: Literal["inbox", "sent", "scheduled", "archive"]
    count: int
    page: int
    page_size: int
    pages: int
    unread: int = Field(..., description="Unread messages in my inbox.")
    results: list[MessageSummaryOut]


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int


class ThreadMessageOut(Schema):
    id: int
    subject: str
    sender: TeacherRef
    sent_at: dt.datetime
    body_html: str = Field(..., description="Sanitised HTML.")
    body_text: str
    urgent: bool
    mine: bool = Field(..., description="I sent it.")
    unread: bool = Field(..., description="Not read before this request (this request marks it read).")
    attachments: list[AttachmentOut]


class ThreadOut(Schema):
    thread_id: int
    subject: str
    archived: bool
    messages: list[ThreadMessageOut]


# ---------------------------------------------------------------- results


class PeriodRef(Schema):
    id: int
    name: str


class ScoreOut(Schema):
    evaluation_id: int
    name: str
    date: dt.date
    category: str
    maximum: float
    weight: float
    value: float | None
    code: str = Field(..., description="Absent, exempt, ...; empty when there is a value.")
    percentage: float | None
    comment: str
    talk_teacher: TeacherRef | None = Field(None, description="Who to talk to about a hard result (students only).")


class CourseResultsOut(Schema):
    course: CourseRef
    average: float | None = Field(None, description="Weighted average in percent of the maximum.")
    scores: list[ScoreOut]


class ResultsOut(Schema):
    student: PersonRef
    period: PeriodRef | None
    hidden: bool = Field(..., description="An adult student chose not to show their results to their parents.")
    courses: list[CourseResultsOut]
