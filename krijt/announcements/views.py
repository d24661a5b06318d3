"""Pages of announcements: a reader's list and one announcement with its answer; for authors writing,
changing, withdrawing and the answers per class with a reminder."""

from __future__ import annotations

import dataclasses
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from krijt.announcements import permissions, selectors, services
from krijt.announcements.forms import AnnouncementForm
from krijt.announcements.models import Announcement
from krijt.announcements.services import AnnouncementIn
from krijt.core import clock
from krijt.core.downloads import stored_file_response
from krijt.core.errors import KrijtError
from krijt.core.forms import show_error
from krijt.core.permissions import school_view
from krijt.core.request import roles_of as _roles
from krijt.core.request import school_of as _school
from krijt.core.request import user_of as _user


def _language() -> str:
    return (translation.get_language() or "nl")[:2]


@never_cache
@school_view(roles=permissions.READ_ROLES)
def home(request: HttpRequest) -> HttpResponse:
    """A reader's announcements: pinned first, then unread or waiting for an answer, then the rest."""
    school, user, roles = _school(request), _user(request), _roles(request)
    rows = selectors.feed(school=school, user=user, roles=roles, language=_language())
    return render(request, "announcements/home.html", {
        "rows": rows, "may_write": bool(roles & permissions.WRITE_ROLES)})


@never_cache
@require_http_methods(["GET", "POST"])
@school_view(roles=permissions.READ_ROLES)
def detail(request: HttpRequest, announcement_id: int) -> HttpResponse:
    school, user, roles = _school(request), _user(request), _roles(request)
    if request.method == "POST":
        student = request.POST.get("student", "")
        try:
            services.answer_give(school=school, user=user, roles=roles, announcement_id=announcement_id,
                                 choice=request.POST.get("choice", ""),
                                 student_id=int(student) if student.isdigit() else None)
        except KrijtError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Your answer is saved."))
        return redirect("announcements:detail", announcement_id=announcement_id)
    item = services.announcement_opened(school=school, user=user, roles=roles, announcement_id=announcement_id)
    shown = selectors.reader_view(school=school, user=user, roles=roles, item=item, language=_language())
    return render(request, "announcements/detail.html", {
        "shown": shown, "item": item, "open": item.answers_open_on(clock.local_today(school.time_zone)),
        "published": item.publish_at <= clock.now()})


def _data(form: AnnouncementForm, tz: str) -> AnnouncementIn:
    data = form.cleaned_data
    return AnnouncementIn(
        title=data["title"], body=data["body"], audience=data["audience"], language=data["language"],
        publish_at=clock.wall_time(data["publish_at"], tz), pinned_until=data["pinned_until"],
        expires_at=clock.wall_time(data["expires_at"], tz), urgent=data["urgent"], urgent_reason=data["urgent_reason"],
        reply=data["reply"], slip_question=data["slip_question"], slip_options=form.options(),
        answer_by=data["answer_by"], translations=form.translations())


def _files(request: HttpRequest) -> list[Any]:
    return [f for f in request.FILES.getlist("files") if f.name]


def _context(form: AnnouncementForm, **extra: Any) -> dict[str, Any]:
    return {"form": form, "accept": services.FILE.accept, "kinds_hint": services.FILE.kinds,
            "translation_fields": [(form[f"title_{c}"], form[f"body_{c}"]) for c, _n in _languages()], **extra}


def _languages() -> list[tuple[str, str]]:
    from django.conf import settings

    return [(code, str(name)) for code, name in settings.LANGUAGES]


@never_cache
@require_http_methods(["GET", "POST"])
@school_view(roles=permissions.WRITE_ROLES)
def write(request: HttpRequest) -> HttpResponse:
    school, user, roles = _school(request), _user(request), _roles(request)
    choices = selectors.author_choices(school=school, user=user, roles=roles)
    form = AnnouncementForm(request.POST if request.method == "POST" else None, audience=choices,
                            initial={"language": _language(), "reply": Announcement.Reply.NONE})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                item = services.announcement_post(school=school, author=user, roles=roles,
                                                  data=_data(form, school.time_zone), files=_files(request))
            except KrijtError as exc:
                show_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("The announcement is posted. People are told at the moments the "
                                            "school's quiet hours allow; parents in their digest."))
                return redirect("announcements:detail", announcement_id=item.pk)
        else:
            status = 400
    return render(request, "announcements/write.html", _context(form, editing=None), status=status)


@never_cache
@require_http_methods(["GET", "POST"])
@school_view(roles=permissions.WRITE_ROLES)
def change(request: HttpRequest, announcement_id: int) -> HttpResponse:
    school, user, roles = _school(request), _user(request), _roles(request)
    item = selectors.managed(school=school, user=user, roles=roles, announcement_id=announcement_id)
    tz = ZoneInfo(school.time_zone)
    initial: dict[str, Any] = {
        "title": item.title, "body": item.body_source or item.body_text, "language": item.language,
        "audience": selectors.keys_of(item=item),
        "publish_at": item.publish_at.astimezone(tz).replace(tzinfo=None),
        "pinned_until": item.pinned_until, "reply": item.reply, "slip_question": item.slip_question,
        "slip_options": "\n".join(item.slip_options), "answer_by": item.answer_by, "urgent": item.urgent,
        "urgent_reason": item.urgent_reason,
        "expires_at": item.expires_at.astimezone(tz).replace(tzinfo=None) if item.expires_at else None}
    for code, text in item.translations.items():
        initial[f"title_{code}"], initial[f"body_{code}"] = text.get("title", ""), text.get("body_source", "")
    choices = selectors.author_choices(school=school, user=user, roles=roles)
    known = dict(choices)
    choices += [(k, k) for k in initial["audience"] if k not in known]
    form = AnnouncementForm(request.POST if request.method == "POST" else None, audience=choices, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = _data(form, school.time_zone)
            if item.publish_at <= clock.now() or not form.cleaned_data["publish_at"]:
                data = dataclasses.replace(data, publish_at=None)
            try:
                services.announcement_change(school=school, actor=user, roles=roles, announcement_id=item.pk,
                                             data=data)
            except KrijtError as exc:
                show_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("The announcement is changed."))
                return redirect("announcements:detail", announcement_id=item.pk)
        else:
            status = 400
    return render(request, "announcements/write.html", _context(form, editing=item), status=status)


@require_POST
@school_view(roles=permissions.WRITE_ROLES)
def withdraw(request: HttpRequest, announcement_id: int) -> HttpResponse:
    school, user, roles = _school(request), _user(request), _roles(request)
    services.announcement_withdraw(school=school, actor=user, roles=roles, announcement_id=announcement_id)
    messages.success(request, _("The announcement is withdrawn."))
    return redirect("announcements:manage")


@never_cache
@school_view(roles=permissions.WRITE_ROLES)
def manage(request: HttpRequest) -> HttpResponse:
    school, user, roles = _school(request), _user(request), _roles(request)
    return render(request, "announcements/manage.html", {
        "rows": selectors.managed_list(school=school, user=user, roles=roles)})


@never_cache
@require_http_methods(["GET", "POST"])
@school_view(roles=permissions.WRITE_ROLES)
def answers(request: HttpRequest, announcement_id: int) -> HttpResponse:
    school, user, roles = _school(request), _user(request), _roles(request)
    if request.method == "POST":
        try:
            services.reminder_send(school=school, actor=user, roles=roles, announcement_id=announcement_id)
        except KrijtError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("A reminder goes to those who have not answered, inside their allowed "
                                        "hours; parents in their digest."))
        return redirect("announcements:answers", announcement_id=announcement_id)
    item = selectors.managed(school=school, user=user, roles=roles, announcement_id=announcement_id)
    return render(request, "announcements/answers.html", {
        "item": item, "answers": selectors.answers_by_class(school=school, user=user, roles=roles,
                                                            announcement_id=announcement_id)})


@school_view(roles=permissions.READ_ROLES)
def attachment(request: HttpRequest, announcement_id: int, file_id: int) -> HttpResponse:
    school, user, roles = _school(request), _user(request), _roles(request)
    row = selectors.file_for_reader(school=school, user=user, roles=roles, announcement_id=announcement_id,
                                    file_id=file_id)
    response = stored_file_response(row.file, filename=row.name, content_type=row.content_type,
                                    inline=request.GET.get("download") is None)
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    return response  # type: ignore[return-value]
