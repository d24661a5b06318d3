"""Message pages: folders, compose (with the recipient picker and the delivery preview), a thread."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages as flash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from krijt.core import clock
from krijt.core.downloads import stored_file_response
from krijt.core.errors import KrijtError, ValidationFailed
from krijt.core.forms import show_error
from krijt.core.permissions import school_view
from krijt.core.request import roles_of as _roles
from krijt.core.request import school_of as _school
from krijt.core.richtext import sanitise
from krijt.messaging import attachments as attachment_rules
from krijt.messaging import audiences, engine, selectors, services
from krijt.messaging.forms import ComposeForm, PolicyForm, ReplyForm, RescheduleForm
from krijt.messaging.permissions import MANAGE_POLICY, USE_MESSAGES, reach_for

FOLDERS = ("inbox", "sent", "scheduled", "archive")


def _folder(request: HttpRequest, folder: str) -> HttpResponse:
    school, user = _school(request), request.user
    q = request.GET.get("q", "")
    page_no = request.GET.get("page")
    pages = {
        "inbox": selectors.inbox_page,
        "archive": selectors.archive_page,
        "sent": selectors.sent_page,
        "scheduled": selectors.scheduled_page,
    }
    first = None
    if folder == "inbox" and not q.strip() and page_no in (None, "", "1"):
        first = selectors.inbox_first_page(school=school, user=user)  # type: ignore[arg-type]  # cached
    if first is not None:
        page, unread = first
    else:
        page = pages[folder](school=school, user=user, page=page_no, q=q)  # type: ignore[operator,arg-type]
        unread = selectors.unread_count(school=school, user=user)  # type: ignore[arg-type]
    return render(request, "messaging/folder.html", {
        "folder": folder, "page": page, "q": q, "received": folder in ("inbox", "archive"), "unread": unread,
    })


@never_cache
@require_GET
@school_view(roles=USE_MESSAGES)
def inbox(request: HttpRequest) -> HttpResponse:
    return _folder(request, "inbox")


@never_cache
@require_GET
@school_view(roles=USE_MESSAGES)
def sent(request: HttpRequest) -> HttpResponse:
    return _folder(request, "sent")


@never_cache
@require_GET
@school_view(roles=USE_MESSAGES)
def scheduled(request: HttpRequest) -> HttpResponse:
    return _folder(request, "scheduled")


@never_cache
@require_GET
@school_view(roles=USE_MESSAGES)
def archive(request: HttpRequest) -> HttpResponse:
    return _folder(request, "archive")


@never_cache
@require_GET
@school_view(roles=USE_MESSAGES)
def search(request: HttpRequest) -> HttpResponse:
    school, user = _school(request), request.user
    q = request.GET.get("q", "")
    page = selectors.search_page(school=school, user=user, q=q, page=request.GET.get("page"))  # type: ignore[arg-type]
    return render(request, "messaging/search.html", {
        "page": page, "q": q, "folder": "search",
        "unread": selectors.unread_count(school=school, user=user),  # type: ignore[arg-type]
    })


@never_cache
@require_GET
@school_view(roles=USE_MESSAGES)
def unread_badge(request: HttpRequest) -> HttpResponse:
    count = selectors.unread_count(school=_school(request), user=request.user)  # type: ignore[arg-type]
    return render(request, "messaging/_badge.html", {"count": count})


# ---------------------------------------------------------------- compose


def _may_urgent(request: HttpRequest) -> bool:
    try:
        return bool(_roles(request) & engine.urgent_roles(school=_school(request)))
    except ImportError:
        return False


def _uploads(request: HttpRequest) -> list[Any]:
    return [f for f in request.FILES.getlist("attachments") if f.name]


_apply_error = show_error


def _chosen(request: HttpRequest) -> list[dict[str, str]]:
    values = request.POST.getlist("to")
    labels = request.POST.getlist("to_label")
    return [{"value": v, "label": labels[i] if i < len(labels) else v} for i, v in enumerate(values)]


@never_cache
@require_http_methods(["GET", "POST"])
@school_view(roles=USE_MESSAGES)
def compose(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    form = ComposeForm(request.POST or None, tz=school.time_zone)
    status = 200
    to_errors: list[str] = []
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                message = services.message_send(
                    school=school, sender=request.user, roles=_roles(request),  # type: ignore[arg-type]
                    to=request.POST.getlist("to"), subject=data["subject"], body=data["body"],
                    send_at=data["send_at"], urgent=data["urgent"], urgent_reason=data["urgent_reason"],
                    uploads=_uploads(request),
                )
            except KrijtError as exc:
                to_errors = list(exc.fields.get("to", []))
                if not exc.fields or set(exc.fields) - {"to"}:
                    _apply_error(form, exc)
                elif not to_errors:
                    to_errors = [str(exc.message)]
                status = exc.status
            else:
                if message.send_at > clock.now() + services.NOW_TOLERANCE:
                    flash.success(request, _("Your message is scheduled."))
                    return redirect("messaging:scheduled")
                flash.success(request, _("Your message is on its way."))
                return redirect("messaging:message", message_id=message.pk)
        else:
            status = 400
    return render(request, "messaging/compose.html", {
        "form": form, "chosen": _chosen(request) if request.method == "POST" else [], "to_errors": to_errors,
        "may_urgent": _may_urgent(request), "accept": attachment_rules.ACCEPT,
        "max_mb": attachment_rules.MAX_BYTES // (1024 * 1024), "folder": "compose",
    }, status=status)


@never_cache
@require_GET
@school_view(roles=USE_MESSAGES)
def recipients(request: HttpRequest) -> HttpResponse:
    """The picker's suggestions while typing (htmx): a few people, classes and courses."""
    school = _school(request)
    reach = reach_for(roles=_roles(request), policy=selectors.policy_for(school=school))
    q = request.GET.get("q", "")
    options = selectors.picker_options(school=school, sender=request.user, reach=reach, q=q)  # type: ignore[arg-type]
    return render(request, "messaging/_options.html", {"options": options, "q": q,
                                                        "short": len(q.strip()) < selectors.SEARCH_MIN})


def _when(moment: dt.datetime, now: dt.datetime, tz: Any) -> str:
    if moment <= now + services.NOW_TOLERANCE:
        return _("now")
    local = timezone.localtime(moment, tz)
    today = timezone.localtime(now, tz).date()
    time = formats.time_format(local.time(), "H:i")
    if local.date() == today:
        return _("today %(time)s") % {"time": time}
    if local.date() == today + dt.timedelta(days=1):
        return _("tomorrow %(time)s") % {"time": time}
    day = formats.date_format(local.date(), "l j F")
    return _("%(day)s %(time)s") % {"day": day, "time": time}


def summary_text(rows: list[tuple[dt.datetime, int]], *, tz: Any, now: dt.datetime | None = None) -> list[str]:
    """["now for 7 recipients", "Monday 5 October 07:00 for 43"] from [(moment, count)]."""
    now = now or clock.now()
    merged: dict[str, int] = {}
    for moment, count in sorted(rows):
        label = _when(moment, now, tz)
        merged[label] = merged.get(label, 0) + count
    return [
        ngettext("%(when)s for %(n)s recipient", "%(when)s for %(n)s recipients", n) % {"when": when, "n": n}
        for when, n in merged.items()
    ]


@never_cache
@require_POST
@school_view(roles=USE_MESSAGES)
def preview(request: HttpRequest) -> HttpResponse:
    """When the message will arrive, per group of recipients (htmx, as recipients or the time change)."""
    school = _school(request)
    form = ComposeForm(request.POST, tz=school.time_zone)
    form.is_valid()
    send_at = form.cleaned_data.get("send_at")
    urgent = bool(form.cleaned_data.get("urgent")) and _may_urgent(request)
    lines: list[str] = []
    error = ""
    try:
        picks = audiences.parse(request.POST.getlist("to"))
        if picks:
            reach = reach_for(roles=_roles(request), policy=selectors.policy_for(school=school))
            audiences.check(school=school, sender=request.user, reach=reach, picks=picks)  # type: ignore[arg-type]
            targets = audiences.expand(school=school, picks=picks, exclude_user_id=request.user.pk)
            moment = send_at if send_at and send_at > clock.now() else None
            rows = engine.preview(school=school, recipients=targets, moment=moment, urgent=urgent) if targets else []
            lines = summary_text(rows, tz=_zone(school.time_zone))
            if not targets:
                error = _("Nobody is in the chosen groups yet.")
    except KrijtError as exc:
        error = next(iter(exc.fields.get("to", [])), str(exc.message))
    return render(request, "messaging/_preview.html", {"lines": lines, "error": error})


def _zone(name: str) -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


# ---------------------------------------------------------------- a conversation


@never_cache
@require_GET
@school_view(roles=USE_MESSAGES)
def message(request: HttpRequest, message_id: int) -> HttpResponse:
    school, user = _school(request), request.user
    view = selectors.thread_for_reader(school=school, user=user, message_id=message_id)  # type: ignore[arg-type]
    if view.unread_ids:
        services.message_mark_read(school=school, user=user, thread_id=view.anchor.thread_id)  # type: ignore[arg-type]
    own = [m for m in view.messages if m.sender_id == user.pk]
    summaries = selectors.delivery_summaries(school=school, messages=own)
    for m in own:
        m.summary_lines = summary_text(summaries.get(m.pk, []), tz=_zone(school.time_zone))  # type: ignore[attr-defined]
    return render(request, "messaging/thread.html", {
        "view": view, "thread": view.anchor.thread, "form": ReplyForm(),
        "accept": attachment_rules.ACCEPT, "now": clock.now(), "folder": "thread",
    })


@never_cache
@require_GET
@school_view(roles=USE_MESSAGES)
def progress(request: HttpRequest, message_id: int) -> HttpResponse:
    """The sender's view of a fan-out in progress (htmx polls it until it is done)."""
    school = _school(request)
    m = selectors.own_message(school=school, user=request.user, message_id=message_id)  # type: ignore[arg-type]
    lines = summary_text(selectors.delivery_summary(message=m), tz=_zone(school.time_zone))
    return render(request, "messaging/_progress.html", {"m": m, "lines": lines})


@require_POST
@school_view(roles=USE_MESSAGES)
def reply(request: HttpRequest, message_id: int) -> HttpResponse:
    school = _school(request)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            services.message_reply(
                school=school, sender=request.user, roles=_roles(request),  # type: ignore[arg-type]
                message_id=message_id, body=form.cleaned_data["body"], uploads=_uploads(request),
            )
        except ValidationFailed as exc:
            flash.error(request, " ".join(str(m) for ms in exc.fields.values() for m in ms) or str(exc.message))
        else:
            flash.success(request, _("Your reply is on its way."))
    else:
        flash.error(request, _("Write a reply first."))
    return redirect("messaging:message", message_id=message_id)


@require_POST
@school_view(roles=USE_MESSAGES)
def archive_toggle(request: HttpRequest, message_id: int) -> HttpResponse:
    archived = request.POST.get("archived", "1") == "1"
    services.message_archive(
        school=_school(request), user=request.user, message_id=message_id, archived=archived  # type: ignore[arg-type]
    )
    if archived:
        flash.success(request, _("The conversation is in your archive."))
        return redirect("messaging:inbox")
    flash.success(request, _("The conversation is back in your inbox."))
    return redirect("messaging:message", message_id=message_id)


@never_cache
@require_http_methods(["GET", "POST"])
@school_view(roles=USE_MESSAGES)
def edit(request: HttpRequest, message_id: int) -> HttpResponse:
    """Change a scheduled message (its time and text) until it is sent."""
    school, user = _school(request), request.user
    m = selectors.own_scheduled(school=school, user=user, message_id=message_id)  # type: ignore[arg-type]
    local = timezone.localtime(m.send_at, _zone(school.time_zone)).replace(tzinfo=None)
    initial = {"subject": m.subject, "body": m.body_html, "send_at": local}
    form = RescheduleForm(request.POST or None, initial=initial, tz=school.time_zone)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.message_reschedule(
                    school=school, sender=user, roles=_roles(request), message_id=m.pk,  # type: ignore[arg-type]
                    send_at=form.cleaned_data["send_at"], subject=form.cleaned_data["subject"],
                    body=form.cleaned_data["body"],
                )
            except KrijtError as exc:
                _apply_error(form, exc)
                status = exc.status
            else:
                flash.success(request, _("The scheduled message is changed."))
                return redirect("messaging:scheduled")
        else:
            status = 400
    return render(request, "messaging/edit.html", {"form": form, "m": m, "folder": "scheduled"}, status=status)


@require_POST
@school_view(roles=USE_MESSAGES)
def cancel(request: HttpRequest, message_id: int) -> HttpResponse:
    services.message_cancel(school=_school(request), sender=request.user, message_id=message_id)  # type: ignore[arg-type]
    flash.success(request, _("The scheduled message is cancelled; nobody will receive it."))
    return redirect("messaging:scheduled")


@require_GET
@school_view(roles=USE_MESSAGES)
def attachment(request: HttpRequest, attachment_id: int) -> Any:
    item = selectors.attachment_for_reader(
        school=_school(request), user=request.user, attachment_id=attachment_id  # type: ignore[arg-type]
    )
    return stored_file_response(item.file, filename=item.original_name, content_type=item.content_type)


# ---------------------------------------------------------------- the school's policy


@never_cache
@require_http_methods(["GET", "POST"])
@school_view(roles=MANAGE_POLICY)
def policy(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    current = selectors.policy_for(school=school)
    form = PolicyForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        services.messaging_policy_update(
            school=school, roles=_roles(request),
            values={name: form.cleaned_data[name] for name in services.POLICY_FIELDS},
        )
        flash.success(request, _("Who may write to whom is saved."))
        return redirect("messaging:policy")
    return render(request, "messaging/policy.html", {"form": form, "folder": "policy"})


@never_cache
@require_POST
@school_view(roles=USE_MESSAGES)
def body_preview(request: HttpRequest) -> HttpResponse:
    """The message as its readers will see it, sanitised exactly as sending does (htmx, while typing)."""
    body = request.POST.get("body", "")[:50_000]
    return render(request, "messaging/_body_preview.html", {"body_html": sanitise(body)})
