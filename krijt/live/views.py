"""Pages of live lessons. Thin: a service or a selector per page, a template.

The join button posts to `join`, which answers with a redirect to the video service (an address made at that
moment, never shown on a page), or with the lesson's page saying why not yet: waiting for the teacher (the page
asks `state` every few seconds and joins by itself when the teacher is in), too early, over, or the school's
fallback when the video service fails.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from krijt.core import clock
from krijt.core.days import checked
from krijt.core.errors import KrijtError, NotFound
from krijt.core.forms import show_error
from krijt.core.middleware import CONTENT_SECURITY_POLICY
from krijt.core.permissions import school_view
from krijt.core.request import roles_of as _roles
from krijt.core.request import school_of as _school
from krijt.core.request import user_of as _user
from krijt.live import permissions, rules, selectors, services
from krijt.live.forms import LessonForm, ServerForm, SettingsForm
from krijt.live.models import Provider
from krijt.ops.admission import critical

POLL_SECONDS = 8


def _day(value: str) -> dt.date:
    try:
        return checked(dt.date.fromisoformat(value), "day")
    except ValueError:
        raise NotFound() from None


@never_cache
@school_view(roles=permissions.READ_ROLES)
def home(request: HttpRequest) -> HttpResponse:
    school, user, roles = _school(request), _user(request), _roles(request)
    rows = selectors.upcoming_for(school=school, user=user, roles=roles)
    now = clock.now()
    return render(request, "live/home.html", {
        "rows": [{"row": r, "open": rules.window(now, r.starts, r.ends, moderator=r.moderator) == rules.Window.OPEN}
                 for r in rows],
        "may_attach": bool(roles & permissions.ATTACH_ROLES), "may_configure": permissions.can_configure(roles=roles),
    })


def _lesson_in(form: LessonForm) -> services.LessonIn:
    data = form.cleaned_data
    return services.LessonIn(provider=data["provider"], when=data.get("when", ""), link=data.get("link") or "",
                             title=data.get("title") or "", recording=bool(data.get("recording")),
                             ends_on=data.get("ends_on"))


@never_cache
@require_http_methods(["GET", "POST"])
@school_view(roles=permissions.ATTACH_ROLES)
def new(request: HttpRequest) -> HttpResponse:
    school, user, roles = _school(request), _user(request), _roles(request)
    course_raw = request.POST.get("course") or request.GET.get("course") or ""
    if not course_raw.isdigit():
        courses = selectors.attachable_courses(school=school, user=user, roles=roles)
        return render(request, "live/choose_course.html", {"courses": courses})
    choices = selectors.attach_choices(school=school, user=user, roles=roles, course_id=int(course_raw))
    initial = {"when": request.GET.get("when", ""), "provider": choices.providers[0][0] if choices.providers else ""}
    form = LessonForm(request.POST or None, choices=choices, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            lesson = services.lesson_attach(school=school, actor=user, roles=roles, course_id=choices.course.pk,
                                            data=_lesson_in(form))
        except KrijtError as error:
            show_error(form, error)
        else:
            messages.success(request, _("The live lesson is planned. Students find the join button on Today and "
                                        "in Live lessons."))
            return redirect("live:lesson", lesson_id=lesson.pk)
    return render(request, "live/form.html", {"form": form, "choices": choices, "editing": False},
                  status=400 if form.errors else 200)


@never_cache
@require_http_methods(["GET", "POST"])
@school_view(roles=permissions.ATTACH_ROLES)
def lesson(request: HttpRequest, lesson_id: int) -> HttpResponse:
    school, user, roles = _school(request), _user(request), _roles(request)
    found = selectors.lesson_for_editor(school=school, user=user, roles=roles, lesson_id=lesson_id)
    choices = selectors.attach_choices(school=school, user=user, roles=roles, course_id=found.course_id)
    initial = {"provider": found.provider, "title": found.title, "recording": found.recording,
               "ends_on": found.ends_on if found.item_id is None else None}
    form = LessonForm(request.POST or None, choices=choices, editing=True, initial=initial)
    if found.item_id is not None:
        del form.fields["ends_on"]
    if request.method == "POST" and form.is_valid():
        try:
            services.lesson_change(school=school, actor=user, roles=roles, lesson_id=found.pk, data=_lesson_in(form))
        except KrijtError as error:
            show_error(form, error)
        else:
            messages.success(request, _("The live lesson is changed."))
            return redirect("live:lesson", lesson_id=found.pk)
    today = clock.local_today(school.time_zone)
    upcoming = [r for r in selectors.upcoming_for(school=school, user=user, roles=roles, today=today)
                if r.lesson.pk == found.pk]
    return render(request, "live/lesson.html", {"lesson": found, "form": form, "choices": choices,
                                                "upcoming": upcoming}, status=400 if form.errors else 200)


@require_POST
@school_view(roles=permissions.ATTACH_ROLES)
def cancel(request: HttpRequest, lesson_id: int) -> HttpResponse:
    services.lesson_cancel(school=_school(request), actor=_user(request), roles=_roles(request), lesson_id=lesson_id)
    messages.success(request, _("The live lesson is cancelled."))
    return redirect("live:home")


# --- an occurrence: the join button ---------------------------------------------------------------------------


def _planner_url(shown: selectors.Occurrence) -> str:
    """Where the lesson's tasks are: the class's week for its teacher, the student's own week."""
    if shown.moderator:
        return reverse("planner:class_week", kwargs={"class_id": shown.facts["class_id"]}) + \
            f"?week={shown.day.isoformat()}"
    return reverse("planner:mine") + f"?week={shown.day.isoformat()}"


def _page(request: HttpRequest, shown: selectors.Occurrence, outcome: services.Outcome | None,
          status: int = 200) -> HttpResponse:
    response = render(request, "live/occurrence.html", {
        "o": shown, "outcome": outcome, "window": shown.window(), "poll": POLL_SECONDS,
        "planner_url": _planner_url(shown), "link": shown.facts["provider"] == Provider.LINK,
    }, status=status)
    # The join button's answer redirects to the video service: the page's forms may lead there, and only there.
    targets = selectors.form_targets(shown.setup, shown.facts)
    if targets:
        response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
            "form-action 'self'", "form-action 'self' " + " ".join(targets))
    return response


def _leave(url: str) -> HttpResponse:
    """The redirect to a video service: never a page showing its address, and no referrer for it to read."""
    response = HttpResponseRedirect(url, status=303)
    response["Referrer-Policy"] = "no-referrer"
    return response


@never_cache
@school_view(roles=permissions.READ_ROLES)
def occurrence(request: HttpRequest, lesson_id: int, day: str) -> HttpResponse:
    shown = selectors.occurrence_for(school=_school(request), user=_user(request), roles=_roles(request),
                                     lesson_id=lesson_id, day=_day(day))
    return _page(request, shown, None)


@never_cache
@critical
@require_POST
@school_view(roles=permissions.READ_ROLES)
def join(request: HttpRequest, lesson_id: int, day: str) -> HttpResponse:
    school, user, roles = _school(request), _user(request), _roles(request)
    lesson_day = _day(day)
    outcome = services.join(school=school, actor=user, roles=roles, lesson_id=lesson_id, day=lesson_day)
    if outcome.kind == "go":
        return _leave(outcome.url)
    shown = selectors.occurrence_for(school=school, user=user, roles=roles, lesson_id=lesson_id, day=lesson_day)
    return _page(request, shown, outcome)


@never_cache
@school_view(roles=permissions.READ_ROLES)
def state(request: HttpRequest, lesson_id: int, day: str) -> HttpResponse:
    """The waiting page's question every few seconds: cached parts and one cache read, no table."""
    school, user, roles = _school(request), _user(request), _roles(request)
    lesson_day = _day(day)
    shown = selectors.occurrence_for(school=school, user=user, roles=roles, lesson_id=lesson_id, day=lesson_day)
    found = selectors.state_of(school=school, lesson_id=lesson_id, day=lesson_day)
    ready = found["teacher"] and found["state"] == "created"
    return render(request, "live/_wait.html", {
        "o": shown, "ready": ready, "fallback": found["state"] == "fallback", "over": shown.window() == "over",
        "poll": POLL_SECONDS})


@never_cache
@school_view(roles=permissions.READ_ROLES)
def other(request: HttpRequest, lesson_id: int, day: str) -> HttpResponse:
    """The school's other video service, for someone who may join this lesson (a redirect: never shown)."""
    shown = selectors.occurrence_for(school=_school(request), user=_user(request), roles=_roles(request),
                                     lesson_id=lesson_id, day=_day(day))
    link = shown.setup["settings"]["fallback_link"]
    if not link:
        raise NotFound()
    return _leave(link)


@never_cache
@school_view(roles=permissions.ATTACH_ROLES)
def joined(request: HttpRequest, lesson_id: int, day: str) -> HttpResponse:
    found = selectors.joins_of(school=_school(request), user=_user(request), roles=_roles(request),
                               lesson_id=lesson_id, day=_day(day))
    shown = found.occurrence
    register_url = reverse("attendance:register", kwargs={
        "course_id": shown.facts["course_id"], "day": shown.day.isoformat(), "period": shown.facts["period"]})
    return render(request, "live/joined.html", {"found": found, "o": shown,
                                                "register_url": register_url + "?suggest=live"})


# --- the school's settings ------------------------------------------------------------------------------------


def _server_in(form: ServerForm) -> services.ServerIn:
    data = form.cleaned_data
    return services.ServerIn(kind=data["kind"], name=data["name"], url=data["url"], secret=data.get("secret") or "",
                             app_id=data.get("app_id") or "", use=data["use"], active=bool(data.get("active")))


@never_cache
@require_http_methods(["GET", "POST"])
@school_view(roles=permissions.SETTINGS_ROLES)
def settings_page(request: HttpRequest) -> HttpResponse:
    school, roles = _school(request), _roles(request)
    chosen, servers = selectors.settings_view(school=school, roles=roles)
    form = SettingsForm(request.POST if request.POST.get("form") == "settings" else None, initial={
        "fallback": chosen.fallback, "fallback_link": chosen.fallback_link, "fallback_note": chosen.fallback_note,
        "recordings_allowed": chosen.recordings_allowed}, prefix="s")
    server_form = ServerForm(request.POST if request.POST.get("form") == "server" else None, prefix="n")
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            services.settings_update(school=school, roles=roles, data=services.SettingsIn(
                recordings_allowed=bool(data.get("recordings_allowed")), fallback=data["fallback"],
                fallback_link=data.get("fallback_link") or "", fallback_note=data.get("fallback_note") or ""))
        except KrijtError as error:
            show_error(form, error)
        else:
            messages.success(request, _("The settings are saved."))
            return redirect("live:settings")
    if server_form.is_bound and server_form.is_valid():
        try:
            services.server_add(school=school, roles=roles, data=_server_in(server_form))
        except KrijtError as error:
            show_error(server_form, error)
        else:
            messages.success(request, _("The server is added."))
            return redirect("live:settings")
    bad = bool(form.errors or server_form.errors)
    return render(request, "live/settings.html", {"form": form, "server_form": server_form, "servers": servers},
                  status=400 if bad else 200)


@never_cache
@require_http_methods(["GET", "POST"])
@school_view(roles=permissions.SETTINGS_ROLES)
def server(request: HttpRequest, server_id: int) -> HttpResponse:
    school, roles = _school(request), _roles(request)
    found = selectors.server_for_admin(school=school, roles=roles, server_id=server_id)
    if request.method == "POST" and request.POST.get("remove"):
        services.server_remove(school=school, roles=roles, server_id=found.pk)
        messages.success(request, _("The server is removed."))
        return redirect("live:settings")
    initial: dict[str, Any] = {"kind": found.kind, "name": found.name, "url": found.url, "app_id": found.app_id,
                               "use": found.use, "active": found.active}
    form = ServerForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.server_change(school=school, roles=roles, server_id=found.pk, data=_server_in(form))
        except KrijtError as error:
            show_error(form, error)
        else:
            messages.success(request, _("The server is changed."))
            return redirect("live:settings")
    return render(request, "live/server.html", {"form": form, "server": found}, status=400 if form.errors else 200)
