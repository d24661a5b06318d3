"""Results pages. Thin: forms in, services for writes, selectors for reads, permissions for who."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from krijt.accounts.models import ParentLink, User
from krijt.core import clock
from krijt.core.errors import Forbidden, KrijtError, NotFound
from krijt.core.forms import show_error
from krijt.core.permissions import school_view
from krijt.core.request import roles_of as _roles
from krijt.core.request import school_of as _school
from krijt.core.request import user_of as _user
from krijt.core.roles import Role
from krijt.ops.admission import heavy
from krijt.planner.models import PlannerItem
from krijt.results import exports, selectors, services
from krijt.results.forms import EvaluationForm, PolicyForm, ScoreDetailForm, SharingForm
from krijt.results.models import Evaluation, Score
from krijt.results.permissions import (
    GRADEBOOK_ROLES,
    MANAGE_POLICY,
    RESULTS_ROLES,
    STUDENT_ROLES,
    can_edit_course,
    can_read_course,
    viewer_role,
)
from krijt.results.release import release_moments
from krijt.results.text import entry_text
from krijt.schools.models import Course, Enrollment, Period


def _readable_course(request: HttpRequest, course_id: int, *, edit: bool = False) -> Course:
    return selectors.course_for_user(school=_school(request), user=_user(request), roles=_roles(request),
                                     course_id=course_id, edit=edit)


def _editable_evaluation(request: HttpRequest, evaluation_id: int) -> Evaluation:
    return selectors.evaluation_for_user(school=_school(request), user=_user(request), roles=_roles(request),
                                         evaluation_id=evaluation_id, edit=True)


def _period(request: HttpRequest, periods: list[Period]) -> Period | None:
    wanted = request.GET.get("period", "")
    return next((p for p in periods if str(p.pk) == wanted), None)


GRADEBOOKS_PER_PAGE = 50
SEARCH_FROM = 12  # a teacher's few courses need no search box


@never_cache
@school_view(roles=RESULTS_ROLES)
def home(request: HttpRequest) -> HttpResponse:
    school, user, roles = _school(request), _user(request), _roles(request)
    if roles & GRADEBOOK_ROLES:
        query = request.GET.get("q", "").strip()[:100]
        courses = selectors.courses_for_gradebook(school=school, user=user, roles=roles, query=query)
        page = Paginator(courses, GRADEBOOKS_PER_PAGE).get_page(request.GET.get("page", 1))
        return render(request, "results/home.html", {
            "courses": page.object_list, "page": page, "query": query, "roles": roles,
            "searchable": bool(query) or page.paginator.count > SEARCH_FROM,
            "keep": urlencode({"q": query}) if query else ""})
    if Role.STUDENT in roles:
        return redirect("results:mine")
    children = list(
        ParentLink.objects.filter(school=school, parent=user).select_related("student").order_by("student__first_name")
    )
    if len(children) == 1:
        return redirect("results:student", student_id=children[0].student_id)
    return render(request, "results/home.html", {"children": children, "roles": roles})


def _preview(ctx: selectors.ReleaseContext, moment: dt.datetime) -> dict[str, Any]:
    """If published at `moment`: when students and parents see an ordinary and a sensitive result, keyed
    "ordinary" and "sensitive" (names a template can look up)."""
    return {
        ("sensitive" if sensitive else "ordinary"): release_moments(
            moment=moment,
            policy=ctx.policy,
            delivery=ctx.delivery,
            calendar=ctx.calendar,
            tz=ctx.tz,
            sensitive=sensitive,
        )
        for sensitive in (False, True)
    }


@never_cache
@school_view(roles=GRADEBOOK_ROLES)
def course_grid(request: HttpRequest, course_id: int) -> HttpResponse:
    school, user, roles = _school(request), _user(request), _roles(request)
    course = _readable_course(request, course_id)
    periods = selectors.periods_of(school=school, course=course)
    period = _period(request, periods)
    grid = selectors.grid(school=school, course=course, period=period)
    ctx = selectors.release_context(school=school, class_group_id=course.class_group_id)
    rows = []
    for s in grid.students:
        cells = []
        for e in grid.evaluations:
            score = grid.cells.get((s.pk, e.pk))
            cells.append((e, score, entry_text(score)))
        rows.append({"student": s, "cells": cells, "average": grid.student_averages.get(s.pk)})
    return render(
        request,
        "results/grid.html",
        {
            "course": course,
            "periods": periods,
            "period": period,
            "grid": grid,
            "rows": rows,
            "editable": can_edit_course(user=user, roles=roles, course=course),
            "preview": _preview(ctx, clock.now()),
            "policy": ctx.row,
        },
    )


def _evaluation_form_page(request: HttpRequest, course: Course, evaluation: Evaluation | None) -> HttpResponse:
    """One form for a new evaluation and for correcting one."""
    school, user = _school(request), _user(request)
    periods = selectors.periods_of(school=school, course=course)
    items = list(PlannerItem.objects.filter(school=school, course=course).order_by("-due_date")[:50])
    if evaluation is None:
        initial: dict[str, Any] = {"date": clock.local_today(school.time_zone)}
    else:
        initial = {
            "name": evaluation.name,
            "date": evaluation.date,
            "period": evaluation.period_id,
            "maximum": format(evaluation.maximum.normalize(), "f"),
            "weight": format(evaluation.weight.normalize(), "f"),
            "category": evaluation.category,
            "planner_item": evaluation.planner_item_id,
            "sensitive_threshold": evaluation.sensitive_threshold,
        }
    form = EvaluationForm(
        request.POST if request.method == "POST" else None, periods=periods, items=items, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {
            "period": next(p for p in periods if p.pk == data["period"]),
            "name": data["name"],
            "date": data["date"],
            "maximum": data["maximum"],
            "weight": data["weight"],
            "category": data["category"],
            "planner_item_id": data["planner_item"],
            "sensitive_threshold": data["sensitive_threshold"],
        }
        try:
            if evaluation is None:
                saved = services.evaluation_create(school=school, actor=user, course=course, roles=_roles(request),
                                                   **fields)
            else:
                saved = services.evaluation_update(school=school, actor=user, evaluation=evaluation,
                                                   roles=_roles(request), **fields)
        except KrijtError as error:
            show_error(form, error)
        else:
            messages.success(request, _("Evaluation added.") if evaluation is None else _("Evaluation saved."))
            return redirect(reverse("results:course", kwargs={"course_id": course.pk}) + f"?period={saved.period_id}")
    return render(request, "results/evaluation_form.html", {"course": course, "form": form, "evaluation": evaluation})


@never_cache
@school_view(roles=GRADEBOOK_ROLES)
def evaluation_new(request: HttpRequest, course_id: int) -> HttpResponse:
    return _evaluation_form_page(request, _readable_course(request, course_id, edit=True), None)


@never_cache
@school_view(roles=GRADEBOOK_ROLES)
def evaluation_edit(request: HttpRequest, evaluation_id: int) -> HttpResponse:
    evaluation = _editable_evaluation(request, evaluation_id)
    return _evaluation_form_page(request, evaluation.course, evaluation)


@require_POST
@school_view(roles=GRADEBOOK_ROLES)
def evaluation_delete(request: HttpRequest, evaluation_id: int) -> HttpResponse:
    evaluation = _editable_evaluation(request, evaluation_id)
    course_id, period_id = evaluation.course_id, evaluation.period_id
    services.evaluation_delete(school=_school(request), actor=_user(request), evaluation=evaluation,
                               roles=_roles(request))
    messages.success(request, _("Evaluation deleted."))
    return redirect(reverse("results:course", kwargs={"course_id": course_id}) + f"?period={period_id}")


@require_POST
@school_view(roles=GRADEBOOK_ROLES)
def cell(request: HttpRequest, evaluation_id: int, student_id: int) -> HttpResponse:
    """Saves one cell (htmx: answers with the cell) or, from the evaluation page, a score with its comment."""
    school, user = _school(request), _user(request)
    evaluation = _editable_evaluation(request, evaluation_id)
    detail = request.POST.get("detail") == "1"
    text = request.POST.get("value", "")
    error = ""
    score: Score | None = None
    try:
        score = services.score_set(
            school=school,
            actor=user,
            evaluation=evaluation,
            student_id=student_id,
            entry=text,
            comment=request.POST.get("comment", "") if detail else None,
            marked_sensitive=(request.POST.get("marked_sensitive") == "on") if detail else None,
            roles=_roles(request),
        )
    except KrijtError as exc:
        if exc.status == 404:
            raise
        error = "; ".join(str(m) for errs in exc.fields.values() for m in errs) or str(exc.message)
    if request.headers.get("HX-Request"):
        student = Enrollment.objects.filter(school=school, student_id=student_id).select_related("student").first()
        response = render(
            request,
            "results/_cell.html",
            {
                "evaluation": evaluation,
                "student": student.student if student else None,
                "score": score,
                "text": text,
                "error": error,
                "editable": True,
                "saved": not error,
            },
        )
        response.status_code = 422 if error else 200
        return response
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Saved."))
    return redirect("results:evaluation", evaluation_id=evaluation.pk)


@never_cache
@school_view(roles=GRADEBOOK_ROLES)
def evaluation_detail(request: HttpRequest, evaluation_id: int) -> HttpResponse:
    school = _school(request)
    evaluation = selectors.evaluation_for_user(school=school, user=_user(request), roles=_roles(request),
                                               evaluation_id=evaluation_id)
    grid = selectors.grid(school=school, course=evaluation.course, period=evaluation.period)
    ctx = selectors.release_context(school=school, class_group_id=evaluation.course.class_group_id)
    now = clock.now()
    preview = _preview(ctx, now)
    scores = {sid: s for (sid, eid), s in grid.cells.items() if eid == evaluation.pk}
    changes = selectors.changes_of(school=school, score_ids=[s.pk for s in scores.values()])
    rows: list[dict[str, Any]] = []
    missing: list[User] = []
    for student in grid.students:
        score = scores.get(student.pk)
        moments: tuple[dt.datetime | None, dt.datetime | None]
        if score is not None and score.sensitive and not score.comment:
            missing.append(student)
        if score is not None and score.student_visible_at is not None:
            moments = (score.student_visible_at, score.parent_visible_at)
        elif score is not None and (score.value is not None or score.code):
            release = preview["sensitive" if score.sensitive else "ordinary"]
            moments = (release.student_visible_at, release.parent_visible_at)
        else:
            moments = (None, None)
        initial = {
            "value": entry_text(score),
            "comment": score.comment if score else "",
            "marked_sensitive": score.marked_sensitive if score else False,
        }
        rows.append(
            {
                "student": student,
                "score": score,
                "moments": moments,
                "form": ScoreDetailForm(initial=initial, prefix=f"s{student.pk}"),
                "changes": changes.get(score.pk, []) if score else [],
            }
        )
    stats = next((s for s in grid.stats if s.evaluation.pk == evaluation.pk), None)
    return render(
        request,
        "results/evaluation.html",
        {
            "evaluation": evaluation,
            "rows": rows,
            "preview": preview,
            "now": now,
            "stats": stats,
            "editable": can_edit_course(user=_user(request), roles=_roles(request), course=evaluation.course),
            "missing_comments": missing,
        },
    )


@require_POST
@school_view(roles=GRADEBOOK_ROLES)
def evaluation_publish(request: HttpRequest, evaluation_id: int) -> HttpResponse:
    evaluation = _editable_evaluation(request, evaluation_id)
    try:
        released = services.evaluation_publish(school=_school(request), actor=_user(request), evaluation=evaluation,
                                               roles=_roles(request))
    except KrijtError as error:
        if error.status == 404:
            raise
        messages.error(request, str(error.message))
    else:
        messages.success(
            request, _("Published: %(n)s results are released at the moments shown.") % {"n": len(released)}
        )
    return redirect("results:evaluation", evaluation_id=evaluation.pk)


@never_cache
@school_view(roles=RESULTS_ROLES)
def score_history(request: HttpRequest, score_id: int) -> HttpResponse:
    school, user, roles = _school(request), _user(request), _roles(request)
    score = selectors.score_for(school=school, score_id=score_id)
    course = score.evaluation.course
    own = Role.STUDENT in roles and score.student_id == user.pk
    if own:
        if score.student_visible_at is None or score.student_visible_at > clock.now():
            raise NotFound()
    elif not (roles & GRADEBOOK_ROLES and can_read_course(user=user, roles=roles, course=course)):
        raise NotFound()
    changes = selectors.changes_of(school=school, score_ids=[score.pk]).get(score.pk, [])
    return render(
        request, "results/history.html", {"score": score, "changes": changes, "own": own, "text": entry_text(score)}
    )


def _student_page(request: HttpRequest, *, student: User, audience: str, courses: set[int] | None) -> HttpResponse:
    school = _school(request)
    year_periods = list(Period.objects.filter(school=school).select_related("school_year").order_by("starts_on"))
    period = _period(request, year_periods)
    scores = selectors.scores_of_student(school=school, student=student, audience=audience, period=period)
    if courses is not None:
        scores = [s for s in scores if s.evaluation.course_id in courses]
    by_course: dict[int, dict[str, Any]] = {}
    for score in scores:
        entry = by_course.setdefault(score.evaluation.course_id, {"course": score.evaluation.course, "scores": []})
        entry["scores"].append(score)
    groups = list(by_course.values())
    for group in groups:
        group["average"] = selectors.weighted_average(group["scores"])
    changes = selectors.changes_of(school=school, score_ids=[s.pk for s in scores]) if audience != "parent" else {}
    return render(
        request,
        "results/student.html",
        {
            "student": student,
            "groups": groups,
            "audience": audience,
            "periods": year_periods,
            "period": period,
            "changes": changes,
            "views": selectors.views_of(school=school, student=student) if audience == "student" else [],
            "adult": student.is_adult_on(clock.local_today(school.time_zone)),
        },
    )


@never_cache
@school_view(roles=STUDENT_ROLES)
def mine(request: HttpRequest) -> HttpResponse:
    return _student_page(request, student=_user(request), audience="student", courses=None)


@never_cache
@school_view(roles=RESULTS_ROLES)
def student_results(request: HttpRequest, student_id: int) -> HttpResponse:
    school, user, roles = _school(request), _user(request), _roles(request)
    if Role.STUDENT in roles and student_id == user.pk:
        return redirect("results:mine")
    access = selectors.results_access_for(school=school, user=user, roles=roles, student_id=student_id)
    if access.hidden:
        services.result_view_log(school=school, student=access.student, viewer=user, role=Role.PARENT)
        return render(request, "results/hidden.html", {"student": access.student})
    services.result_view_log(school=school, student=access.student, viewer=user, role=viewer_role(roles))
    return _student_page(request, student=access.student, audience=access.audience, courses=access.courses)


@never_cache
@school_view(roles=STUDENT_ROLES)
def sharing(request: HttpRequest) -> HttpResponse:
    school, user = _school(request), _user(request)
    adult = user.is_adult_on(clock.local_today(school.time_zone))
    form = SharingForm(
        request.POST if request.method == "POST" else None,
        initial={"parents_may_see": selectors.parents_may_see(school=school, student=user)},
    )
    if request.method == "POST":
        if not adult:
            raise Forbidden(_("Only students of 18 and over choose what their parents see."))
        if form.is_valid():
            services.sharing_update(school=school, student=user, parents_may_see=form.cleaned_data["parents_may_see"])
            messages.success(request, _("Your choice is saved."))
            return redirect("results:sharing")
    return render(request, "results/sharing.html", {"form": form, "adult": adult})


@never_cache
@school_view(roles=MANAGE_POLICY)
def policy(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    row = selectors.results_policy_row(school=school)
    initial = {f: getattr(row, f) for f in PolicyForm.base_fields}
    form = PolicyForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.results_policy_update(school=school, actor=_user(request), roles=_roles(request),
                                           **form.cleaned_data)
        except KrijtError as error:
            show_error(form, error)
        else:
            messages.success(request, _("The results policy is saved."))
            return redirect("results:policy")
    return render(request, "results/policy.html", {"form": form})


@heavy
@school_view(roles=GRADEBOOK_ROLES)
def export_csv(request: HttpRequest, course_id: int) -> HttpResponse:
    course = _readable_course(request, course_id)
    table = exports.course_table(school=_school(request), course=course)
    response = HttpResponse(exports.to_csv(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(course)}.csv"'
    return response


@heavy
@school_view(roles=GRADEBOOK_ROLES)
def export_xlsx(request: HttpRequest, course_id: int) -> HttpResponse:
    course = _readable_course(request, course_id)
    table = exports.course_table(school=_school(request), course=course)
    response = HttpResponse(
        exports.to_xlsx(table), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(course)}.xlsx"'
    return response
