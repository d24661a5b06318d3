"""The school administration as JSON: classes, people, courses, the timetable and the calendar."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import field_validator

from krijt.accounts.models import User
from krijt.accounts.selectors import children_in_school, parents_of
from krijt.core.api import Caller, ClassRef, CourseRef, Day, PersonRef, TeacherRef, caller, ok
from krijt.core.errors import ValidationFailed
from krijt.core.roles import Role
from krijt.schooladmin import selectors as admin_selectors
from krijt.schooladmin import services as people_services
from krijt.schooladmin.permissions import MANAGE_ROLES, VIEW_ROLES
from krijt.schools import selectors as school_selectors
from krijt.schools import services as school_services
from krijt.schools.api import (
    ClassOut,
    RoleName,
    SchoolYearRef,
    _class_out,
    _lesson_period,
    _person_ref,
    _slot,
    _teacher_ref,
)
from krijt.schools.models import (
    ClassGroup,
    SchoolYear,
)

router: Router = Router(by_alias=True)

MemberRole = Literal["student", "teacher", "staff", "admin"]


# ---------------------------------------------------------------- shapes


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


# ---------------------------------------------------------------- administration


def _class(c: Caller, class_id: int) -> ClassGroup:
    return admin_selectors.owned(ClassGroup, school=c.school, pk=class_id, related=("school_year",))


def _year(c: Caller, school_year_id: int | None) -> SchoolYear | None:
    if school_year_id is not None:
        return admin_selectors.owned(SchoolYear, school=c.school, pk=school_year_id)
    return school_selectors.current_school_year(school=c.school)


@router.get(
    "/admin/classes", response=ok(list[AdminClassOut], 403), summary="Classes of a school year", tags=["administration"]
)
def admin_classes(request: HttpRequest, school_year_id: int | None = None) -> list[dict[str, Any]]:
    """The classes of a school year (default: the current one) with their mentor and number of students."""
    c = caller(request, VIEW_ROLES)
    year = _year(c, school_year_id)
    if year is None:
        return []
    return [
        {**_class_out(group, year), "student_count": group.student_count}  # type: ignore[attr-defined]
        for group in school_selectors.class_list(school=c.school, school_year=year)
    ]


@router.post(
    "/admin/classes",
    response=ok(AdminClassOut, 400, 403, 409, status=201),
    summary="Create a class",
    tags=["administration"],
)
def admin_class_create(request: HttpRequest, payload: ClassIn) -> Status[dict[str, Any]]:
    c = caller(request, MANAGE_ROLES)
    year = _year(c, payload.school_year_id)
    if year is None:
        raise ValidationFailed(fields={"school_year_id": [_("Create a school year first.")]})
    mentor = None
    if payload.mentor_id is not None:
        mentor = admin_selectors.people(school=c.school, role=Role.TEACHER).filter(pk=payload.mentor_id).first()
        if mentor is None:
            raise ValidationFailed(fields={"mentor_id": [_("Choose a teacher of this school.")]})
    group = school_services.class_create(
        actor=c.user,
        roles=c.roles,
        school=c.school,
        school_year=year,
        name=payload.name,
        grade=payload.grade,
        mentor=mentor,
    )
    return Status(201, {**_class_out(group, year), "student_count": 0})


class PeopleFilter(Schema):
    search: str = Field("", max_length=100, description="Words in the name or user name.")
    role: RoleName | None = None
    page: int = Field(1, ge=1)


@router.get("/admin/people", response=ok(PeopleOut, 400, 403), summary="People of the school", tags=["administration"])
def admin_people(request: HttpRequest, filters: Query[PeopleFilter]) -> dict[str, Any]:
    """Members and parents, 50 per page, searched by name or user name and filtered by role."""
    c = caller(request, VIEW_ROLES)
    found = admin_selectors.people_page_with_roles(
        school=c.school, search=filters.search, role=filters.role, page=filters.page
    )
    return {
        "count": found.count,
        "page": found.page,
        "page_size": found.page_size,
        "pages": found.pages,
        "results": [{**_person_ref(p), "email": p.email, "roles": sorted(found.roles[p.pk])} for p in found.people],
    }


def _person_detail(c: Caller, person: User) -> dict[str, Any]:
    roles = admin_selectors.roles_by_user(school=c.school, user_ids=[person.pk])[person.pk]
    group = None
    parents: list[dict[str, Any]] = []
    children: list[dict[str, Any]] = []
    if Role.STUDENT in roles:
        year = school_selectors.current_school_year(school=c.school)
        enrollment = school_selectors.enrollment_of(school=c.school, student=person, school_year=year) if year else None
        if enrollment is not None:
            group = {"id": enrollment.class_group.pk, "name": enrollment.class_group.name}
        parents = [_person_ref(p) for p in parents_of(school=c.school, student=person).order_by("last_name")]
    if Role.PARENT in roles:
        children = [_person_ref(s) for s in children_in_school(school=c.school, parent=person)]
    return {
        **_person_ref(person),
        "email": person.email,
        "roles": sorted(roles),
        "birth_date": person.birth_date,
        "is_active": person.is_active,
        "language": person.language,
        "class": group,
        "parents": parents,
        "children": children,
    }


@router.get(
    "/admin/people/{person_id}",
    response=ok(PersonDetailOut, 403),
    summary="A person of the school",
    tags=["administration"],
)
def admin_person(request: HttpRequest, person_id: int) -> dict[str, Any]:
    c = caller(request, VIEW_ROLES)
    return _person_detail(c, admin_selectors.person_in_school(school=c.school, person_id=person_id))


@router.post(
    "/admin/people",
    response=ok(PersonDetailOut, 400, 403, 409, status=201),
    summary="Add a person",
    tags=["administration"],
)
def admin_person_create(request: HttpRequest, payload: PersonIn) -> Status[dict[str, Any]]:
    """Creates an account with a role in this school; the person activates it with a letter or a reset."""
    c = caller(request, MANAGE_ROLES)
    group = None
    if payload.class_id is not None:
        group = ClassGroup.objects.filter(school=c.school, pk=payload.class_id).first()
        if group is None:
            raise ValidationFailed(fields={"class_group": [_("There is no such class in this school.")]})
    # The same door as the people page: the same rules and the same errors.
    person = people_services.person_create(
        school=c.school,
        actor=c.user,
        roles=c.roles,
        username=payload.username,
        first_name=payload.first_name,
        last_name=payload.last_name,
        role=payload.role,
        email=payload.email,
        birth_date=payload.birth_date,
        class_group=group,
    )
    return Status(201, _person_detail(c, person))


@router.get("/admin/courses", response=ok(list[CourseOut], 403), summary="Courses", tags=["administration"])
def admin_courses(
    request: HttpRequest, class_id: int | None = None, school_year_id: int | None = None
) -> list[dict[str, Any]]:
    """The courses of one class, or of every class in a school year (default: the current one)."""
    c = caller(request, VIEW_ROLES)
    if class_id is not None:
        found = admin_selectors.courses(school=c.school, class_group=_class(c, class_id))
    else:
        year = _year(c, school_year_id)
        if year is None:
            return []
        found = admin_selectors.courses(school=c.school, school_year=year)
    return [
        {
            "id": course.pk,
            "name": course.name,
            "code": course.code,
            "hours_per_week": course.hours_per_week,
            "class": {"id": course.class_group.pk, "name": course.class_group.name},
            "teacher": _teacher_ref(course.teacher),
            "school_year_id": course.school_year_id,
        }
        for course in found
    ]


@router.get("/admin/timetable", response=ok(TimetableOut, 403), summary="The weekly timetable", tags=["administration"])
def admin_timetable(
    request: HttpRequest, class_id: int | None = None, school_year_id: int | None = None
) -> dict[str, Any]:
    """The weekly lessons of one class, or of the whole school, in a school year (default: the current one)."""
    c = caller(request, VIEW_ROLES)
    group = _class(c, class_id) if class_id is not None else None
    year = group.school_year if group is not None else _year(c, school_year_id)
    periods = [_lesson_period(p) for p in school_selectors.lesson_periods(school=c.school)]
    if year is None:
        return {"school_year": None, "lesson_periods": periods, "slots": []}
    slots = school_selectors.week_timetable(school=c.school, school_year=year, class_group=group)
    slots.sort(key=lambda s: (s.weekday, s.lesson_period.number, s.course.class_group.name, s.pk))
    return {
        "school_year": {"id": year.pk, "name": year.name},
        "lesson_periods": periods,
        "slots": [_slot(s) for s in slots],
    }


@router.get(
    "/admin/calendar",
    response=ok(CalendarOut, 403),
    summary="School years, periods and holidays",
    tags=["administration"],
)
def admin_calendar(request: HttpRequest) -> dict[str, Any]:
    c = caller(request, VIEW_ROLES)
    overview = admin_selectors.calendar_overview(school=c.school)
    return {
        "weekdays": overview.weekdays,
        "lesson_periods": [_lesson_period(p) for p in overview.lesson_periods],
        "school_years": [
            {
                "id": y.pk,
                "name": y.name,
                "starts_on": y.starts_on,
                "ends_on": y.ends_on,
                "periods": [
                    {"id": p.pk, "name": p.name, "starts_on": p.starts_on, "ends_on": p.ends_on}
                    for p in overview.periods.get(y.pk, [])
                ],
                "closed": [
                    {"id": e.pk, "kind": e.kind, "name": e.name, "starts_on": e.starts_on, "ends_on": e.ends_on}
                    for e in overview.entries.get(y.pk, [])
                ],
            }
            for y in overview.school_years
        ],
    }
