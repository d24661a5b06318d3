from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from krijt.core import clock
from krijt.core.roles import Role
from krijt.ops import degraded
from krijt.ops.degraded import DB_ERRORS
from krijt.schools import selectors
from krijt.schools.calendar import SchoolCalendar
from krijt.schools.models import School
from krijt.schools.selectors import children_of, schools_of


def _lesson_day(school: School, calendar: SchoolCalendar) -> tuple[dt.date, bool]:
    """Today if it is a school day, else the next school day (and whether that is today)."""
    today = clock.local_today(school.time_zone)
    day = calendar.next_school_day(today) or today
    return day, day == today


def home(request: HttpRequest) -> HttpResponse:
    school: School | None = getattr(request, "school", None)
    if school is not None and degraded.breaker_open():
        cached = degraded.home_from_cache(request, school)
        if cached is not None:
            return cached
    try:
        return _home(request)
    except DB_ERRORS as error:
        if not degraded.is_database_error(error):
            raise
        degraded.breaker_trip()
        # Degraded mode: the day's lessons as last shown, read-only, from Redis.
        cached = degraded.home_from_cache(request, school) if school is not None else None
        if cached is None:
            raise
        return cached


def _home(request: HttpRequest) -> HttpResponse:
    school: School | None = getattr(request, "school", None)
    if school is None:
        if request.user.is_authenticated:
            mine = schools_of(user=request.user)  # type: ignore[arg-type]
            if mine:
                return redirect(f"/s/{mine[0].slug}/")
        return render(request, "home/landing.html", {"schools": School.objects.order_by("name")[:200]})
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    roles: frozenset[str] = frozenset(request.roles)  # type: ignore[attr-defined]
    if not roles:
        return render(
            request,
            "home/no_role.html",
            {"schools": schools_of(user=request.user)},  # type: ignore[arg-type]
            status=403,
        )
    context: dict[str, Any] = {"sections": []}
    calendar = selectors.school_calendar(school=school)
    day, is_today = _lesson_day(school, calendar)
    context.update(day=day, is_today=is_today)
    user = request.user
    # One read of the calendar and of the lesson day's school year serves every section below.
    year = selectors.school_year_on(school=school, day=day) if roles & {Role.STUDENT, Role.TEACHER} else None
    if Role.STUDENT in roles:
        context["student_lessons"] = selectors.lessons_on(
            school=school, day=day, student=user, calendar=calendar, year=year  # type: ignore[arg-type]
        )
        enrollment = selectors.enrollment_of(school=school, student=user, school_year=year) if year else None  # type: ignore[arg-type]
        context["student_class"] = enrollment.class_group if enrollment else None
    if Role.TEACHER in roles:
        context["teacher_lessons"] = selectors.lessons_on(
            school=school, day=day, teacher=user, calendar=calendar, year=year  # type: ignore[arg-type]
        )
        context["teacher_classes"] = (
            list(selectors.classes_for_teacher(school=school, teacher=user, school_year=year)) if year else []  # type: ignore[arg-type]
        )
    if Role.PARENT in roles:
        context["children"] = children_of(parent=user)  # type: ignore[arg-type]
    if roles & {Role.ADMIN, Role.STAFF}:
        context["overview"] = selectors.school_overview(school=school)
    response = render(request, "home/home.html", context)
    degraded.remember_home(request, school, context)
    return response
