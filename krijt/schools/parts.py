"""The school's structure as cached parts for the hot pages (krijt.core.parts): the school days around a
day, where a student is (their class), a class's and a teacher's lessons of a day, a teacher's classes.

Everything here depends on one scope per school, `structure`, bumped by any write to the school's
years, calendar, classes, enrollments, courses, lesson periods or timetable (krijt/schools/signals.py),
whichever code path makes it. Those writes are rare and made by administrators, so one coarse scope
keeps the rule simple. A part is plain values: dates, times as text, names, ids.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from krijt.accounts.models import User
from krijt.core import parts
from krijt.schools import selectors
from krijt.schools.calendar import year_for_day
from krijt.schools.models import ClassGroup, School, SchoolYear, TimetableSlot

WINDOW_SCHOOL_DAYS = 7


def structure_scope(school_id: int) -> str:
    return parts.scope(school_id, "structure")


def _deps(school: School) -> tuple[str, ...]:
    return (structure_scope(school.pk),)


def school_days(school: School, today: dt.date) -> parts.Part:
    """The day whose lessons Today shows (today, or the next school day), and the coming school days."""

    def build() -> dict[str, Any]:
        calendar = selectors.school_calendar(school=school)
        lesson_day = calendar.next_school_day(today) or today
        window: list[dt.date] = []
        day = today
        for _ in range(60):
            if len(window) >= WINDOW_SCHOOL_DAYS:
                break
            if calendar.is_school_day(day):
                window.append(day)
            day += dt.timedelta(days=1)
        return {"today": today, "lesson_day": lesson_day, "is_today": lesson_day == today, "window": window,
                "school_day_today": calendar.is_school_day(today)}

    return parts.Part(parts.key(school.pk, "days", today.isoformat()), _deps(school), build)


def _year(school: School, day: dt.date) -> SchoolYear | None:
    return year_for_day(SchoolYear.objects.filter(school=school).order_by("starts_on"), day)


def student_place(school: School, student_id: int, day: dt.date) -> parts.Part:
    """The student's class in the school year of `day`: {"class_id", "class_name"}, or None."""

    def build() -> dict[str, Any] | None:
        year = _year(school, day)
        if year is None:
            return None
        found = selectors.enrollment_of(school=school, student=User(pk=student_id), school_year=year)
        if found is None:
            return None
        return {"class_id": found.class_group_id, "class_name": found.class_group.name}

    return parts.Part(parts.key(school.pk, "place", student_id, day.isoformat()), _deps(school), build)


def _lesson(slot: TimetableSlot) -> dict[str, Any]:
    course, period = slot.course, slot.lesson_period
    teacher = course.teacher
    return {"period": period.number, "starts": period.starts_at.strftime("%H:%M"),
            "ends": period.ends_at.strftime("%H:%M"), "course_id": course.pk, "course": course.name,
            "class_id": course.class_group_id, "class_name": course.class_group.name,
            "teacher": (teacher.full_name or teacher.username) if teacher is not None else "", "room": slot.room}


def _lessons(school: School, day: dt.date, **who: Any) -> list[dict[str, Any]]:
    calendar = selectors.school_calendar(school=school)
    year = _year(school, day)
    return [_lesson(s) for s in selectors.lessons_on(school=school, day=day, calendar=calendar, year=year, **who)]


def class_day(school: School, class_id: int, day: dt.date) -> parts.Part:
    """A class's lessons on a day, in order (none on a day without school)."""

    def build() -> list[dict[str, Any]]:
        group = ClassGroup.objects.filter(school=school, pk=class_id).first()
        return [] if group is None else _lessons(school, day, class_group=group)

    return parts.Part(parts.key(school.pk, "class-day", class_id, day.isoformat()), _deps(school), build)


def teacher_day(school: School, teacher: Any, day: dt.date) -> parts.Part:
    """A teacher's lessons on a day, in order."""
    return parts.Part(parts.key(school.pk, "teacher-day", teacher.pk, day.isoformat()), _deps(school),
                      lambda: _lessons(school, day, teacher=teacher))


def teacher_classes(school: School, teacher: Any, day: dt.date) -> parts.Part:
    """The classes a teacher teaches or mentors in the school year of `day`: [{"id", "name", "mentor"}]."""

    def build() -> list[dict[str, Any]]:
        year = _year(school, day)
        if year is None:
            return []
        return [{"id": g.pk, "name": g.name, "mentor": g.mentor_id == teacher.pk}
                for g in selectors.classes_for_teacher(school=school, teacher=teacher, school_year=year)]

    return parts.Part(parts.key(school.pk, "teacher-classes", teacher.pk, day.isoformat()), _deps(school), build)


def family_scope(parent_id: int) -> str:
    """A parent's links to their children, over every school (school 0: it belongs to no one school)."""
    return parts.scope(0, "family", parent_id)


def children(parent: Any) -> parts.Part:
    """A parent's children over every school: [{"id", "first_name", "full_name", "school_id", "school_slug",
    "school_name", "time_zone", "birth_date"}], by first name."""

    def build() -> list[dict[str, Any]]:
        from krijt.accounts.models import ParentLink

        links = (
            ParentLink.objects.filter(parent=parent)
            .select_related("student", "school")
            .order_by("student__first_name", "student__last_name", "pk")
        )
        return [{"id": link.student_id, "first_name": link.student.first_name or link.student.username,
                 "full_name": link.student.full_name or link.student.username, "birth_date": link.student.birth_date,
                 "school_id": link.school_id, "school_slug": link.school.slug, "school_name": link.school.name,
                 "time_zone": link.school.time_zone} for link in links]

    return parts.Part(parts.key(0, "children", parent.pk), (family_scope(parent.pk),), build)
