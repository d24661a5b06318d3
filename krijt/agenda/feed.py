"""What the school calendar adds to a person's calendar feed (the planner's secret address): the events in
their audience, the school's holidays, and the timetable's lessons of a student (their class) or a teacher
(their own), each lesson on the school days it really happens, in the school's wall-clock time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils.translation import gettext as _

from krijt.agenda import selectors
from krijt.core.ical import FeedEvent
from krijt.core.roles import Role
from krijt.planner.extensions import register_feed_source
from krijt.schools.calendar import year_containing
from krijt.schools.models import SchoolYear, TimetableSlot
from krijt.schools.paths import school_path
from krijt.schools.selectors import school_calendar

EVENTS_BACK = dt.timedelta(days=60)
EVENTS_AHEAD = dt.timedelta(days=366)
LESSONS_BACK = dt.timedelta(days=7)
LESSONS_AHEAD = dt.timedelta(days=8 * 7)


def _description(*parts: str) -> str:
    return "\n\n".join(p for p in parts if p)


def school_events(*, school: Any, user: Any, roles: frozenset[str], today: dt.date, uid_host: str,
                  absolute: Callable[[str], str], **_other: Any) -> Iterator[FeedEvent]:
    tz = ZoneInfo(school.time_zone)
    calendar = school_calendar(school=school)
    start, end = today - EVENTS_BACK, today + EVENTS_AHEAD
    found = selectors.reader_keys(school=school, user=user, roles=roles)
    for event in selectors.events_between(school=school, user=user, roles=roles, start=start, end=end, found=found):
        url = absolute(school_path(school, "agenda:event", event_id=event.pk))
        label = str(event.get_category_display())
        for occurrence in selectors.occurrences_of(event, start=start, end=end, tz=tz, calendar=calendar):
            uid = f"event-{event.pk}" + (f"-{occurrence.starts_on:%Y%m%d}" if event.rule else "")
            yield FeedEvent(
                uid=f"{uid}@{uid_host}", summary=event.title, stamp=event.updated_at, sequence=event.sequence,
                start=occurrence.start, end=occurrence.end, first_day=occurrence.starts_on,
                last_day=occurrence.ends_on, description=_description(event.description, url),
                location=event.place, url=url, categories=(label,), cancelled=event.cancelled_at is not None,
                busy=not occurrence.all_day)
    for entry in selectors.holidays_between(school=school, start=start, end=end):
        yield FeedEvent(uid=f"closed-{entry.pk}@{uid_host}", summary=entry.name, stamp=day_stamp(entry.starts_on),
                        first_day=entry.starts_on, last_day=entry.ends_on,
                        categories=(str(entry.get_kind_display()),))


def lessons(*, school: Any, user: Any, roles: frozenset[str], today: dt.date, uid_host: str,
            absolute: Callable[[str], str], **_other: Any) -> Iterator[FeedEvent]:
    """A student's or a teacher's lessons from a week back to eight weeks ahead: only school days, and each
    day with the timetable of the school year it lies in. Two queries."""
    if not roles & {Role.STUDENT, Role.TEACHER}:
        return
    tz = ZoneInfo(school.time_zone)
    calendar = school_calendar(school=school)
    years = list(SchoolYear.objects.filter(school=school).order_by("starts_on"))
    slots = TimetableSlot.objects.filter(school=school, school_year__in=[y.pk for y in years])
    slots = slots.filter(_whose_lessons(user, roles, school)).distinct().select_related(
        "course", "course__teacher", "course__class_group", "lesson_period")
    by_year: dict[tuple[int, int], list[TimetableSlot]] = {}
    for slot in slots:
        by_year.setdefault((slot.school_year_id, slot.weekday), []).append(slot)
    url = absolute(school_path(school, "agenda:home"))
    day, last = today - LESSONS_BACK, today + LESSONS_AHEAD
    while day <= last:
        year = year_containing(years, day)
        if year is not None and calendar.is_school_day(day):
            for slot in by_year.get((year.pk, day.isoweekday()), []):
                course, teacher = slot.course, slot.course.teacher
                teacher_name = (teacher.full_name or teacher.username) if teacher is not None else ""
                summary = course.name if Role.STUDENT in roles else f"{course.name} · {course.class_group.name}"
                yield FeedEvent(
                    uid=f"lesson-{slot.pk}-{day:%Y%m%d}@{uid_host}", summary=summary, stamp=day_stamp(year.starts_on),
                    start=dt.datetime.combine(day, slot.lesson_period.starts_at, tzinfo=tz),
                    end=dt.datetime.combine(day, slot.lesson_period.ends_at, tzinfo=tz),
                    description=_description(_("Lesson period %(n)s") % {"n": slot.lesson_period.number},
                                             teacher_name, url),
                    location=slot.room, url=url, categories=(str(_("Lesson")),), busy=True)
        day += dt.timedelta(days=1)


def day_stamp(day: dt.date) -> dt.datetime:
    """A DTSTAMP that stays the same from one fetch to the next for what has no change time of its own."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=dt.UTC)


def _whose_lessons(user: Any, roles: frozenset[str], school: Any) -> Q:
    who = Q(pk__in=[])
    if Role.STUDENT in roles:
        who |= Q(course__class_group__enrollments__student=user, course__class_group__enrollments__school=school)
    if Role.TEACHER in roles:
        who |= Q(course__teacher=user)
    return who


def register() -> None:
    register_feed_source(school_events)
    register_feed_source(lessons)
