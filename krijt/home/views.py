from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from krijt.core.roles import Role
from krijt.home import today
from krijt.ops import degraded
from krijt.ops.degraded import DB_ERRORS
from krijt.schools.models import School
from krijt.schools.selectors import schools_of


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
    user = request.user
    context: dict[str, Any] = {"roles": roles}
    if Role.STUDENT in roles:
        context["student"] = today.student(school, user)
    if Role.TEACHER in roles:
        context["teacher"] = today.teacher(school, user)
    if Role.PARENT in roles:
        context["parent"] = today.parent(school, user)
    if roles & {Role.ADMIN, Role.STAFF}:
        context["office"] = today.staff(school, user, roles)
    days = (context.get("student") or context.get("teacher") or {}).get("days")
    if days is not None:
        context.update(day=days["lesson_day"], is_today=days["is_today"])
    response = render(request, "home/home.html", context)
    if days is not None:
        degraded.remember_home(request, school, {
            "day": days["lesson_day"], "is_today": days["is_today"],
            "place": (context.get("student") or {}).get("place"),
            "student_lessons": context["student"]["lessons"] if "student" in context else None,
            "teacher_lessons": context["teacher"]["lessons"] if "teacher" in context else None,
        })
    return response
