"""Live lessons as cached parts (krijt.core.parts), so the 08:25 rush to Join reads the cache, not tables.

- `occurrence`: one lesson on one day, with everything the join button needs (who teaches it, its class, its
  hours, whether it takes place that day). Kept by the lesson's scope (its own writes, and a planner item it
  belongs to moving or being cancelled) and the school's structure (timetable, calendar, lesson hours).
- `class_day`: which of a class's lessons of a day are live, for Today.
- `servers`: the school's video servers and live settings; changed only by administrators.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

from django.db.models import Q

from krijt.core import parts
from krijt.live.models import LiveLesson, LiveSettings, VideoServer
from krijt.planner.models import PlannerItem
from krijt.schools.models import LessonPeriod, School, TimetableSlot
from krijt.schools.parts import structure_scope
from krijt.schools.selectors import school_calendar, school_year_on


def lesson_scope(school_id: int, lesson_id: int) -> str:
    return parts.scope(school_id, "live-lesson", lesson_id)


def class_scope(school_id: int, class_id: int) -> str:
    return parts.scope(school_id, "live-class", class_id)


def teacher_scope(school_id: int, teacher_id: int | None) -> str:
    return parts.scope(school_id, "live-teacher", teacher_id or 0)


def servers_scope(school_id: int) -> str:
    return parts.scope(school_id, "live-servers")


def lesson_day(lesson: LiveLesson) -> dt.date | None:
    """The day of a lesson attached to a planner item (None for a weekly one)."""
    return lesson.item.due_date if lesson.item_id is not None and lesson.item is not None else None


def takes_place(school: School, lesson: LiveLesson, day: dt.date) -> bool:
    """Whether the lesson has an occurrence on `day`: a weekly lesson on its weekday within its dates, on a
    school day, while its course still has that slot in the timetable; a planner item's lesson on the item's
    day while the item is planned."""
    if lesson.cancelled_at is not None:
        return False
    if lesson.item_id is not None:
        item = lesson.item
        return item is not None and item.state == PlannerItem.State.PLANNED and item.due_date == day
    if lesson.weekday != day.isoweekday() or not lesson.starts_on <= day <= lesson.ends_on:
        return False
    if not school_calendar(school=school).is_school_day(day):
        return False
    year = school_year_on(school=school, day=day)
    return year is not None and TimetableSlot.objects.filter(
        school=school, school_year=year, course_id=lesson.course_id, weekday=lesson.weekday,
        lesson_period__number=lesson.period).exists()


def origin(url: str) -> str:
    """scheme://host[:port] of an address: what a page's form-action must allow for a join to leave Krijt."""
    found = urlsplit(url)
    return f"{found.scheme}://{found.netloc}" if found.scheme in ("http", "https") and found.netloc else ""


def facts(lesson: LiveLesson, period: LessonPeriod | None) -> dict[str, Any]:
    course, teacher = lesson.course, lesson.course.teacher
    return {
        "id": lesson.pk, "course_id": lesson.course_id, "course": course.name, "class_id": lesson.class_group_id,
        "class_name": lesson.class_group.name, "teacher_id": course.teacher_id,
        "teacher": (teacher.full_name or teacher.username) if teacher is not None else "",
        "provider": lesson.provider, "title": lesson.title or course.name, "room": lesson.room,
        "period": lesson.period, "weekday": lesson.weekday, "starts_on": lesson.starts_on,
        "ends_on": lesson.ends_on, "item_id": lesson.item_id,
        "item_title": lesson.item.title if lesson.item_id is not None and lesson.item is not None else "",
        "item_visible_from": lesson.item.visible_from if lesson.item_id is not None and lesson.item is not None
        else None,
        "recording": lesson.recording, "cancelled": lesson.cancelled_at is not None,
        "link_origin": origin(lesson.link) if lesson.link else "",
        "starts": period.starts_at.strftime("%H:%M") if period else "",
        "ends": period.ends_at.strftime("%H:%M") if period else "",
    }


def occurrence(school: School, lesson_id: int, day: dt.date) -> parts.Part:
    """facts(lesson) with "occurs" (whether it takes place on `day`), or None for no such lesson."""

    def build() -> dict[str, Any] | None:
        lesson = (LiveLesson.objects.filter(school=school, pk=lesson_id)
                  .select_related("course", "course__teacher", "class_group", "item").first())
        if lesson is None:
            return None
        period = LessonPeriod.objects.filter(school=school, number=lesson.period).first()
        return {**facts(lesson, period), "occurs": period is not None and takes_place(school, lesson, day)}

    return parts.Part(parts.key(school.pk, "live-occ", lesson_id, day.isoformat()),
                      (lesson_scope(school.pk, lesson_id), structure_scope(school.pk)), build)


def class_day(school: School, class_id: int, day: dt.date) -> parts.Part:
    """{"<course_id>-<period>": lesson_id} of the class's live lessons that may take place on `day` (Today
    shows them next to the timetable's lessons of that day, which decide whether there is a lesson)."""

    return parts.Part(parts.key(school.pk, "live-class", class_id, day.isoformat()),
                      (class_scope(school.pk, class_id),), lambda: _of_day(school, day, class_group_id=class_id))


def teacher_day(school: School, teacher_id: int, day: dt.date) -> parts.Part:
    """`class_day` for the live lessons of a teacher's courses (a course changing teacher bumps the structure)."""
    return parts.Part(parts.key(school.pk, "live-teacher", teacher_id, day.isoformat()),
                      (teacher_scope(school.pk, teacher_id), structure_scope(school.pk)),
                      lambda: _of_day(school, day, course__teacher_id=teacher_id))


def _of_day(school: School, day: dt.date, **who: Any) -> dict[str, int]:
    """One query."""
    found: dict[str, int] = {}
    weekly = Q(item__isnull=True, weekday=day.isoweekday(), starts_on__lte=day, ends_on__gte=day)
    once = Q(item__due_date=day, item__state=PlannerItem.State.PLANNED)
    rows = (LiveLesson.objects.filter(weekly | once, school=school, cancelled_at__isnull=True, **who)
            .order_by("pk").values_list("course_id", "period", "pk"))
    for course_id, period, pk in rows:
        found.setdefault(f"{course_id}-{period}", pk)
    return found


def servers(school: School) -> parts.Part:
    """{"servers": [{"id", "kind", "name", "url", "secret", "app_id", "use"}], "settings": {...}}: the active
    servers and the school's choices. Server-side only: secrets never leave for a page."""

    def build() -> dict[str, Any]:
        rows = list(VideoServer.objects.filter(school=school, active=True).order_by("use", "pk")
                    .values("id", "kind", "name", "url", "secret", "app_id", "use"))
        chosen = LiveSettings.objects.filter(school=school).first() or LiveSettings(school=school)
        return {"servers": rows, "settings": {
            "recordings_allowed": chosen.recordings_allowed, "fallback": chosen.fallback,
            "fallback_link": chosen.fallback_link, "fallback_note": chosen.fallback_note}}

    return parts.Part(parts.key(school.pk, "live-servers"), (servers_scope(school.pk),), build)
