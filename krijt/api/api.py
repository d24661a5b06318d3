"""Krijt's JSON API, version 1: the same capabilities as the pages, through the same selectors and services.

Every endpoint speaks about the school in the URL (/s/<slug>/api/v1/...). Errors have one shape,
{"error": {"code", "message", "fields"?}}, whatever raised them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, NinjaAPI, Query, Router, Schema, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from krijt.accounts.models import User
from krijt.accounts.selectors import children_in_school, parents_of
from krijt.api import selectors
from krijt.api.auth import session_auth, token_auth
from krijt.api.schemas import (
    AdminClassOut,
    CalendarOut,
    ClassDetailOut,
    ClassIn,
    CourseOut,
    Day,
    DayOut,
    MeOut,
    MyClassOut,
    PeopleOut,
    PersonDetailOut,
    PersonIn,
    RoleName,
    TimetableOut,
    WeekOut,
)
from krijt.core import clock
from krijt.core.api import Caller, caller, ok
from krijt.core.errors import Forbidden, KrijtError, NotAuthenticated, NotFound, ValidationFailed
from krijt.core.roles import Role
from krijt.messaging import api as messaging_api
from krijt.notifications import api as notifications_api
from krijt.planner import api as planner_api
from krijt.results import api as results_api
from krijt.schooladmin import services as people_services
from krijt.schooladmin.permissions import MANAGE_ROLES, VIEW_ROLES
from krijt.schools import selectors as school_selectors
from krijt.schools import services as school_services
from krijt.schools.calendar import year_containing
from krijt.schools.models import ClassGroup, LessonPeriod, SchoolYear, TimetableSlot
from krijt.schools.selectors import children_of

api = NinjaAPI(
    title="Krijt API",
    version="1",
    description=(
        "The JSON API of a Krijt school. Every path is relative to the school: /s/<slug>/api/v1/... "
        "Sign in with the browser session (send the X-CSRFToken header on POST) or with a personal token "
        "(Authorization: Bearer krijt_...). Errors are always {\"error\": {\"code\", \"message\", \"fields\"}}."
    ),
    urls_namespace="api:api-v1",
    auth=[token_auth, session_auth],
)
# by_alias: some fields are called "class" in JSON, which Python cannot name.
router = Router(by_alias=True)

CLASS_VIEWERS = frozenset({Role.STUDENT, Role.TEACHER, Role.STAFF, Role.ADMIN})
TIMETABLE_ROLES = frozenset({Role.STUDENT, Role.TEACHER})


# ---------------------------------------------------------------- one error shape


def _error_response(request: HttpRequest, error: KrijtError) -> HttpResponse:
    response = api.create_response(request, error.as_dict(), status=error.status)
    retry_after = getattr(error, "retry_after", None)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


class MethodNotAllowed(KrijtError):
    status = 405
    code = "method_not_allowed"
    default_message = gettext_lazy("This method is not allowed here.")


_HTTP_ERRORS: dict[int, type[KrijtError]] = {
    401: NotAuthenticated,
    403: Forbidden,
    404: NotFound,
    405: MethodNotAllowed,
}


@api.exception_handler(KrijtError)
def _krijt_error(request: HttpRequest, exc: KrijtError) -> HttpResponse:
    return _error_response(request, exc)


@api.exception_handler(AuthenticationError)
def _not_authenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error_response(request, NotAuthenticated())


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error_response(request, NotFound())


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400:
        # Ninja's own 400 is a body it could not parse.
        return _error_response(request, ValidationFailed(fields={"body": [_("Send a JSON object.")]}))
    kind = _HTTP_ERRORS.get(exc.status_code)
    if kind is None:
        error = KrijtError(exc.message)
        error.status = exc.status_code
        return _error_response(request, error)
    return _error_response(request, kind())


def _field_name(loc: list[Any] | tuple[Any, ...]) -> str:
    """("body", "payload", "username") -> "username"; ("query", "date") -> "date"."""
    parts = [str(p) for p in loc]
    if parts and parts[0] == "body":
        parts = parts[2:]
    elif parts and parts[0] in {"query", "path", "header", "cookie", "form"}:
        parts = parts[1:]
    return ".".join(parts) or "body"


def _message(error: dict[str, Any]) -> str:
    """Pydantic speaks English only; the common cases get a message in the user's language."""
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind in {"json_invalid", "model_attributes_type", "dict_type"}:
        return _("Send a JSON object.")
    if kind == "string_too_short":
        return _("Use at least %(n)s characters.") % {"n": ctx.get("min_length")}
    if kind == "string_too_long":
        return _("Use at most %(n)s characters.") % {"n": ctx.get("max_length")}
    if kind in {"greater_than_equal", "greater_than"}:
        return _("Use a number of at least %(n)s.") % {"n": ctx.get("ge", ctx.get("gt"))}
    if kind in {"less_than_equal", "less_than"}:
        return _("Use a number of at most %(n)s.") % {"n": ctx.get("le", ctx.get("lt"))}
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return _("Enter a whole number.")
    if kind.startswith("date"):
        return _("Enter a date as YYYY-MM-DD.")
    if kind in {"literal_error", "enum"}:
        return _("Choose one of: %(choices)s.") % {"choices": ctx.get("expected", "")}
    message = str(error.get("msg", ""))
    return message.removeprefix("Value error, ")


@api.exception_handler(NinjaValidationError)
def _invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        fields.setdefault(_field_name(error.get("loc", ())), []).append(_message(error))
    return _error_response(request, ValidationFailed(fields=fields))


# ---------------------------------------------------------------- who is asking




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


# ---------------------------------------------------------------- administration


def _year(c: Caller, school_year_id: int | None) -> SchoolYear | None:
    if school_year_id is not None:
        return selectors.school_year_in_school(school=c.school, school_year_id=school_year_id)
    return school_selectors.current_school_year(school=c.school)


@router.get("/admin/classes", response=ok(list[AdminClassOut], 403), summary="Classes of a school year",
            tags=["administration"])
def admin_classes(request: HttpRequest, school_year_id: int | None = None) -> list[dict[str, Any]]:
    """The classes of a school year (default: the current one) with their mentor and number of students."""
    c = caller(request, VIEW_ROLES)
    year = _year(c, school_year_id)
    if year is None:
        return []
    return [{**_class_out(group, year), "student_count": group.student_count}  # type: ignore[attr-defined]
            for group in school_selectors.class_list(school=c.school, school_year=year)]


@router.post("/admin/classes", response=ok(AdminClassOut, 400, 403, 409, status=201), summary="Create a class",
             tags=["administration"])
def admin_class_create(request: HttpRequest, payload: ClassIn) -> Status[dict[str, Any]]:
    c = caller(request, MANAGE_ROLES)
    year = _year(c, payload.school_year_id)
    if year is None:
        raise ValidationFailed(fields={"school_year_id": [_("Create a school year first.")]})
    mentor = None
    if payload.mentor_id is not None:
        mentor = selectors.people(school=c.school, role=Role.TEACHER).filter(pk=payload.mentor_id).first()
        if mentor is None:
            raise ValidationFailed(fields={"mentor_id": [_("Choose a teacher of this school.")]})
    group = school_services.class_create(school=c.school, school_year=year, name=payload.name,
                                         grade=payload.grade, mentor=mentor)
    return Status(201, {**_class_out(group, year), "student_count": 0})


class PeopleFilter(Schema):
    search: str = Field("", max_length=100, description="Words in the name or user name.")
    role: RoleName | None = None
    page: int = Field(1, ge=1)


@router.get("/admin/people", response=ok(PeopleOut, 400, 403), summary="People of the school",
            tags=["administration"])
def admin_people(request: HttpRequest, filters: Query[PeopleFilter]) -> dict[str, Any]:
    """Members and parents, 50 per page, searched by name or user name and filtered by role."""
    c = caller(request, VIEW_ROLES)
    found = selectors.people_page(school=c.school, search=filters.search, role=filters.role, page=filters.page)
    return {
        "count": found.count,
        "page": found.page,
        "page_size": found.page_size,
        "pages": found.pages,
        "results": [{**_person_ref(p), "email": p.email, "roles": sorted(found.roles[p.pk])} for p in found.people],
    }


def _person_detail(c: Caller, person: User) -> dict[str, Any]:
    roles = selectors.roles_by_user(school=c.school, user_ids=[person.pk])[person.pk]
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


@router.get("/admin/people/{person_id}", response=ok(PersonDetailOut, 403), summary="A person of the school",
            tags=["administration"])
def admin_person(request: HttpRequest, person_id: int) -> dict[str, Any]:
    c = caller(request, VIEW_ROLES)
    return _person_detail(c, selectors.person_in_school(school=c.school, person_id=person_id))


@router.post("/admin/people", response=ok(PersonDetailOut, 400, 403, 409, status=201), summary="Add a person",
             tags=["administration"])
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
        school=c.school, actor=c.user, roles=c.roles, username=payload.username, first_name=payload.first_name,
        last_name=payload.last_name,
        role=payload.role, email=payload.email, birth_date=payload.birth_date, class_group=group,
    )
    return Status(201, _person_detail(c, person))


@router.get("/admin/courses", response=ok(list[CourseOut], 403), summary="Courses", tags=["administration"])
def admin_courses(request: HttpRequest, class_id: int | None = None,
                  school_year_id: int | None = None) -> list[dict[str, Any]]:
    """The courses of one class, or of every class in a school year (default: the current one)."""
    c = caller(request, VIEW_ROLES)
    if class_id is not None:
        found = selectors.courses(school=c.school, class_group=selectors.class_in_school(school=c.school,
                                                                                         class_id=class_id))
    else:
        year = _year(c, school_year_id)
        if year is None:
            return []
        found = selectors.courses(school=c.school, school_year=year)
    return [
        {"id": course.pk, "name": course.name, "code": course.code, "hours_per_week": course.hours_per_week,
         "class": {"id": course.class_group.pk, "name": course.class_group.name},
         "teacher": _teacher_ref(course.teacher), "school_year_id": course.school_year_id}
        for course in found
    ]


@router.get("/admin/timetable", response=ok(TimetableOut, 403), summary="The weekly timetable",
            tags=["administration"])
def admin_timetable(request: HttpRequest, class_id: int | None = None,
                    school_year_id: int | None = None) -> dict[str, Any]:
    """The weekly lessons of one class, or of the whole school, in a school year (default: the current one)."""
    c = caller(request, VIEW_ROLES)
    group = selectors.class_in_school(school=c.school, class_id=class_id) if class_id is not None else None
    year = group.school_year if group is not None else _year(c, school_year_id)
    periods = [_lesson_period(p) for p in school_selectors.lesson_periods(school=c.school)]
    if year is None:
        return {"school_year": None, "lesson_periods": periods, "slots": []}
    slots = school_selectors.week_timetable(school=c.school, school_year=year, class_group=group)
    slots.sort(key=lambda s: (s.weekday, s.lesson_period.number, s.course.class_group.name, s.pk))
    return {"school_year": {"id": year.pk, "name": year.name}, "lesson_periods": periods,
            "slots": [_slot(s) for s in slots]}


@router.get("/admin/calendar", response=ok(CalendarOut, 403), summary="School years, periods and holidays",
            tags=["administration"])
def admin_calendar(request: HttpRequest) -> dict[str, Any]:
    c = caller(request, VIEW_ROLES)
    overview = selectors.calendar_overview(school=c.school)
    return {
        "weekdays": overview.weekdays,
        "lesson_periods": [_lesson_period(p) for p in overview.lesson_periods],
        "school_years": [
            {"id": y.pk, "name": y.name, "starts_on": y.starts_on, "ends_on": y.ends_on,
             "periods": [{"id": p.pk, "name": p.name, "starts_on": p.starts_on, "ends_on": p.ends_on}
                         for p in overview.periods.get(y.pk, [])],
             "closed": [{"id": e.pk, "kind": e.kind, "name": e.name, "starts_on": e.starts_on, "ends_on": e.ends_on}
                        for e in overview.entries.get(y.pk, [])]}
            for y in overview.school_years
        ],
    }


api.add_router("", router)

# Each domain's own router, beside its views.
api.add_router("", planner_api.router)
api.add_router("", notifications_api.router)
api.add_router("", messaging_api.router)
api.add_router("", results_api.router)
