"""A person's planner as an iCalendar feed (krijt.core.ical), with what other modules add to it
(krijt.planner.extensions.register_feed_source: the school calendar's events, the timetable)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from krijt.core.ical import FeedEvent, calendar
from krijt.planner.models import PlannerItem


def summary(item: PlannerItem) -> str:
    kind = _("Test") if item.kind == PlannerItem.Kind.TEST else _("Task")
    return f"{item.course.name} · {kind}: {item.title}"


def item_event(item: PlannerItem, *, zone: ZoneInfo, uid_host: str, url: str) -> FeedEvent:
    start = end = None
    if item.lesson_period is not None:
        start = dt.datetime.combine(item.due_date, item.lesson_period.starts_at, tzinfo=zone)
        end = dt.datetime.combine(item.due_date, item.lesson_period.ends_at, tzinfo=zone)
    return FeedEvent(
        uid=f"planner-{item.pk}@{uid_host}", summary=summary(item), stamp=item.updated_at, sequence=item.version,
        start=start, end=end, first_day=None if start else item.due_date, description=item.description, url=url,
        categories=("TEST" if item.kind == PlannerItem.Kind.TEST else "TASK",))


def planner_calendar(*, items: Iterable[PlannerItem], school_slug: str, tz: str, name: str, host: str,
                     link: Callable[[PlannerItem], str] = lambda item: "",
                     extra: Iterable[FeedEvent] = ()) -> str:
    zone = ZoneInfo(tz)
    uid_host = f"{school_slug}.{host}"
    events = [item_event(item, zone=zone, uid_host=uid_host, url=link(item)) for item in items]
    return calendar(events=[*events, *extra], name=name, tz=tz)
