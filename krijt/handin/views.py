"""Hand-in pages. Thin: forms in, services for writes, selectors for reads."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from krijt.core import clock
from krijt.core.downloads import stored_file_response
from krijt.core.errors import KrijtError, NotFound, PayloadTooLarge
from krijt.core.forms import show_error
from krijt.core.permissions import school_view
from krijt.core.request import roles_of as _roles
from krijt.core.request import school_of as _school
from krijt.core.request import user_of as _user
from krijt.core.roles import Role
from krijt.handin import selectors, services
from krijt.handin.forms import FeedbackForm, HandInForm
from krijt.handin.permissions import FILE_ROLES, OVERVIEW_ROLES, REVIEW_ROLES, STUDENT_ROLES, can_review
from krijt.handin.uploads import INLINE_TYPES, MAX_REQUEST_BYTES
from krijt.planner.models import PlannerItem
from krijt.schools.models import School


def _int(value: str | None) -> int:
    try:
        return max(1, int(value or 1))
    except ValueError:
        return 1


# Service field names that the form calls differently.
FORM_FIELD = {"files": "attachments"}


def _show_error(form: Any, error: KrijtError) -> None:
    show_error(form, error, renamed=FORM_FIELD)


@never_cache
@school_view(roles=OVERVIEW_ROLES)
def overview(request: HttpRequest) -> HttpResponse:
    school, user, roles = _school(request), _user(request), _roles(request)
    context: dict[str, Any] = {}
    if Role.STUDENT in roles:
        context["student_rows"] = selectors.student_tasks(school=school, student=user)
    if roles & REVIEW_ROLES:
        context["review_page"] = selectors.reviewer_tasks(
            school=school, user=user, roles=roles, page=_int(request.GET.get("page"))
        )
    if Role.PARENT in roles:
        context["children"] = selectors.children_tasks(school=school, parent=user)
    context["now"] = clock.now()
    return render(request, "handin/overview.html", context)


@never_cache
@school_view(roles=STUDENT_ROLES)
def hand_in(request: HttpRequest, item_id: int) -> HttpResponse:
    """The student's page for one task: what to do, their hand-in, the form, and the teacher's feedback."""
    school, user = _school(request), _user(request)
    item = selectors.task_for_student(school=school, student=user, item_id=item_id)
    status = 200
    if request.method == "POST":
        if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_REQUEST_BYTES:
            raise PayloadTooLarge()
        form = HandInForm(request.POST, request.FILES)
        status = 400
        if form.is_valid():
            try:
                services.submission_hand_in(
                    school=school,
                    student=user,
                    roles=_roles(request),
                    item=item,
                    text=form.cleaned_data["text"],
                    files=form.cleaned_data["attachments"],
                )
            except KrijtError as error:
                _show_error(form, error)
                status = error.status
            else:
                messages.success(request, _("Handed in. Your teacher can see it now."))
                return redirect("handin:hand_in", item_id=item.pk)
    else:
        form = HandInForm()
    submission = selectors.submission_of(school=school, item=item, student=user)
    if submission is not None and submission.returned_at is not None:
        services.submission_feedback_seen(school=school, student=user, submission=submission)
    return render(request, "handin/hand_in.html", _hand_in_context(school, item, submission, form), status=status)


def _hand_in_context(school: School, item: PlannerItem, submission: Any, form: HandInForm) -> dict[str, Any]:
    now = clock.now()
    deadline = selectors.deadline_of(item, tz=school.time_zone)
    past_deadline = selectors.is_late(now, deadline)
    current, earlier = selectors.files_by_version(submission) if submission else ([], [])
    if item.state == PlannerItem.State.CANCELLED:
        can_hand_in, why_not = False, _("This task was cancelled: there is nothing to hand in.")
    elif submission is None:
        can_hand_in, why_not = True, ""
    elif submission.returned_at is not None:
        can_hand_in, why_not = False, _("Your teacher gave feedback: this hand-in is final.")
    elif past_deadline:
        can_hand_in, why_not = False, _("The deadline has passed: your hand-in can no longer be changed.")
    elif submission.version >= services.MAX_VERSIONS:
        can_hand_in, why_not = False, _("You handed in this task too many times; ask your teacher.")
    else:
        can_hand_in, why_not = True, ""
    return {
        "item": item,
        "deadline": deadline,
        "past_deadline": past_deadline,
        "submission": submission,
        "current_files": current,
        "earlier_files": earlier,
        "form": form,
        "can_hand_in": can_hand_in,
        "why_not": why_not,
        "now": now,
    }


@never_cache
@school_view(roles=REVIEW_ROLES)
def task_submissions(request: HttpRequest, item_id: int) -> HttpResponse:
    """Per task: who handed in (on time or late), who did not, and whose work still waits for feedback."""
    school = _school(request)
    item = selectors.task_for_reviewer(school=school, user=_user(request), roles=_roles(request), item_id=item_id)
    rows = selectors.task_roster(school=school, item=item)
    return render(
        request,
        "handin/task_submissions.html",
        {
            "item": item,
            "deadline": selectors.deadline_of(item, tz=school.time_zone),
            "rows": rows,
            "summary": selectors.roster_summary(rows),
            "now": clock.now(),
        },
    )


@never_cache
@school_view(roles=REVIEW_ROLES)
def submission_detail(request: HttpRequest, submission_id: int) -> HttpResponse:
    school, user, roles = _school(request), _user(request), _roles(request)
    submission = selectors.submission_for_user(school=school, user=user, roles=roles, submission_id=submission_id)
    if not can_review(user=user, roles=roles, item=submission.item):
        raise NotFound()
    form = FeedbackForm(initial={"feedback": submission.feedback})
    return _detail_page(request, submission, form)


def _detail_page(request: HttpRequest, submission: Any, form: FeedbackForm, status: int = 200) -> HttpResponse:
    current, earlier = selectors.files_by_version(submission)
    deadline = selectors.deadline_of(submission.item, tz=_school(request).time_zone)
    return render(
        request,
        "handin/submission_detail.html",
        {
            "submission": submission,
            "item": submission.item,
            "deadline": deadline,
            "current_files": current,
            "earlier_files": earlier,
            "form": form,
        },
        status=status,
    )


@school_view(roles=REVIEW_ROLES)
def submission_feedback(request: HttpRequest, submission_id: int) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    school, user, roles = _school(request), _user(request), _roles(request)
    submission = selectors.submission_for_user(school=school, user=user, roles=roles, submission_id=submission_id)
    if not can_review(user=user, roles=roles, item=submission.item):
        raise NotFound()
    form = FeedbackForm(request.POST)
    if form.is_valid():
        give_back = request.POST.get("action") == "return"
        try:
            services.submission_feedback_give(
                school=school,
                reviewer=user,
                roles=roles,
                submission=submission,
                feedback=form.cleaned_data["feedback"],
                return_to_student=give_back,
            )
        except KrijtError as error:
            _show_error(form, error)
        else:
            messages.success(
                request, _("Feedback returned to the student.") if give_back else _("Feedback saved as a draft.")
            )
            return redirect(reverse("handin:task_submissions", kwargs={"item_id": submission.item_id}))
    return _detail_page(request, submission, form, status=400)


@school_view(roles=FILE_ROLES)
def file_download(request: HttpRequest, file_id: int) -> HttpResponse:
    """A handed-in file, for its student and the task's reviewers only; never cached by shared caches."""
    school = _school(request)
    stored = selectors.file_for_user(school=school, user=_user(request), roles=_roles(request), file_id=file_id)
    inline = stored.content_type in INLINE_TYPES and request.GET.get("download") is None
    response = stored_file_response(stored.file, filename=stored.name, content_type=stored.content_type,
                                    inline=inline)
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    # A streaming response: school_view's signature speaks of HttpResponse, Django serves both alike.
    return response  # type: ignore[return-value]
