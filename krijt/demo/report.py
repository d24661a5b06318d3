"""The plain-text summary the seed commands print after building (or finding) a school."""

from __future__ import annotations

import datetime as dt

from krijt.accounts.models import User
from krijt.core.roles import Role
from krijt.demo.generator import SchoolPlan
from krijt.demo.selectors import school_counts
from krijt.schools.models import CalendarEntry, ClassGroup, LessonPeriod, Period, School, SchoolYear


def _day(day: dt.date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def _span(start: dt.date, end: dt.date) -> str:
    return _day(start) if start == end else f"{_day(start)} - {_day(end)}"


def describe_school(school: School, *, plan: SchoolPlan | None = None) -> list[str]:
    counts = school_counts(school=school)
    lines = [f"{school.name} (/s/{school.slug}/)"]
    for year in SchoolYear.objects.filter(school=school).order_by("starts_on"):
        lines.append(f"  School year {year.name}: {_span(year.starts_on, year.ends_on)}")
        for period in Period.objects.filter(school=school, school_year=year).order_by("starts_on"):
            lines.append(f"    {period.name}: {_span(period.starts_on, period.ends_on)}")
        for entry in CalendarEntry.objects.filter(school=school, school_year=year).order_by("starts_on"):
            kind = " (closure day)" if entry.kind == CalendarEntry.Kind.CLOSURE else ""
            lines.append(f"    {entry.name}{kind}: {_span(entry.starts_on, entry.ends_on)}")
    names = list(ClassGroup.objects.filter(school=school).order_by("grade", "name").values_list("name", flat=True))
    periods = list(LessonPeriod.objects.filter(school=school).order_by("number"))
    class_span = f" ({names[0]}-{names[-1]})" if names else ""
    lines.append(
        f"  {counts['classes']} classes{class_span}, {counts['students']} students, {counts['teachers']} teachers, "
        f"{counts['parents']} parents ({counts['parents_of_several']} with more than one child), "
        f"{counts['staff']} staff, {counts['admins']} administrators"
    )
    if periods:
        lines.append(
            f"  {counts['courses']} courses, {counts['lessons']} lessons a week in {len(periods)} lesson periods "
            f"({periods[0].starts_at:%H:%M}-{periods[-1].ends_at:%H:%M}, Wednesday afternoon free)"
        )
    if plan is not None:
        for person in plan.people:
            if person.role in (Role.STAFF, Role.ADMIN):
                lines.append(f"  {person.title}: {person.first_name} {person.last_name} ({person.username})")
    else:
        for user in User.objects.filter(memberships__school=school,
                                        memberships__role__in=[Role.STAFF, Role.ADMIN]).order_by("username"):
            lines.append(f"  {user.full_name} ({user.username})")
    return lines
