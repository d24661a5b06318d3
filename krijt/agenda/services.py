"""Writes of the school calendar: add, change and cancel an event.

An event is one row and one row per audience key, whatever the audience's size. A closure or pedagogical
study day also writes the school calendar's closure entries through the schools' own door
(calendar_entry_create), so lessons disappear that day, no test may be due on it and the notification
engine's quiet hours treat it as a day off; changing or cancelling the event moves or removes them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils.translation import gettext as _

from krijt.accounts.models import User
from krijt.accounts.selectors import actor_roles
from krijt.agenda import permissions, recurrence
from krijt.agenda.models import CLOSING, Event, EventClosure, EventRule
from krijt.announcements import audiences
from krijt.announcements.selectors import announcement_for_reader
from krijt.core import clock
from krijt.core.errors import Forbidden, NotFound, ValidationFailed
from krijt.schools.calendar import year_containing
from krijt.schools.models import CalendarEntry, School, SchoolYear
from krijt.schools.services import calendar_entry_create

TITLE_MAX = 200
DESCRIPTION_MAX = 5000
PLACE_MAX = 200
MAX_DAYS = 60
MAX_CLOSURES = 60


def _rule_error(reason: str) -> str:
    return {
        "shape": _("Write the rule as in RFC 5545, e.g. FREQ=WEEKLY;UNTIL=20270630."),
        "frequency": _("An event repeats daily, weekly, monthly or yearly."),
        "unbounded": _("Say until when the event repeats, or how many times."),
        "empty": _("This rule gives no day at all."),
        "too_many": _("An event repeats at most %(n)s times.") % {"n": recurrence.MAX_OCCURRENCES},
        "too_long": _("An event repeats for at most three years."),
        "overlap": _("An event cannot repeat before it has ended."),
    }[reason]


@dataclass(frozen=True)
class EventIn:
    title: str
    starts_on: dt.date
    ends_on: dt.date | None = None
    start_time: dt.time | None = None
    end_time: dt.time | None = None
    description: str = ""
    place: str = ""
    category: str = Event.Category.OTHER
    audience: Sequence[str] = ("school",)
    rule: str = ""
    skip_days_without_school: bool = True
    announcement_id: int | None = None


@dataclass(frozen=True)
class Checked:
    title: str
    description: str
    place: str
    when: recurrence.When
    last_on: dt.date
    keys: list[str]
    label: str


def _text(value: str, limit: int, field: str, errors: dict[str, list[str]], *, required: str = "",
          one_line: bool = True) -> str:
    text = " ".join((value or "").split()) if one_line else (value or "").strip().replace("\r\n", "\n")
    if required and not text:
        errors[field] = [required]
    elif len(text) > limit:
        errors[field] = [_("At most %(n)s characters.") % {"n": limit}]
    return text


def _when(data: EventIn, *, tz: ZoneInfo, errors: dict[str, list[str]]) -> tuple[recurrence.When, dt.date]:
    ends_on = data.ends_on or data.starts_on
    if ends_on < data.starts_on:
        errors["ends_on"] = [_("An event ends on or after the day it starts.")]
        ends_on = data.starts_on
    elif (ends_on - data.starts_on).days >= MAX_DAYS:
        errors["ends_on"] = [_("An event lasts at most %(n)s days; repeat it instead.") % {"n": MAX_DAYS}]
    start_time, end_time = data.start_time, data.end_time
    if (start_time is None) != (end_time is None):
        errors["end_time" if end_time is None else "start_time"] = [
            _("Give both the start and the end time, or neither for an all-day event.")]
        start_time = end_time = None
    elif start_time is not None and end_time is not None and ends_on == data.starts_on and end_time <= start_time:
        errors["end_time"] = [_("An event ends after it starts.")]
    if data.category in CLOSING and start_time is not None:
        errors["start_time"] = [_("A closure or study day lasts whole days: leave the times empty.")]
    try:
        rule = recurrence.normalise_rule(data.rule, tz=tz)
    except recurrence.RuleError as exc:
        errors["rule"] = [_rule_error(exc.reason)]
        rule = ""
    when = recurrence.When(data.starts_on, ends_on, start_time, end_time, rule,
                           data.skip_days_without_school and data.category not in CLOSING)
    last_on = ends_on
    if rule and not errors:
        try:
            last_on = recurrence.check(when)
        except recurrence.RuleError as exc:
            errors["rule"] = [_rule_error(exc.reason)]
    return when, last_on


def _check(*, school: School, actor: User, roles: frozenset[str], data: EventIn) -> Checked:
    errors: dict[str, list[str]] = {}
    title = _text(data.title, TITLE_MAX, "title", errors, required=_("Write a title."))
    description = _text(data.description, DESCRIPTION_MAX, "description", errors, one_line=False)
    place = _text(data.place, PLACE_MAX, "place", errors)
    if data.category not in Event.Category.values:
        errors["category"] = [_("Choose from the list.")]
    when, last_on = _when(data, tz=ZoneInfo(school.time_zone), errors=errors)
    if errors:
        raise ValidationFailed(fields=errors)
    if data.category in CLOSING:
        if not permissions.may_close_school(roles):
            raise Forbidden(_("Only the school's administrators close the school or plan a study day."))
        keys = ["school"]  # a day without lessons is the whole school's
    else:
        keys = audiences.parse(data.audience)
    year = audiences.year_of(school, clock.local_today(school.time_zone))
    label = audiences.check(school=school, keys=keys, everything=permissions.may_address_everything(roles),
                            user_id=actor.pk, year=year)
    if data.announcement_id is not None:
        announcement_for_reader(school=school, user=actor, roles=roles, announcement_id=data.announcement_id)
    return Checked(title, description, place, when, last_on, keys, label)


def _write_closures(*, school: School, actor: User, roles: frozenset[str], event: Event, when: recurrence.When,
                    last_on: dt.date) -> None:
    """One closure entry of the school calendar per occurrence, inside its school year."""
    found = recurrence.occurrences(when, start=when.starts_on, end=last_on, tz=ZoneInfo(school.time_zone))
    if len(found) > MAX_CLOSURES:
        raise ValidationFailed(fields={"rule": [_("A closure repeats at most %(n)s times.") % {"n": MAX_CLOSURES}]})
    years = list(SchoolYear.objects.filter(school=school).order_by("starts_on"))
    for occurrence in found:
        year = year_containing(years, occurrence.starts_on)
        if year is None or occurrence.ends_on > year.ends_on:
            raise ValidationFailed(fields={"starts_on": [
                _("A closure or study day lies inside a school year; enter the school year first.")]})
        entry = calendar_entry_create(school=school, actor=actor, roles=roles, school_year=year,
                                      kind=CalendarEntry.Kind.CLOSURE, name=event.title,
                                      starts_on=occurrence.starts_on, ends_on=occurrence.ends_on)
        EventClosure.objects.create(school=school, event=event, entry=entry)


def _drop_closures(*, school: School, event: Event) -> None:
    entry_ids = list(EventClosure.objects.filter(school=school, event=event).values_list("entry_id", flat=True))
    for entry in CalendarEntry.objects.filter(school=school, pk__in=entry_ids):
        entry.delete()  # one by one: the signals drop the cached school calendar and its parts


def _apply(event: Event, checked: Checked, data: EventIn) -> None:
    when = checked.when
    event.title, event.description, event.place = checked.title, checked.description, checked.place
    event.category = data.category
    event.starts_on, event.ends_on = when.starts_on, when.ends_on
    event.start_time, event.end_time = when.start_time, when.end_time
    event.rule, event.skip_days_without_school = when.rule, when.skip_days_without_school
    event.last_on, event.audience_label = checked.last_on, checked.label
    event.announcement_id = data.announcement_id


@transaction.atomic
def event_add(*, school: School, author: User, data: EventIn, roles: frozenset[str] | None = None) -> Event:
    """Adds an event to the school calendar: a fixed number of queries, whatever the audience."""
    known = actor_roles(school=school, actor=author, roles=roles)
    if not known & permissions.WRITE_ROLES:
        raise Forbidden()
    checked = _check(school=school, actor=author, roles=known, data=data)
    event = Event(school=school, author=author)
    _apply(event, checked, data)
    event.save()
    EventRule.objects.bulk_create([EventRule(school=school, event=event, key=k) for k in checked.keys])
    if event.closes_school:
        _write_closures(school=school, actor=author, roles=known, event=event, when=checked.when,
                        last_on=checked.last_on)
    return event


def _managed(*, school: School, actor: User, roles: frozenset[str], event_id: int) -> Event:
    event = Event.objects.select_for_update().filter(school=school, pk=event_id, cancelled_at__isnull=True).first()
    if event is None:
        raise NotFound()
    if not permissions.may_manage(roles, author_id=event.author_id, user_id=actor.pk,
                                  closes_school=event.closes_school):
        raise Forbidden()
    return event


@transaction.atomic
def event_change(*, school: School, actor: User, event_id: int, data: EventIn,
                 roles: frozenset[str] | None = None) -> Event:
    """Changes an event; its closure entries follow its new days."""
    known = actor_roles(school=school, actor=actor, roles=roles)
    event = _managed(school=school, actor=actor, roles=known, event_id=event_id)
    checked = _check(school=school, actor=actor, roles=known, data=data)
    _drop_closures(school=school, event=event)
    _apply(event, checked, data)
    event.sequence += 1
    event.save()
    EventRule.objects.filter(school=school, event=event).delete()
    EventRule.objects.bulk_create([EventRule(school=school, event=event, key=k) for k in checked.keys])
    if event.closes_school:
        _write_closures(school=school, actor=actor, roles=known, event=event, when=checked.when,
                        last_on=checked.last_on)
    return event


@transaction.atomic
def event_cancel(*, school: School, actor: User, event_id: int, roles: frozenset[str] | None = None) -> Event:
    """Cancels an event: it stays visible as cancelled (calendar apps take it away), and a closure day it
    made is a school day again."""
    known = actor_roles(school=school, actor=actor, roles=roles)
    event = _managed(school=school, actor=actor, roles=known, event_id=event_id)
    _drop_closures(school=school, event=event)
    event.cancelled_at = clock.now()
    event.sequence += 1
    event.save(update_fields=["cancelled_at", "sequence", "updated_at"])
    return event

