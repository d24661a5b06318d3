"""Report card pages. Thin: forms in, services for writes, selectors for reads."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from krijt.core import clock
from krijt.core.errors import KrijtError, NotFound
from krijt.core.forms import show_error
from krijt.core.permissions import school_view
from krijt.core.request import roles_of as _roles
from krijt.core.request import school_of as _school
from krijt.core.request import user_of as _user
from krijt.reportcards import pdf, selectors, services
from krijt.reportcards.forms import MentorForm, ScheduleForm
from krijt.reportcards.models import ReportCard
from krijt.reportcards.permissions import CARD_ROLES, HOME_ROLES, MANAGE_ROLES
from krijt.schools.selectors import school_logo_bytes

_show_error = show_error


@never_cache
@school_view(roles=HOME_ROLES)
def home(request: HttpRequest) -> HttpResponse:
    school, user, roles = _school(request), _user(request), _roles(request)
    context: dict[str, Any] = {"cards": selectors.visible_cards(school=school, user=user, roles=roles)}
    if roles & MANAGE_ROLES:
        context.update(selectors.class_choices(school=school, user=user, roles=roles))
    return render(request, "reportcards/home.html", context)


@never_cache
@school_view(roles=MANAGE_ROLES)
def class_overview(request: HttpRequest, period_id: int, class_id: int) -> HttpResponse:
    school, user, roles = _school(request), _user(request), _roles(request)
    group, period, overview = selectors.class_overview_for_user(
        school=school, user=user, roles=roles, period_id=period_id, class_id=class_id
    )
    return render(
        request,
        "reportcards/class_overview.html",
        {"class_group": group, "period": period, "tz": ZoneInfo(school.time_zone), "now": clock.now(), **overview},
    )


@require_POST
@school_view(roles=MANAGE_ROLES)
def release(request: HttpRequest, period_id: int, class_id: int) -> HttpResponse:
    school, user, roles = _school(request), _user(request), _roles(request)
    group = selectors.class_for_manager(school=school, user=user, roles=roles, class_id=class_id)
    period = selectors.period_by_id(school=school, period_id=period_id)
    count = services.cards_release(school=school, actor=user, roles=roles, period=period, class_group=group)
    if count:
        messages.success(request, _("%(n)d report cards released.") % {"n": count})
    else:
        messages.info(request, _("No report card is ready to be released."))
    return redirect("reportcards:class_overview", period_id=period.pk, class_id=group.pk)


@never_cache
@school_view(roles=MANAGE_ROLES)
def course_comments(request: HttpRequest, period_id: int, class_id: int, course_id: int) -> HttpResponse:
    school, user, roles = _school(request), _user(request), _roles(request)
    period = selectors.period_by_id(school=school, period_id=period_id)
    from krijt.schools.selectors import class_for_user, students_of_class

    group = class_for_user(school=school, user=user, roles=roles, class_id=class_id)
    course = selectors.course_for_commenter(
        school=school, user=user, roles=roles, class_group=group, course_id=course_id
    )
    if period.school_year_id != group.school_year_id:
        raise NotFound()
    students = list(students_of_class(school=school, class_group=group))
    error = None
    status = 200
    if request.method == "POST":
        comments = {s.pk: request.POST.get(f"comment_{s.pk}", "") for s in students}
        try:
            changed = services.course_comments_save(
                school=school, actor=user, roles=roles, period=period, course=course, comments=comments
            )
        except KrijtError as exc:
            error, status = exc, exc.status
        else:
            messages.success(request, _("Comments saved (%(n)d changed).") % {"n": changed})
            return redirect("reportcards:course_comments", period_id=period.pk, class_id=group.pk, course_id=course.pk)
    lines = selectors.gradebook_lines(
        school=school, period=period, class_group=group, student_ids=[s.pk for s in students]
    )
    current = selectors.course_comment_texts(school=school, period=period, course=course)
    rows = []
    for s in students:
        line = next(li for li in lines[s.pk] if li.course_id == course.pk)
        text = request.POST.get(f"comment_{s.pk}", "") if error else current.get(s.pk, ("", False))[0]
        rows.append({"student": s, "line": line, "text": text, "locked": current.get(s.pk, ("", False))[1]})
    return render(
        request,
        "reportcards/course_comments.html",
        {"period": period, "class_group": group, "course": course, "rows": rows, "error": error},
        status=status,
    )


def _card_context(request: HttpRequest, view: selectors.CardView, **extra: Any) -> dict[str, Any]:
    card = view.card
    initial = {}
    if card is not None:
        initial = {
            "mentor_comment": card.mentor_comment,
            "decision": card.decision,
            "excluded": card.excluded,
            "decision_note": card.decision_note,
        }
    return {
        "view": view,
        "card": card,
        "tz": ZoneInfo(_school(request).time_zone),
        "now": clock.now(),
        "mentor_form": extra.pop("mentor_form", None) or MentorForm(initial=initial),
        "schedule_form": extra.pop("schedule_form", None) or ScheduleForm(),
        "is_mentor": view.class_group.mentor_id == _user(request).pk,
        **extra,
    }


@never_cache
@school_view(roles=CARD_ROLES)
def card(request: HttpRequest, period_id: int, student_id: int) -> HttpResponse:
    school = _school(request)
    period = selectors.period_by_id(school=school, period_id=period_id)
    view = selectors.card_for_user(
        school=school, user=_user(request), roles=_roles(request), period=period, student_id=student_id
    )
    return render(request, "reportcards/card.html", _card_context(request, view))


@never_cache
@school_view(roles=CARD_ROLES)
def card_pdf(request: HttpRequest, period_id: int, student_id: int) -> HttpResponse:
    school = _school(request)
    period = selectors.period_by_id(school=school, period_id=period_id)
    view = selectors.card_for_user(
        school=school, user=_user(request), roles=_roles(request), period=period, student_id=student_id
    )
    averages = selectors.class_course_averages(school=school, view=view)
    data = pdf.render(view, school_name=school.name, averages=averages, logo=school_logo_bytes(school=school),
                      school_year=period.school_year.name)
    response = HttpResponse(data, content_type="application/pdf")
    name = slugify(f"{view.student.full_name} {period.name}") or "report-card"
    response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    return response


@require_POST
@school_view(roles=MANAGE_ROLES)
def mentor_entry(request: HttpRequest, period_id: int, student_id: int) -> HttpResponse:
    school, user, roles = _school(request), _user(request), _roles(request)
    period = selectors.period_by_id(school=school, period_id=period_id)
    view = selectors.card_for_user(school=school, user=user, roles=roles, period=period, student_id=student_id)
    if not view.may_manage:
        raise NotFound()
    form = MentorForm(request.POST)
    if form.is_valid():
        try:
            services.card_mentor_update(
                school=school,
                actor=user,
                roles=roles,
                period=period,
                class_group=view.class_group,
                student_id=view.student.pk,
                **form.cleaned_data,
            )
        except KrijtError as error:
            _show_error(form, error)
            return render(
                request, "reportcards/card.html", _card_context(request, view, mentor_form=form), status=error.status
            )
        messages.success(request, _("Saved."))
        return redirect("reportcards:card", period_id=period.pk, student_id=view.student.pk)
    return render(request, "reportcards/card.html", _card_context(request, view, mentor_form=form), status=400)


def _card_of(request: HttpRequest, card_id: int) -> ReportCard:
    found = ReportCard.objects.filter(school=_school(request), pk=card_id).first()
    if found is None:
        raise NotFound()
    return found


@require_POST
@school_view(roles=MANAGE_ROLES)
def conversation_held(request: HttpRequest, card_id: int) -> HttpResponse:
    school, user, roles = _school(request), _user(request), _roles(request)
    card = services.conversation_mark_held(school=school, actor=user, roles=roles, card_id=card_id)
    if card.student_visible_at is not None and card.student_visible_at > clock.now():
        when = formats.date_format(card.student_visible_at.astimezone(ZoneInfo(school.time_zone)), "l j F H:i")
        messages.success(
            request,
            _(
                "The conversation is marked as held. It is outside the student's school hours: they can read "
                "the report card from %(moment)s."
            )
            % {"moment": when},
        )
    else:
        messages.success(request, _("The conversation is marked as held; the student can read the report card now."))
    return redirect("reportcards:card", period_id=card.period_id, student_id=card.student_id)


@require_POST
@school_view(roles=MANAGE_ROLES)
def conversation_schedule(request: HttpRequest, card_id: int) -> HttpResponse:
    school, user, roles = _school(request), _user(request), _roles(request)
    form = ScheduleForm(request.POST)
    found = _card_of(request, card_id)
    if form.is_valid():
        at = form.cleaned_data["at"].replace(tzinfo=None)
        moment = clock.aware(at.date(), at.time(), school.time_zone)
        try:
            card = services.conversation_schedule(school=school, actor=user, roles=roles, card_id=card_id, at=moment)
        except KrijtError as error:
            if error.status == 404:
                raise
            _show_error(form, error)
        else:
            messages.success(request, _("Conversation moment set."))
            return redirect("reportcards:card", period_id=card.period_id, student_id=card.student_id)
    period = selectors.period_by_id(school=school, period_id=found.period_id)
    view = selectors.card_for_user(school=school, user=user, roles=roles, period=period, student_id=found.student_id)
    if not view.may_manage:
        raise NotFound()
    return render(request, "reportcards/card.html", _card_context(request, view, schedule_form=form), status=400)
