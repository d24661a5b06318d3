"""The school calendar as JSON, through the same doors as the pages: a person's calendar for a range (events,
holidays and, for a student or a parent, the planner's tests and tasks), one event; for authors adding,
changing and cancelling one."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from krijt.agenda import permissions, selectors, services
from krijt.agenda.models import Event
from krijt.announcements import audiences
from krijt.core.api import Day, caller, ok
from krijt.core.errors import ValidationFailed

router: Router = Router(tags=["calendar"])


class EntryOut(Schema):
    kind: str = Field(..., description="event, closed (a holiday or closure day), test or task.")
    title: str
    starts_on: dt.date
    ends_on: dt.date = Field(..., description="The last day, inclusive.")
    start: dt.datetime | None = Field(..., description="For a timed entry, in the school's time zone.")
    end: dt.datetime | None
    category: str
    place: str
    cancelled: bool
    children: list[str] = Field(..., description="For a parent: the children it concerns, by first name.")
    event_id: int | None
    item_id: int | None = Field(..., description="A planner item (a test or a task).")


class EventOut(Schema):
    id: int
    title: str
    description: str
    place: str
    category: str
    starts_on: dt.date
    ends_on: dt.date
    start_time: dt.time | None = Field(..., description="Empty for an all-day event (school's wall-clock time).")
    end_time: dt.time | None
    rule: str = Field(..., description="RFC 5545 RRULE value; UNTIL in the school's wall-clock time.")
    skip_days_without_school: bool
    audience: str
    announcement_id: int | None
    cancelled: bool
    upcoming: list[dt.date] = Field(..., description="The next dates of a repeating event (at most 12).")


class EventIn(Schema):
    title: str = Field(..., max_length=services.TITLE_MAX)
    starts_on: Day
    ends_on: Day | None = None
    start_time: dt.time | None = None
    end_time: dt.time | None = None
    description: str = Field("", max_length=services.DESCRIPTION_MAX)
    place: str = Field("", max_length=services.PLACE_MAX)
    category: str = Field(Event.Category.OTHER, description="parent_evening, report_day, exam_period, excursion, "
                          "closure, study_day or other. A closure or study day is for the whole school.")
    audience: list[str] = Field(["school"], min_length=1, max_length=audiences.MAX_KEYS,
                                description='Keys as for announcements: "school", "class:<id>", '
                                            '"parents-grade:<n>", ...')
    rule: str = Field("", max_length=300, description="An RFC 5545 RRULE, bounded by UNTIL or COUNT.")
    skip_days_without_school: bool = True
    announcement_id: int | None = None


class RangeIn(Schema):
    start: Day = Field(..., alias="from")
    end: Day = Field(..., alias="to", description=f"Inclusive; at most {selectors.MAX_RANGE_DAYS} days after from.")
    child_id: int | None = None


def _entries(days: list[selectors.Day]) -> list[dict[str, Any]]:
    seen: set[int] = set()
    found = []
    for day in days:
        for entry, _continued in day.entries:
            if id(entry) in seen:
                continue
            seen.add(id(entry))
            found.append({"kind": entry.kind, "title": entry.title, "starts_on": entry.starts_on,
                          "ends_on": entry.ends_on, "start": entry.start, "end": entry.end, "category": entry.category,
                          "place": entry.place, "cancelled": entry.cancelled, "children": list(entry.children),
                          "event_id": entry.event_id, "item_id": entry.item_id})
    return found


@router.get("/calendar", response=ok(list[EntryOut], 403), summary="My calendar")
def calendar(request: HttpRequest, span: Query[RangeIn]) -> list[dict[str, Any]]:
    """Each entry once, by its first day in the range; a parent may ask for one child."""
    c = caller(request, permissions.READ_ROLES)
    if span.end < span.start:
        raise ValidationFailed(fields={"to": [_("The last day is on or after the first.")]})
    return _entries(selectors.days_of(school=c.school, user=c.user, roles=c.roles, start=span.start, end=span.end,
                                      child_id=span.child_id))


def _out(shown: selectors.EventView) -> dict[str, Any]:
    event = shown.event
    return {"id": event.pk, "title": event.title, "description": event.description, "place": event.place,
            "category": event.category, "starts_on": event.starts_on, "ends_on": event.ends_on,
            "start_time": event.start_time, "end_time": event.end_time, "rule": event.rule,
            "skip_days_without_school": event.skip_days_without_school, "audience": event.audience_label,
            "announcement_id": event.announcement_id, "cancelled": event.cancelled_at is not None,
            "upcoming": [o.starts_on for o in shown.upcoming]}


def _shown(request: HttpRequest, event_id: int) -> dict[str, Any]:
    c = caller(request, permissions.READ_ROLES)
    return _out(selectors.event_for_reader(school=c.school, user=c.user, roles=c.roles, event_id=event_id))


@router.get("/events/{event_id}", response=ok(EventOut, 403), summary="An event")
def event(request: HttpRequest, event_id: int) -> dict[str, Any]:
    return _shown(request, event_id)


def _data(body: EventIn) -> services.EventIn:
    return services.EventIn(
        title=body.title, starts_on=body.starts_on, ends_on=body.ends_on, start_time=body.start_time,
        end_time=body.end_time, description=body.description, place=body.place, category=body.category,
        audience=body.audience, rule=body.rule, skip_days_without_school=body.skip_days_without_school,
        announcement_id=body.announcement_id)


@router.post("/events", response=ok(EventOut, 403, status=201), summary="Add an event")
def add(request: HttpRequest, body: EventIn) -> Status[dict[str, Any]]:
    """The same audiences, recurrence and closure rules as the page."""
    c = caller(request, permissions.WRITE_ROLES)
    item = services.event_add(school=c.school, author=c.user, roles=c.roles, data=_data(body))
    return Status(201, _shown(request, item.pk))


@router.put("/events/{event_id}", response=ok(EventOut, 403), summary="Change an event")
def change(request: HttpRequest, event_id: int, body: EventIn) -> dict[str, Any]:
    c = caller(request, permissions.WRITE_ROLES)
    services.event_change(school=c.school, actor=c.user, roles=c.roles, event_id=event_id, data=_data(body))
    return _shown(request, event_id)


@router.post("/events/{event_id}/cancel", response=ok(EventOut, 403), summary="Cancel an event")
def cancel(request: HttpRequest, event_id: int) -> dict[str, Any]:
    c = caller(request, permissions.WRITE_ROLES)
    services.event_cancel(school=c.school, actor=c.user, roles=c.roles, event_id=event_id)
    return _shown(request, event_id)
