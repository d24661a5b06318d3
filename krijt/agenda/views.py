"""Pages of the school calendar: a person's month, week and agenda; one event; for authors adding, changing
and cancelling one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from krijt.agenda import permissions, selectors, services
from krijt.agenda.forms import EventForm
from krijt.agenda.models import Event
from krijt.agenda.recurrence import describe
from krijt.announcements.selectors import announcement_for_reader
from krijt.announcements.selectors import keys_of as announcement_keys
from krijt.core import clock, days
from krijt.core.errors import KrijtError, NotFound
from krijt.core.forms import show_error
from krijt.core.permissions import school_view
from krijt.core.request import roles_of as _roles
from krijt.core.request import school_of as _school
from krijt.core.request import user_of as _user

VIEWS = ("month", "week", "agenda")
# The rules the form's "Repeats" list writes, by (FREQ, INTERVAL): a changed event shows them there again.
SIMPLE_RULES = {("WEEKLY", 1): "weekly", ("WEEKLY", 2): "fortnightly", ("MONTHLY", 1): "monthly",
                ("DAILY", 1): "daily", ("YEARLY", 1): "yearly"}
AGENDA_DAYS = 42


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _month_after(first: dt.date) -> dt.date:
    return (first + dt.timedelta(days=32)).replace(day=1)


def _range(view: str, day: dt.date) -> tuple[dt.date, dt.date, dt.date, dt.date]:
    """(start, end, previous, next) of the view around `day`."""
    if view == "week":
        start = _monday(day)
        return start, start + dt.timedelta(days=6), start - dt.timedelta(days=7), start + dt.timedelta(days=7)
    if view == "agenda":
        return day, day + dt.timedelta(days=AGENDA_DAYS - 1), day - dt.timedelta(days=AGENDA_DAYS), \
            day + dt.timedelta(days=AGENDA_DAYS)
    first = day.replace(day=1)
    following = _month_after(first)
    start = _monday(first)
    end = _monday(following - dt.timedelta(days=1)) + dt.timedelta(days=6)
    return start, end, (first - dt.timedelta(days=1)).replace(day=1), following


@never_cache
@school_view(roles=permissions.READ_ROLES)
def home(request: HttpRequest) -> HttpResponse:
    school, user, roles = _school(request), _user(request), _roles(request)
    wanted = request.GET.get("view", "")
    view = wanted if wanted in VIEWS else "month"
    today = clock.local_today(school.time_zone)
    day = days.day_param(request.GET.get("day"), "day", today)
    if not days.in_range(day - dt.timedelta(days=60)) or not days.in_range(day + dt.timedelta(days=60)):
        raise days.out_of_range("day")
    child_param = request.GET.get("child", "")
    child_id = int(child_param) if child_param.isdigit() and len(child_param) < 10 else None
    start, end, previous, following = _range(view, day)
    shown = selectors.days_of(school=school, user=user, roles=roles, start=start, end=end, child_id=child_id)
    context: dict[str, Any] = {
        "view": view, "day": day, "today": today, "start": start, "end": end, "previous": previous,
        "following": following, "days": shown, "children": selectors.children(school=school, user=user, roles=roles),
        "child_id": child_id, "may_write": bool(roles & permissions.WRITE_ROLES),
        "query": f"&child={child_id}" if child_id else "",
    }
    if view == "month":
        context["weeks"] = [shown[i:i + 7] for i in range(0, len(shown), 7)]
        context["month"] = day.replace(day=1)
    if view == "agenda":
        context["agenda"] = [d for d in shown if d.starting or (d.day == start and d.entries)]
    return render(request, "agenda/home.html", context)


@never_cache
@school_view(roles=permissions.READ_ROLES)
def event(request: HttpRequest, event_id: int) -> HttpResponse:
    school, user, roles = _school(request), _user(request), _roles(request)
    shown = selectors.event_for_reader(school=school, user=user, roles=roles, event_id=event_id)
    announcement = None
    if shown.event.announcement_id is not None:
        try:
            announcement = announcement_for_reader(school=school, user=user, roles=roles,
                                                   announcement_id=shown.event.announcement_id)
        except NotFound:
            announcement = None
    return render(request, "agenda/event.html", {
        "shown": shown, "item": shown.event, "announcement": announcement, "repeat": describe(shown.event.rule)})


def _data(form: EventForm) -> services.EventIn:
    data = form.cleaned_data
    return services.EventIn(
        title=data["title"], starts_on=data["starts_on"], ends_on=data["ends_on"], start_time=data["start_time"],
        end_time=data["end_time"], description=data["description"], place=data["place"], category=data["category"],
        audience=data["audience"], rule=form.rule_text(), skip_days_without_school=data["skip_days_without_school"],
        announcement_id=data["announcement"])


def _closure_note(request: HttpRequest, school: Any, item: Event) -> None:
    if not item.closes_school:
        return
    count = selectors.planned_on_closed_days(school=school, event=item)
    if count:
        messages.warning(request, ngettext(
            "%(n)s test or task is still due on a day without lessons now; its teacher should move it.",
            "%(n)s tests or tasks are still due on days without lessons now; their teachers should move them.",
            count) % {"n": count})


def _form(request: HttpRequest, *, initial: dict[str, Any], extra_keys: Sequence[str] = ()) -> EventForm:
    school, user, roles = _school(request), _user(request), _roles(request)
    choices = selectors.author_choices(school=school, user=user, roles=roles)
    known = dict(choices)
    choices += [(k, k) for k in extra_keys if k not in known]
    return EventForm(request.POST if request.method == "POST" else None, audience=choices,
                     categories=selectors.category_choices(roles), initial=initial)


def _prefill(request: HttpRequest) -> dict[str, Any]:
    """A new event, or one for an announcement (`?announcement=`): its title and audience."""
    school, user, roles = _school(request), _user(request), _roles(request)
    initial: dict[str, Any] = {"audience": ["school"], "skip_days_without_school": True,
                               "starts_on": clock.local_today(school.time_zone)}
    wanted = request.GET.get("announcement", "")
    if wanted.isdigit() and len(wanted) < 10:
        item = announcement_for_reader(school=school, user=user, roles=roles, announcement_id=int(wanted))
        initial.update({"title": item.title, "audience": announcement_keys(item=item), "announcement": item.pk})
    return initial


def _save(request: HttpRequest, form: EventForm, editing: Event | None,
          save: Callable[[services.EventIn], Event], done: str) -> HttpResponse:
    """The event form's page: on a valid post the service's door, then the event's page (with a word on the
    tests still due on the days a closure takes); else the form with what to correct."""
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                item = save(_data(form))
            except KrijtError as exc:
                show_error(form, exc)
                status = exc.status
            else:
                messages.success(request, done)
                _closure_note(request, _school(request), item)
                return redirect("agenda:event", event_id=item.pk)
        else:
            status = 400
    return render(request, "agenda/write.html", {"form": form, "editing": editing}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
@school_view(roles=permissions.WRITE_ROLES)
def write(request: HttpRequest) -> HttpResponse:
    school, user, roles = _school(request), _user(request), _roles(request)
    initial = _prefill(request)
    form = _form(request, initial=initial, extra_keys=list(initial["audience"]))
    return _save(request, form, None, lambda data: services.event_add(school=school, author=user, roles=roles,
                                                                      data=data), _("The event is in the calendar."))


@never_cache
@require_http_methods(["GET", "POST"])
@school_view(roles=permissions.WRITE_ROLES)
def change(request: HttpRequest, event_id: int) -> HttpResponse:
    school, user, roles = _school(request), _user(request), _roles(request)
    item = selectors.managed(school=school, user=user, roles=roles, event_id=event_id)
    repeat = describe(item.rule)
    simple_name = SIMPLE_RULES.get((repeat.freq, repeat.interval)) if repeat.simple and repeat.until else None
    keys = selectors.keys_of(event=item)
    initial = {
        "title": item.title, "category": item.category, "starts_on": item.starts_on,
        "ends_on": item.ends_on if item.ends_on != item.starts_on else None, "start_time": item.start_time,
        "end_time": item.end_time, "place": item.place, "description": item.description, "audience": keys,
        "repeat": simple_name or "", "repeat_until": repeat.until if simple_name else None,
        "rule": "" if simple_name or not item.rule else item.rule,
        "skip_days_without_school": item.skip_days_without_school if item.rule else True,
        "announcement": item.announcement_id}
    form = _form(request, initial=initial, extra_keys=keys)
    return _save(request, form, item, lambda data: services.event_change(
        school=school, actor=user, roles=roles, event_id=item.pk, data=data), _("The event is changed."))


@require_POST
@school_view(roles=permissions.WRITE_ROLES)
def cancel(request: HttpRequest, event_id: int) -> HttpResponse:
    school, user, roles = _school(request), _user(request), _roles(request)
    services.event_cancel(school=school, actor=user, roles=roles, event_id=event_id)
    messages.success(request, _("The event is cancelled."))
    return redirect("agenda:event", event_id=event_id)
