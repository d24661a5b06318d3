"""Pages of exercises. Thin: a service or a selector per page, a template.

The practice page carries the whole exercise (its items and their answer keys): the device scores each answer,
keeps the sitting while it lasts and sends it once it is finished to `attempts`, which files it idempotently
and is admitted even when Krijt sheds other load. When Krijt cannot be reached the sitting waits on the device
and is sent again later (static/exercises/practice.js).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from krijt.core import clock
from krijt.core.downloads import made_file_response
from krijt.core.errors import Forbidden, KrijtError, ValidationFailed
from krijt.core.forms import show_error
from krijt.core.permissions import school_view
from krijt.core.request import roles_of as _roles
from krijt.core.request import school_of as _school
from krijt.core.request import user_of as _user
from krijt.exercises import items as item_types
from krijt.exercises import permissions, selectors, services
from krijt.exercises.forms import AssignForm, ExerciseForm, ItemForm, RuleForm
from krijt.exercises.models import Exercise
from krijt.ops.admission import critical, heavy


@never_cache
@school_view(roles=permissions.READ_ROLES)
def home(request: HttpRequest) -> HttpResponse:
    school, user, roles = _school(request), _user(request), _roles(request)
    context: dict[str, Any] = {"may_author": permissions.can_author(roles=roles)}
    if permissions.PRACTISE_ROLES & roles:
        rows = selectors.my_practice(school=school, user=user, roles=roles)
        context.update(rows=rows, todo=[r for r in rows if not r.mastered], done=[r for r in rows if r.mastered])
    context["follows"] = selectors.follows(school=school, user=user, roles=roles)
    return render(request, "exercises/home.html", context)


@never_cache
@school_view(roles=permissions.AUTHOR_ROLES)
def bank(request: HttpRequest) -> HttpResponse:
    school, user, roles = _school(request), _user(request), _roles(request)
    q = request.GET.get("q", "")[:100]
    found = list(selectors.bank(school=school, user=user, roles=roles, q=q)[:200])
    return render(request, "exercises/bank.html", {"exercises": found, "q": q})


def _exercise_in(form: ExerciseForm) -> services.ExerciseIn:
    d = form.cleaned_data
    return services.ExerciseIn(subject=d["subject"], skill=d["skill"], title=d["title"],
                               instructions=d.get("instructions") or "", grade=d.get("grade"), rule_m=d["rule_m"],
                               rule_n=d["rule_n"])


@never_cache
@require_http_methods(["GET", "POST"])
@school_view(roles=permissions.AUTHOR_ROLES)
def exercise_new(request: HttpRequest) -> HttpResponse:
    school, user, roles = _school(request), _user(request), _roles(request)
    form = ExerciseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            exercise = services.exercise_create(school=school, actor=user, roles=roles, data=_exercise_in(form))
        except KrijtError as error:
            show_error(form, error)
        else:
            messages.success(request, _("The exercise is made. Add its items."))
            return redirect("exercises:exercise", exercise_id=exercise.pk)
    return render(request, "exercises/exercise_form.html", {"form": form, "exercise": None},
                  status=400 if form.errors else 200)


@never_cache
@require_http_methods(["GET", "POST"])
@school_view(roles=permissions.AUTHOR_ROLES)
def exercise(request: HttpRequest, exercise_id: int) -> HttpResponse:
    """An exercise with its items; its author adds items here."""
    school, user, roles = _school(request), _user(request), _roles(request)
    view = selectors.exercise_detail(school=school, user=user, roles=roles, exercise_id=exercise_id)
    form = ItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.item_add(school=school, actor=user, roles=roles, exercise=view.exercise, data=_item_in(form))
        except KrijtError as error:
            show_error(form, error)
        else:
            messages.success(request, _("The item is added."))
            return redirect("exercises:exercise", exercise_id=exercise_id)
    return render(request, "exercises/exercise.html", {
        "view": view, "form": form, "rows": [_item_row(i) for i in view.items],
    }, status=400 if form.errors else 200)


def _item_row(item: Any) -> dict[str, Any]:
    rev = item.current
    return {"item": item, "rev": rev, "kind": item_types.KIND_LABELS.get(rev.kind, rev.kind) if rev else "",
            "answer": item_types.source_of(rev.kind, rev.body) if rev else ""}


@never_cache
@require_http_methods(["GET", "POST"])
@school_view(roles=permissions.AUTHOR_ROLES)
def exercise_edit(request: HttpRequest, exercise_id: int) -> HttpResponse:
    school, user, roles = _school(request), _user(request), _roles(request)
    view = selectors.exercise_detail(school=school, user=user, roles=roles, exercise_id=exercise_id)
    ex: Exercise = view.exercise
    if not view.may_edit:
        raise Forbidden()
    initial = {"title": ex.title, "subject": ex.subject, "skill": ex.skill, "grade": ex.grade,
               "instructions": ex.instructions, "rule_m": ex.rule_m, "rule_n": ex.rule_n}
    form = ExerciseForm(request.POST or None, initial=initial)
    if request.method == "POST" and "archive" in request.POST:
        services.exercise_archive(school=school, actor=user, roles=roles, exercise=ex,
                                  archived=request.POST["archive"] == "1")
        messages.success(request, _("The exercise is archived.") if ex.archived else _("The exercise is back."))
        return redirect("exercises:exercise", exercise_id=ex.pk)
    if request.method == "POST" and form.is_valid():
        try:
            services.exercise_update(school=school, actor=user, roles=roles, exercise=ex, data=_exercise_in(form))
        except KrijtError as error:
            show_error(form, error)
        else:
            messages.success(request, _("The exercise is saved."))
            return redirect("exercises:exercise", exercise_id=ex.pk)
    return render(request, "exercises/exercise_form.html", {"form": form, "exercise": ex},
                  status=400 if form.errors else 200)


def _item_in(form: ItemForm) -> services.ItemIn:
    d = form.cleaned_data
    return services.ItemIn(kind=d["kind"], prompt=d["prompt"], source=d.get("source") or "",
                           feedback_correct=d.get("feedback_correct") or "",
                           feedback_wrong=d.get("feedback_wrong") or "",
                           hints=(d.get("hints") or "").splitlines())


@never_cache
@heavy(methods=["POST"])
@require_http_methods(["GET", "POST"])
@school_view(roles=permissions.AUTHOR_ROLES)
def qti_import(request: HttpRequest, exercise_id: int) -> HttpResponse:
    """Items from a QTI package (3.0 or 2.x) into an exercise: what was added and what was left out, and why."""
    school, user, roles = _school(request), _user(request), _roles(request)
    view = selectors.exercise_detail(school=school, user=user, roles=roles, exercise_id=exercise_id)
    if not view.may_edit:
        raise Forbidden()
    result, error = None, ""
    if request.method == "POST":
        upload = request.FILES.get("package")
        try:
            if upload is None:
                raise ValidationFailed(_("Choose a QTI package (.zip) or item (.xml)."))
            result = services.exercise_import(school=school, actor=user, roles=roles, exercise=view.exercise,
                                              upload=upload)
        except KrijtError as failed:
            error = str(failed.message)
    return render(request, "exercises/import.html", {"view": view, "result": result, "error": error,
                                                     "accept": services.QTI_UPLOAD.accept},
                  status=400 if error else 200)


@heavy
@school_view(roles=permissions.AUTHOR_ROLES)
def qti_export(request: HttpRequest, exercise_id: int) -> HttpResponse:
    name, data = services.exercise_export(school=_school(request), user=_user(request), roles=_roles(request),
                                          exercise_id=exercise_id)
    return made_file_response(data, filename=name, content_type="application/zip")


@never_cache
@require_http_methods(["GET", "POST"])
@school_view(roles=permissions.AUTHOR_ROLES)
def item(request: HttpRequest, item_id: int) -> HttpResponse:
    school, user, roles = _school(request), _user(request), _roles(request)
    found = selectors.item_for_edit(school=school, user=user, roles=roles, item_id=item_id)
    if request.method == "POST" and request.POST.get("action") in ("remove", "up", "down"):
        action = request.POST["action"]
        if action == "remove":
            services.item_remove(school=school, actor=user, roles=roles, item=found)
            messages.success(request, _("The item is removed."))
        else:
            services.item_move(school=school, actor=user, roles=roles, item=found, up=action == "up")
        return redirect("exercises:exercise", exercise_id=found.exercise_id)
    rev = found.current
    initial = {}
    if rev is not None:
        initial = {"kind": rev.kind, "prompt": rev.prompt, "source": item_types.source_of(rev.kind, rev.body),
                   "feedback_correct": rev.feedback_correct, "feedback_wrong": rev.feedback_wrong,
                   "hints": "\n".join(rev.hints)}
    form = ItemForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.item_change(school=school, actor=user, roles=roles, item=found, data=_item_in(form))
        except KrijtError as error:
            show_error(form, error)
        else:
            messages.success(request, _("The item is saved. Answers already given keep the version they saw."))
            return redirect("exercises:exercise", exercise_id=found.exercise_id)
    return render(request, "exercises/item.html", {"item": found, "form": form},
                  status=400 if form.errors else 200)


@never_cache
@require_http_methods(["GET", "POST"])
@school_view(roles=permissions.AUTHOR_ROLES)
def assign(request: HttpRequest, exercise_id: int) -> HttpResponse:
    school, user, roles = _school(request), _user(request), _roles(request)
    view = selectors.exercise_detail(school=school, user=user, roles=roles, exercise_id=exercise_id)
    courses = selectors.assignable_courses(school=school, user=user, roles=roles)
    raw = request.POST.get("course") or request.GET.get("course") or ""
    course = next((c for c in courses if str(c.pk) == raw), None)
    if course is None:
        return render(request, "exercises/assign_course.html", {"view": view, "courses": courses})
    pupils = selectors.pupils_of(school=school, course=course)
    groups = selectors.groups_of(school=school, course=course)
    form = AssignForm(request.POST or None, courses=courses, pupils=pupils, groups=groups,
                      initial={"course": course.pk, "rule_m": view.exercise.rule_m, "rule_n": view.exercise.rule_n,
                               "minutes": 15})
    warned = False
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            students, group_id = list(d.get("students") or []), d.get("group")
            if d.get("group_name") and students:
                group_id = services.group_save(school=school, actor=user, roles=roles, course=course,
                                               name=d["group_name"], student_ids=students).pk
            made = services.assignment_create(school=school, actor=user, roles=roles, data=services.AssignIn(
                course_id=course.pk, exercise_id=view.exercise.pk, student_ids=students, group_id=group_id,
                due_date=d.get("due_date"), minutes=d.get("minutes") or 0, rule_m=d["rule_m"], rule_n=d["rule_n"],
                override_reason=d.get("override_reason") or ""))
        except KrijtError as error:
            warned = getattr(error, "code", "") in ("workload_warning", "workload_blocked")
            show_error(form, error)
        else:
            messages.success(request, _("The exercise is assigned."))
            return redirect("exercises:assignment", assignment_id=made.pk)
    return render(request, "exercises/assign.html", {"view": view, "form": form, "course": course,
                                                     "groups": groups, "warned": warned},
                  status=400 if form.errors else 200)


@never_cache
@require_http_methods(["GET", "POST"])
@school_view(roles=permissions.DASHBOARD_ROLES)
def assignment(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """An assignment for its teacher: its mastery rule, cancelling it, and the way to the dashboard."""
    school, user, roles = _school(request), _user(request), _roles(request)
    found = selectors.assignment_for_teacher(school=school, user=user, roles=roles, assignment_id=assignment_id)
    form = RuleForm(request.POST or None, initial={"rule_m": found.rule_m, "rule_n": found.rule_n})
    if request.method == "POST" and request.POST.get("action") == "results":
        try:
            services.assignment_to_results(school=school, actor=user, roles=roles, assignment=found)
        except KrijtError as error:
            messages.error(request, str(error.message))
            return redirect("exercises:assignment", assignment_id=found.pk)
        messages.success(request, _("The practice is in the results as a task out of 10, not published yet: "
                                    "publish it there when the class may see it."))
        return redirect("results:course", course_id=found.course_id)
    if request.method == "POST" and request.POST.get("action") == "cancel":
        services.assignment_cancel(school=school, actor=user, roles=roles, assignment=found)
        messages.success(request, _("The assignment is cancelled."))
        return redirect("exercises:dashboard", course_id=found.course_id)
    if request.method == "POST" and form.is_valid():
        try:
            services.assignment_rule_change(school=school, actor=user, roles=roles, assignment=found,
                                            rule_m=form.cleaned_data["rule_m"], rule_n=form.cleaned_data["rule_n"])
        except KrijtError as error:
            show_error(form, error)
        else:
            messages.success(request, _("The mastery rule is changed for sittings started from now."))
            return redirect("exercises:assignment", assignment_id=found.pk)
    may_change = permissions.can_change_assignment(user=user, roles=roles, assignment=found)
    return render(request, "exercises/assignment.html", {"a": found, "form": form, "may_change": may_change},
                  status=400 if form.errors else 200)


@never_cache
@school_view(roles=permissions.DASHBOARD_ROLES)
def dashboard(request: HttpRequest, course_id: int) -> HttpResponse:
    school, user, roles = _school(request), _user(request), _roles(request)
    skill = request.GET.get("skill", "")[:100]
    board = selectors.dashboard(school=school, user=user, roles=roles, course_id=course_id, skill=skill)
    return render(request, "exercises/dashboard.html", {"board": board})


@never_cache
@school_view(roles=permissions.PRACTISE_ROLES)
def practise(request: HttpRequest, assignment_id: int) -> HttpResponse:
    school, user, roles = _school(request), _user(request), _roles(request)
    view = selectors.practice(school=school, user=user, roles=roles, assignment_id=assignment_id)
    keys = [{"rev": i["rev"], "kind": i["kind"], "body": i["body"]} for i in view.items]
    return render(request, "exercises/practise.html", {
        "view": view, "keys": keys, "server_now": int(clock.now().timestamp() * 1000),
        "sitting": {"assignment": view.assignment_id, "m": view.rule.m, "n": view.rule.n, "limit": view.limit},
    })


def _moment(value: Any, name: str) -> dt.datetime:
    if not isinstance(value, str):
        raise ValidationFailed(fields={name: [_("Not a moment.")]})
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationFailed(fields={name: [_("Not a moment.")]}) from None
    if moment.tzinfo is None:
        raise ValidationFailed(fields={name: [_("Not a moment.")]})
    return moment


def attempt_in(payload: Any) -> services.AttemptIn:
    """The JSON a device sends for a finished sitting (the page and the API read it alike)."""
    if not isinstance(payload, dict):
        raise ValidationFailed(_("The sitting is not readable."))
    try:
        key = uuid.UUID(str(payload.get("key")))
        assignment_id = int(payload["assignment"])
        rule = payload.get("rule") or []
        rule_m, rule_n = int(rule[0]), int(rule[1])
    except (ValueError, TypeError, IndexError, KeyError):
        raise ValidationFailed(_("The sitting is not readable.")) from None
    return services.AttemptIn(key=key, assignment_id=assignment_id,
                              started_at=_moment(payload.get("started_at"), "started_at"),
                              finished_at=_moment(payload.get("finished_at"), "finished_at"),
                              rule_m=rule_m, rule_n=rule_n, answers=payload.get("answers") or [],
                              mastered=bool(payload.get("mastered")))


@critical
@require_POST
@school_view(roles=permissions.PRACTISE_ROLES)
def attempts(request: HttpRequest) -> HttpResponse:
    """A finished sitting from the practice page (JSON). Answers 201 when filed now, 200 when it was already."""
    if len(request.body) > services.MAX_ATTEMPT_BYTES + 4096:
        return JsonResponse(ValidationFailed(_("This sitting is too large.")).as_dict(), status=413)
    try:
        payload = json.loads(request.body or b"null")
        attempt, created = services.attempt_submit(school=_school(request), student=_user(request),
                                                   roles=_roles(request), data=attempt_in(payload))
    except json.JSONDecodeError:
        return JsonResponse(ValidationFailed(_("The sitting is not readable.")).as_dict(), status=400)
    except KrijtError as error:
        return JsonResponse(error.as_dict(), status=error.status)
    return JsonResponse({"key": str(attempt.key), "created": created}, status=201 if created else 200)

