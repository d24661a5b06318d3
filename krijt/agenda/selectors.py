"""Reads of the school calendar: a person's days (school events in their audience, holidays and closure days,
and for a student or a parent the planner's tests and tasks), one event for its reader, what an author may
address. A range costs a fixed number of queries, whatever the number of events or how often they repeat."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Prefetch, Q

from krijt.accounts.models import User
from krijt.agenda import permissions, recurrence
from krijt.agenda.models import Event, EventClosure, EventRule
from krijt.announcements import audiences
from krijt.announcements.selectors import reader_keys as news_reader_keys
from krijt.core import clock
from krijt.core.errors import NotFound
from krijt.core.roles import Role
from krijt.planner.models import PlannerItem
from krijt.planner.selectors import items_for_classes, planned_between
from krijt.schools.calendar import SchoolCalendar
from krijt.schools.models import CalendarEntry, School
from krijt.schools.selectors import school_calendar

MAX_RANGE_DAYS = 120
EVENT, CLOSED, TEST, TASK = "event", "closed", "test", "task"


@dataclass(frozen=True)
class Entry:
    """One line of a calendar day: an event's occurrence, a holiday, a test or a task."""

    kind: str
    title: str
    starts_on: dt.date
    ends_on: dt.date
    start: dt.datetime | None = None  # local, for a timed entry
    end: dt.datetime | None = None
    category: str = ""
    category_label: str = ""
    place: str = ""
    cancelled: bool = False
    children: tuple[str, ...] = ()
    event_id: int | None = None
    item_id: int | None = None

    @property
    def all_day(self) -> bool:
        return self.start is None

    @property
    def hours(self) -> str:
        """"19:00–21:00" in the school's wall-clock time; empty for an all-day entry."""
        if self.start is None or self.end is None:
            return ""
        return f"{self.start:%H:%M}–{self.end:%H:%M}"

    @property
    def sort_key(self) -> tuple[Any, ...]:
        order = {CLOSED: 0, EVENT: 1, TEST: 2, TASK: 3}[self.kind]
        return (self.start is not None, self.start.time() if self.start else dt.time(0), order, self.title)


@dataclass
class Day:
    day: dt.date
    school_day: bool
    closure: str | None
    entries: list[tuple[Entry, bool]] = field(default_factory=list)  # (entry, continued from an earlier day)

    @property
    def starting(self) -> list[Entry]:
        return [e for e, continued in self.entries if not continued]


def reader_keys(*, school: School, user: Any, roles: frozenset[str]) -> dict[str, Any]:
    """The reader's audience keys as announcements know them (a cached part)."""
    return news_reader_keys(school=school, user_id=user.pk, roles=roles)


def _visible(*, school: School, user: Any, roles: frozenset[str], keys: Iterable[str]) -> Q:
    if permissions.sees_every_event(roles):
        return Q()
    return Q(pk__in=EventRule.objects.filter(school=school, key__in=list(keys)).values("event_id")) | Q(
        author_id=user.pk)


def _children(event: Event, found: dict[str, Any]) -> list[int]:
    return sorted({c for rule in event.rules.all() for c in found["children"].get(rule.key, [])},
                  key=lambda c: found["names"].get(c, ""))


def events_between(*, school: School, user: Any, roles: frozenset[str], start: dt.date, end: dt.date,
                   found: dict[str, Any] | None = None) -> list[Event]:
    """The events the reader may see that have an occurrence in [start, end] (cancelled ones too), with their
    rules. Two queries."""
    found = found if found is not None else reader_keys(school=school, user=user, roles=roles)
    qs = Event.objects.filter(_visible(school=school, user=user, roles=roles, keys=found["keys"]), school=school,
                              last_on__gte=start, starts_on__lte=end)
    return list(qs.prefetch_related(Prefetch("rules", queryset=EventRule.objects.filter(school=school)))
                .order_by("starts_on", "start_time", "pk"))


def when_of(event: Event) -> recurrence.When:
    return recurrence.When(event.starts_on, event.ends_on, event.start_time, event.end_time, event.rule,
                           event.skip_days_without_school)


def occurrences_of(event: Event, *, start: dt.date, end: dt.date, tz: ZoneInfo,
                   calendar: SchoolCalendar) -> list[recurrence.Occurrence]:
    return recurrence.occurrences(when_of(event), start=start, end=end, tz=tz, calendar=calendar)


def _event_entries(events: list[Event], *, start: dt.date, end: dt.date, tz: ZoneInfo, calendar: SchoolCalendar,
                   found: dict[str, Any], child_id: int | None) -> list[Entry]:
    entries = []
    for event in events:
        kids = _children(event, found)
        if child_id is not None and child_id not in kids:
            continue
        names = tuple(found["names"][c] for c in kids if c in found["names"])
        for occurrence in occurrences_of(event, start=start, end=end, tz=tz, calendar=calendar):
            entries.append(Entry(
                EVENT, event.title, occurrence.starts_on, occurrence.ends_on, occurrence.start, occurrence.end,
                event.category, str(event.get_category_display()), event.place, event.cancelled_at is not None,
                names, event_id=event.pk))
    return entries


def holidays_between(*, school: School, start: dt.date, end: dt.date) -> list[CalendarEntry]:
    """Holidays and closure days touching [start, end] not made by an event (those show as their event). One
    query."""
    return list(CalendarEntry.objects.filter(school=school, starts_on__lte=end, ends_on__gte=start)
                .exclude(pk__in=EventClosure.objects.filter(school=school).values("entry_id")).order_by("starts_on"))


def _holiday_entries(*, school: School, start: dt.date, end: dt.date) -> list[Entry]:
    return [Entry(CLOSED, row.name, row.starts_on, row.ends_on, category=row.kind,
                  category_label=str(row.get_kind_display())) for row in holidays_between(school=school, start=start,
                                                                                          end=end)]


def planned_on_closed_days(*, school: School, event: Event) -> int:
    """Tests and tasks already due on the days a closure event closes: what its author is told to have moved."""
    ranges = list(CalendarEntry.objects.filter(school=school, pk__in=EventClosure.objects.filter(
        school=school, event=event).values("entry_id")).values_list("starts_on", "ends_on"))
    return planned_between(school=school, ranges=ranges)


def _planner_classes(found: dict[str, Any], roles: frozenset[str], child_id: int | None) -> dict[int, list[int]]:
    """{class id: [children in it]} whose planner the reader's calendar shows: a student's own class (no
    children), a parent's children's classes."""
    classes: dict[int, list[int]] = {}
    if Role.STUDENT in roles and child_id is None:
        for key in found["keys"]:
            if key.startswith("class:"):
                classes.setdefault(int(key.split(":")[1]), [])
    if Role.PARENT in roles:
        for key, kids in found["children"].items():
            if key.startswith("parents-class:"):
                wanted = [k for k in kids if child_id is None or k == child_id]
                if wanted:
                    classes.setdefault(int(key.split(":")[1]), []).extend(wanted)
    return classes


def _planner_entries(*, school: School, classes: dict[int, list[int]], found: dict[str, Any], start: dt.date,
                     end: dt.date, tz: ZoneInfo) -> list[Entry]:
    if not classes:
        return []
    entries = []
    for item in items_for_classes(school=school, class_ids=sorted(classes), start=start, end=end, visible_only=True):
        if item.state != PlannerItem.State.PLANNED:
            continue
        names = tuple(found["names"][c] for c in classes.get(item.class_group_id, []) if c in found["names"])
        begins = finishes = None
        if item.lesson_period is not None:
            begins = dt.datetime.combine(item.due_date, item.lesson_period.starts_at, tzinfo=tz)
            finishes = dt.datetime.combine(item.due_date, item.lesson_period.ends_at, tzinfo=tz)
        kind = TEST if item.kind == PlannerItem.Kind.TEST else TASK
        entries.append(Entry(kind, f"{item.course.name}: {item.title}", item.due_date, item.due_date, begins,
                             finishes, category=kind, category_label=str(item.get_kind_display()),
                             children=names, item_id=item.pk))
    return entries


def days_of(*, school: School, user: Any, roles: frozenset[str], start: dt.date, end: dt.date,
            child_id: int | None = None) -> list[Day]:
    """The reader's calendar from `start` to `end` (inclusive, at most MAX_RANGE_DAYS), one Day per date.
    A parent may narrow it to one child. A fixed number of queries."""
    end = min(end, start + dt.timedelta(days=MAX_RANGE_DAYS - 1))
    tz = ZoneInfo(school.time_zone)
    found = reader_keys(school=school, user=user, roles=roles)
    if child_id is not None and child_id not in found["names"]:
        raise NotFound()
    calendar = school_calendar(school=school)
    events = events_between(school=school, user=user, roles=roles, start=start, end=end, found=found)
    entries = _event_entries(events, start=start, end=end, tz=tz, calendar=calendar, found=found, child_id=child_id)
    entries += _holiday_entries(school=school, start=start, end=end)
    entries += _planner_entries(school=school, classes=_planner_classes(found, roles, child_id), found=found,
                                start=start, end=end, tz=tz)
    entries.sort(key=lambda e: e.sort_key)
    days = []
    current = start
    while current <= end:
        days.append(Day(current, calendar.is_school_day(current), calendar.closure_on(current)))
        current += dt.timedelta(days=1)
    for entry in entries:
        first = max(entry.starts_on, start)
        last = min(entry.ends_on, end)
        for offset in range((last - first).days + 1):
            day = first + dt.timedelta(days=offset)
            days[(day - start).days].entries.append((entry, day != entry.starts_on))
    return days


def children(*, school: School, user: Any, roles: frozenset[str]) -> list[tuple[int, str]]:
    """A parent's children in the school, as (id, first name), for narrowing the calendar to one."""
    if Role.PARENT not in roles:
        return []
    found = reader_keys(school=school, user=user, roles=roles)
    return sorted(((int(pk), name) for pk, name in found["names"].items()), key=lambda c: c[1])


@dataclass(frozen=True)
class EventView:
    event: Event
    children: list[str]
    upcoming: list[recurrence.Occurrence]
    may_manage: bool


def event_for_reader(*, school: School, user: Any, roles: frozenset[str], event_id: int) -> EventView:
    """One event if the reader may see it (cancelled ones too: people planned for them), with its coming
    occurrences and, for a parent, the children it concerns."""
    found = reader_keys(school=school, user=user, roles=roles)
    event = (Event.objects.filter(_visible(school=school, user=user, roles=roles, keys=found["keys"]),
                                  school=school, pk=event_id)
             .select_related("author", "announcement")
             .prefetch_related(Prefetch("rules", queryset=EventRule.objects.filter(school=school))).first())
    if event is None:
        raise NotFound()
    tz = ZoneInfo(school.time_zone)
    today = clock.local_today(tz)
    upcoming = occurrences_of(event, start=max(today, event.starts_on), end=event.last_on, tz=tz,
                              calendar=school_calendar(school=school))[:12] if event.rule else []
    kids = _children(event, found)
    return EventView(event, [found["names"][c] for c in kids if c in found["names"]], upcoming,
                     permissions.may_manage(roles, author_id=event.author_id, user_id=user.pk,
                                            closes_school=event.closes_school) and event.cancelled_at is None)


def managed(*, school: School, user: Any, roles: frozenset[str], event_id: int) -> Event:
    """An event its author or the office may change, with its audience keys read."""
    event = Event.objects.filter(school=school, pk=event_id, cancelled_at__isnull=True).first()
    if event is None or not permissions.may_manage(roles, author_id=event.author_id, user_id=user.pk,
                                                   closes_school=event.closes_school):
        raise NotFound()
    return event


def keys_of(*, event: Event) -> list[str]:
    return list(EventRule.objects.filter(school_id=event.school_id, event=event).order_by("pk")
                .values_list("key", flat=True))


def author_choices(*, school: School, user: User, roles: frozenset[str]) -> list[tuple[str, str]]:
    year = audiences.year_of(school, clock.local_today(school.time_zone))
    return audiences.choices(school=school, year=year, everything=permissions.may_address_everything(roles),
                             user_id=user.pk)


def category_choices(roles: frozenset[str]) -> list[tuple[str, str]]:
    """The categories an author may choose: closure and study days only for who manages the calendar."""
    return [(value, str(label)) for value, label in Event.Category.choices
            if permissions.may_close_school(roles) or value not in {"closure", "study_day"}]
