"""Attendance pages: a lesson's register, a student's register, reporting an absence, the secretariat's
day with its codes. Thin faces over the selectors and services."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from krijt.attendance import exports, extensions, selectors, services
from krijt.attendance.forms import (
    CodeForm,
    EndReportForm,
    FollowUpForm,
    LocalCodeForm,
    ProofForm,
    ReportForm,
    SettingsForm,
    SharingForm,
)
from krijt.attendance.models import Basis, Code, NotExpected, ReportReason, Status
from krijt.attendance.permissions import (
    ATTENDANCE_ROLES,
    OFFICE_ROLES,
    REGISTER_ROLES,
    REPORT_ROLES,
)
from krijt.core import clock
from krijt.core.days import day_param
from krijt.core.downloads import stored_file_response
from krijt.core.errors import Conflict, KrijtError, NotFound, ValidationFailed
from krijt.core.forms import show_error
from krijt.core.permissions import school_view
from krijt.core.request import roles_of as _roles
from krijt.core.request import school_of as _school
from krijt.core.request import user_of as _user
from krijt.core.roles import Role
from krijt.ops.admission import critical, heavy
from krijt.schools.models import Period
from krijt.schools.selectors import lesson_periods, lessons_on

MAX_MARK_FIELDS = 200


def _day(value: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(value)
    except ValueError as error:
        raise NotFound() from error
    return day_param(value, "day", day)


# --- where each role starts ----------------------------------------------------------------------------


@never_cache
@school_view(roles=ATTENDANCE_ROLES)
def home(request: HttpRequest) -> HttpResponse:
    school, user, roles = _school(request), _user(request), _roles(request)
    if roles & OFFICE_ROLES and Role.TEACHER not in roles:
        return redirect("attendance:office")
    if Role.TEACHER in roles:
        today = clock.local_today(school.time_zone)
        day = day_param(request.GET.get("day"), "day", today)
        lessons = lessons_on(school=school, day=day, teacher=user)
        taken = selectors.taken_lessons(school=school, day=day, course_ids={s.course_id for s in lessons})
        rows = [{"slot": s, "taken": (s.course_id, s.lesson_period.number) in taken,
                 "url": reverse("attendance:register", args=[s.course_id, day.isoformat(), s.lesson_period.number])}
                for s in lessons]
        return render(request, "attendance/teacher.html", {
            "day": day, "today": today, "rows": rows, "office": bool(roles & OFFICE_ROLES),
            "previous": day - dt.timedelta(days=1), "next": day + dt.timedelta(days=1),
        })
    if Role.STUDENT in roles:
        return redirect("attendance:student", student_id=user.pk)
    children = selectors.children_for_parent(school=school, parent=user)
    if len(children) == 1:
        return redirect("attendance:student", student_id=children[0].pk)
    return render(request, "attendance/children.html", {"children": children})


# --- a lesson's register -----------------------------------------------------------------------------


def _marks_from(post: Any) -> list[services.MarkIn]:
    """The marks of the posted form (fields s<student id>); the service checks the students are the class's."""
    marks = []
    student_ids = [int(name[1:]) for name in post if name[:1] == "s" and name[1:].isdigit() and len(name) < 12]
    for pk in student_ids[:MAX_MARK_FIELDS]:
        status = post.get(f"s{pk}", "present")
        if status == "present":
            continue
        minutes_raw = post.get(f"m{pk}", "").strip()
        try:
            minutes = int(minutes_raw) if minutes_raw else None
        except ValueError:
            minutes = -1
        marks.append(services.MarkIn(pk, status, minutes, post.get(f"r{pk}", "")))
    return marks


@never_cache
@critical(methods=["POST"])
@require_http_methods(["GET", "POST"])
@school_view(roles=REGISTER_ROLES)
def register(request: HttpRequest, course_id: int, day: str, period: int) -> HttpResponse:
    school, user, roles = _school(request), _user(request), _roles(request)
    lesson_day = _day(day)
    error: KrijtError | None = None
    if request.method == "POST":
        marks = _marks_from(request.POST)
        try:
            taken = services.register_take(school=school, actor=user, roles=roles, course_id=course_id,
                                           day=lesson_day, period=period, marks=marks,
                                           client_key=request.POST.get("key", ""))
        except ValidationFailed as exc:
            error = exc
        else:
            absent = sum(1 for m in marks if m.status == Status.ABSENT)
            late = sum(1 for m in marks if m.status == Status.LATE)
            text = _("Register saved: everyone present.") if not marks else _(
                "Register saved: %(absent)s, %(late)s.") % {
                    "absent": ngettext("%(n)d absent", "%(n)d absent", absent) % {"n": absent},
                    "late": ngettext("%(n)d late", "%(n)d late", late) % {"n": late}}
            if not taken.changed:
                text = _("This register was already saved like this.")
            messages.success(request, text)
            if request.headers.get("X-Requested-With") == "fetch":
                return HttpResponse(status=204)  # the page's script reloads it, and the note shows there
            return redirect(request.path)
    lesson = selectors.register_for_user(school=school, user=user, roles=roles, course_id=course_id,
                                         day=lesson_day, period=period)
    posted = request.POST if request.method == "POST" else None
    offered = extensions.suggestions(school=school, course_id=course_id, day=lesson_day, period=period)
    chosen = next((s for s in offered if s.key == request.GET.get("suggest")), None) if posted is None else None
    rows = []
    for row in lesson.rows:
        pk = row.student.pk
        if chosen is not None and row.mark is None and pk not in chosen.present:
            status, minutes, reason = Status.ABSENT.value, "", ""
        elif posted is not None:
            status = posted.get(f"s{pk}", "present")
            minutes, reason = posted.get(f"m{pk}", ""), posted.get(f"r{pk}", "")
        elif row.mark is not None:
            status, minutes, reason = row.mark.status, str(row.mark.late_minutes or ""), row.mark.reason
        elif row.report is not None and not lesson.taken:
            status, minutes, reason = Status.ABSENT.value, "", ""
        else:
            status, minutes, reason = "present", "", ""
        rows.append({"row": row, "status": status, "minutes": minutes, "reason": reason})
    return render(request, "attendance/register.html", {
        "lesson": lesson, "rows": rows, "key": uuid.uuid4().hex, "error": error, "offered": offered,
        "chosen": chosen,
        "statuses": [("present", _("Present")), *Status.choices], "reasons": NotExpected.choices,
        "report_reasons": dict(ReportReason.choices),
    }, status=error.status if error else 200)


# --- a student's register ----------------------------------------------------------------------------


def _month(value: str | None, today: dt.date) -> dt.date:
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        first = dt.date(year, month, 1)
    except ValueError:
        return today.replace(day=1)
    return day_param(first.isoformat(), "month", today.replace(day=1))


@never_cache
@school_view(roles=ATTENDANCE_ROLES)
def student(request: HttpRequest, student_id: int) -> HttpResponse:
    school, user, roles = _school(request), _user(request), _roles(request)
    person = selectors.student_for_user(school=school, user=user, roles=roles, student_id=student_id)
    today = clock.local_today(school.time_zone)
    first = _month(request.GET.get("month"), today)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    lines = selectors.days_of_students(school=school, student_ids=[person.pk], start=first,
                                       end=min(last, today)).get(person.pk, [])
    summary = selectors.summary(lines)
    own = Role.STUDENT in roles and person.pk == user.pk
    may_report = (Role.PARENT in roles or roles & OFFICE_ROLES or (own and person.is_adult_on(today)))
    previous = (first - dt.timedelta(days=1)).replace(day=1)
    following = (last + dt.timedelta(days=1))
    return render(request, "attendance/student.html", {
        "person": person, "own": own, "lines": [line for line in reversed(lines) if line.eventful or line.codes],
        "summary": summary, "month": first,
        "previous": f"{previous:%Y-%m}", "following": f"{following:%Y-%m}" if following <= today else "",
        "reports": selectors.reports_of(school=school, student=person, since=today - dt.timedelta(days=30)),
        "may_report": may_report, "office": bool(roles & OFFICE_ROLES), "today": today,
        "adult_own": own and person.is_adult_on(today), "end_form": EndReportForm(initial={"back_on": today}),
        "reasons": dict(ReportReason.choices), "not_expected": dict(NotExpected.choices),
    })


# --- reporting an absence ----------------------------------------------------------------------------


def _reportable(request: HttpRequest) -> list[tuple[int, str]]:
    school, user, roles = _school(request), _user(request), _roles(request)
    today = clock.local_today(school.time_zone)
    if roles & OFFICE_ROLES:
        wanted = request.GET.get("student") or request.POST.get("student")
        try:
            person = selectors.student_for_user(school=school, user=user, roles=roles, student_id=int(wanted or 0))
        except (ValueError, NotFound):
            return []
        return [(person.pk, person.full_name or person.username)]
    if Role.PARENT in roles:
        return [(c.pk, c.full_name or c.username) for c in selectors.children_for_parent(school=school, parent=user)
                if selectors.parents_may_see(school=school, student=c, today=today)]
    if Role.STUDENT in roles and user.is_adult_on(today):
        return [(user.pk, user.full_name or user.username)]
    return []


@never_cache
@require_http_methods(["GET", "POST"])
@school_view(roles=REPORT_ROLES)
def report_new(request: HttpRequest) -> HttpResponse:
    school, user, roles = _school(request), _user(request), _roles(request)
    students = _reportable(request)
    if not students:
        raise NotFound()
    today = clock.local_today(school.time_zone)
    periods = [(p.number, f"{p.number} ({p.starts_at:%H:%M})") for p in lesson_periods(school=school)]
    form = ReportForm(request.POST or None, students=students, periods=periods,
                      initial={"starts_on": today, "reason": ReportReason.ILLNESS, "student": students[0][0]})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                report = services.absence_report_create(
                    school=school, actor=user, roles=roles, student_id=data["student"], starts_on=data["starts_on"],
                    ends_on=data["ends_on"], reason=data["reason"], note=data["note"], from_period=data["from_period"],
                )
            except KrijtError as exc:
                show_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("Thank you: the school knows. The teachers see it in their registers."))
                return redirect("attendance:student", student_id=report.student_id)
        else:
            status = 400
    return render(request, "attendance/report.html", {"form": form, "today": today}, status=status)


@require_POST
@school_view(roles=REPORT_ROLES)
def report_end(request: HttpRequest, report_id: int) -> HttpResponse:
    school, user, roles = _school(request), _user(request), _roles(request)
    report = selectors.report_for_user(school=school, user=user, roles=roles, report_id=report_id)
    form = EndReportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the day they are back at school."))
    else:
        try:
            services.absence_report_end(school=school, actor=user, roles=roles, report_id=report.pk,
                                        back_on=form.cleaned_data["back_on"])
        except KrijtError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Thank you: the report now ends the day before."))
    return redirect("attendance:student", student_id=report.student_id)


# --- the secretariat ---------------------------------------------------------------------------------


@never_cache
@school_view(roles=OFFICE_ROLES)
def office(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    today = clock.local_today(school.time_zone)
    day = day_param(request.GET.get("day"), "day", today)
    found = selectors.absences_on(school=school, day=day)
    return render(request, "attendance/office.html", {
        "may_settings": Role.ADMIN in _roles(request),
        "day": day, "today": today, "found": found, "to_code": sum(1 for f in found if f.code is None),
        "previous": day - dt.timedelta(days=1), "next": day + dt.timedelta(days=1),
    })


@never_cache
@require_http_methods(["GET", "POST"])
@school_view(roles=OFFICE_ROLES)
def code(request: HttpRequest, student_id: int) -> HttpResponse:
    school, user, roles = _school(request), _user(request), _roles(request)
    person = selectors.student_for_user(school=school, user=user, roles=roles, student_id=student_id)
    today = clock.local_today(school.time_zone)
    day = day_param(request.GET.get("day"), "day", today)
    start, end = day - dt.timedelta(days=7), min(day + dt.timedelta(days=14), today)
    lines = selectors.days_of_students(school=school, student_ids=[person.pk], start=start, end=end).get(person.pk, [])
    halves = [(line, h) for line in lines for h in line.halves if h.state == "absent"]
    proofs = selectors.proofs_of(school=school, student=person)
    local = selectors.local_codes(school=school)
    form = CodeForm(request.POST if request.POST.get("action") == "code" else None,
                    local_codes=[(c.pk, f"{c.code} · {c.name}") for c in local],
                    proofs=[(p.pk, f"{p.get_kind_display()} · {p.name}") for p in proofs])
    proof_form = ProofForm(request.POST if request.POST.get("action") == "proof" else None,
                           request.FILES if request.POST.get("action") == "proof" else None)
    status = 200
    chosen = set(request.POST.getlist("half")) if request.method == "POST" else {
        f"{line.day.isoformat()}:{h.half}" for line, h in halves if line.day == day and h.half not in line.codes}
    if request.method == "POST" and request.POST.get("action") == "code":
        if form.is_valid():
            data = form.cleaned_data
            try:
                picked = [(dt.date.fromisoformat(v.split(":")[0]), v.split(":")[1]) for v in chosen if ":" in v]
            except ValueError:
                picked = []
            try:
                result = services.half_days_code(
                    school=school, actor=user, roles=roles, student_id=person.pk, halves=picked, code=data["code"],
                    basis=data["basis"], local_code_id=data["local_code"], proof_id=data["proof"], why=data["why"],
                )
            except KrijtError as exc:
                show_error(form, exc, renamed={"halves": "code"})
                status = exc.status
            else:
                messages.success(request, ngettext("%(n)d half day coded.", "%(n)d half days coded.",
                                                   result.changed) % {"n": result.changed})
                return redirect(f"{request.path}?day={day.isoformat()}")
        else:
            status = 400
    if request.method == "POST" and request.POST.get("action") == "proof":
        if proof_form.is_valid():
            try:
                services.proof_add(school=school, actor=user, roles=roles, student_id=person.pk,
                                   kind=proof_form.cleaned_data["kind"], upload=proof_form.cleaned_data["file"])
            except KrijtError as exc:
                show_error(proof_form, exc)
                status = exc.status
            else:
                messages.success(request, _("The document is kept with the student's absences."))
                return redirect(f"{request.path}?day={day.isoformat()}")
        else:
            status = 400
    history = selectors.code_history_between(school=school, student=person, start=start, end=end)
    return render(request, "attendance/code.html", {
        "person": person, "day": day, "halves": halves, "chosen": chosen, "form": form, "proof_form": proof_form,
        "proofs": proofs, "history": history, "codes": Code.choices, "bases": Basis.choices,
        "statement": selectors.statement_use(school=school, student=person, day=day),
    }, status=status)


@school_view(roles=OFFICE_ROLES)
def proof_file(request: HttpRequest, proof_id: int) -> HttpResponse:
    proof = selectors.proof_for_user(school=_school(request), roles=_roles(request), proof_id=proof_id)
    response = stored_file_response(proof.file, filename=proof.name, content_type=proof.content_type,
                                    inline=request.GET.get("download") is None)
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    return response  # type: ignore[return-value]


# --- an adult student's choice -----------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@school_view(roles=frozenset({Role.STUDENT}))
def sharing(request: HttpRequest) -> HttpResponse:
    school, user = _school(request), _user(request)
    adult = user.is_adult_on(clock.local_today(school.time_zone))
    form = SharingForm(request.POST or None,
                       initial={"parents_may_see": selectors.sharing_of(school=school, student=user)})
    if request.method == "POST" and adult and form.is_valid():
        services.sharing_update(school=school, student=user, parents_may_see=form.cleaned_data["parents_may_see"])
        messages.success(request, _("Saved."))
        return redirect("attendance:sharing")
    return render(request, "attendance/sharing.html", {"form": form, "adult": adult})


# --- unexplained absences and follow-ups ---------------------------------------------------------------


@never_cache
@school_view(roles=REGISTER_ROLES)
def reviews(request: HttpRequest) -> HttpResponse:
    school, user, roles = _school(request), _user(request), _roles(request)
    return render(request, "attendance/reviews.html", {
        "reviews": selectors.open_reviews(school=school, user=user, roles=roles),
        "follow_ups": selectors.follow_ups_for(school=school, user=user, roles=roles),
        "today": clock.local_today(school.time_zone), "office": bool(roles & OFFICE_ROLES),
    })


@require_POST
@school_view(roles=REGISTER_ROLES)
def review_close(request: HttpRequest, review_id: int) -> HttpResponse:
    school, user, roles = _school(request), _user(request), _roles(request)
    try:
        services.review_close(school=school, actor=user, roles=roles, review_id=review_id,
                              note=request.POST.get("note", ""))
    except (ValidationFailed, Conflict) as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Noted: the absence is looked into, and the parents' question is withdrawn "
                                    "if it had not gone out yet."))
    return redirect("attendance:reviews")


@never_cache
@require_http_methods(["GET", "POST"])
@school_view(roles=REGISTER_ROLES)
def follow_up(request: HttpRequest, follow_up_id: int) -> HttpResponse:
    school, user, roles = _school(request), _user(request), _roles(request)
    row = selectors.follow_up_for_user(school=school, user=user, roles=roles, follow_up_id=follow_up_id)
    form = FollowUpForm(request.POST or None, initial={"done": row.done, "contacts": row.contacts,
                                                       "agreements": row.agreements})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.follow_up_update(school=school, actor=user, roles=roles, follow_up_id=row.pk,
                                          done=data["done"], contacts=data["contacts"], agreements=data["agreements"],
                                          share_with_clb=request.POST.get("action") == "share",
                                          close=request.POST.get("action") == "close")
            except KrijtError as exc:
                show_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("The guidance file is saved."))
                return redirect("attendance:follow_up", follow_up_id=row.pk)
        else:
            status = 400
    return render(request, "attendance/follow_up.html", {"row": row, "form": form}, status=status)


# --- a class's register for a period, and its exports -------------------------------------------------


def _period_of(request: HttpRequest, group: Any) -> Period:
    school = _school(request)
    return selectors.period_chosen(selectors.periods_of(school=school, class_group=group),
                                   request.GET.get("period", ""), clock.local_today(school.time_zone))


@never_cache
@school_view(roles=REGISTER_ROLES)
def classes(request: HttpRequest) -> HttpResponse:
    school, user, roles = _school(request), _user(request), _roles(request)
    groups = selectors.reportable_classes(school=school, user=user, roles=roles,
                                          day=clock.local_today(school.time_zone))
    return render(request, "attendance/classes.html", {"groups": groups})


@never_cache
@school_view(roles=REGISTER_ROLES)
def class_report(request: HttpRequest, class_id: int) -> HttpResponse:
    school, user, roles = _school(request), _user(request), _roles(request)
    group = selectors.class_for_report(school=school, user=user, roles=roles, class_id=class_id)
    period = _period_of(request, group)
    periods = selectors.periods_of(school=school, class_group=group)
    register = exports.class_register(school=school, class_group=group, period=period,
                                      until=clock.local_today(school.time_zone))
    return render(request, "attendance/class_report.html", {
        "group": group, "period": period, "periods": periods, "register": register, "codes": exports.CODES,
        "legend": exports.legend(), "retention": selectors.retention(school=school, period=period),
    })


EXPORTS = {
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", exports.to_xlsx, "register"),
    "csv": ("text/csv; charset=utf-8", exports.to_csv, "register"),
    "pdf": ("application/pdf", exports.to_pdf, "register"),
    "codes.csv": ("text/csv; charset=utf-8", exports.codes_csv, "codes"),
}


@heavy
@school_view(roles=REGISTER_ROLES)
def class_export(request: HttpRequest, class_id: int, fmt: str) -> HttpResponse:
    school, user, roles = _school(request), _user(request), _roles(request)
    if fmt not in EXPORTS:
        raise NotFound()
    group = selectors.class_for_report(school=school, user=user, roles=roles, class_id=class_id)
    period = _period_of(request, group)
    register = exports.class_register(school=school, class_group=group, period=period,
                                      until=clock.local_today(school.time_zone))
    content_type, render_to, suffix = EXPORTS[fmt]
    response = HttpResponse(render_to(register), content_type=content_type)
    extension = fmt.rsplit(".", 1)[-1]
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(register, suffix)}.{extension}"'
    return response


@never_cache
@require_http_methods(["GET", "POST"])
@school_view(roles=frozenset({Role.ADMIN}))
def settings_page(request: HttpRequest) -> HttpResponse:
    school, roles = _school(request), _roles(request)
    current = selectors.settings_for(school=school)
    periods = [(p.number, f"{p.number} ({p.starts_at:%H:%M})") for p in lesson_periods(school=school)]
    posted = request.POST if request.method == "POST" else None
    adding = posted is not None and posted.get("action") == "local_code"
    form = SettingsForm(None if adding else posted, periods=periods,
                        initial={name: getattr(current, name) for name in services.SETTING_FIELDS})
    local_form = LocalCodeForm(posted if adding else None)
    status = 200
    if adding:
        if local_form.is_valid():
            try:
                services.local_code_create(school=school, roles=roles, code=local_form.cleaned_data["code"],
                                           name=local_form.cleaned_data["name"])
            except KrijtError as exc:
                show_error(local_form, exc)
                status = exc.status
            else:
                messages.success(request, _("The sub-code is added."))
                return redirect("attendance:settings")
        else:
            status = 400
    elif request.method == "POST":
        if form.is_valid():
            try:
                services.settings_update(school=school, roles=roles, values=form.cleaned_data)
            except KrijtError as exc:
                show_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("The attendance rules are saved."))
                return redirect("attendance:settings")
        else:
            status = 400
    return render(request, "attendance/settings.html", {
        "form": form, "local_form": local_form, "local_codes": selectors.local_codes(school=school),
    }, status=status)
