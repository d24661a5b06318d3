"""Hand-in as JSON: a student's hand-in (with files, as multipart form data) and their feedback, and for the
task's reviewers the class roster and giving feedback, through the same reads and services as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from krijt.core.api import PersonRef, caller, ok
from krijt.core.errors import PayloadTooLarge
from krijt.handin import selectors
from krijt.handin import services as handin_services
from krijt.handin.models import Submission, SubmissionFile
from krijt.handin.permissions import REVIEW_ROLES, STUDENT_ROLES
from krijt.handin.uploads import MAX_REQUEST_BYTES, MAX_TEXT_CHARS

# ---------------------------------------------------------------- shapes


class FileOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    version: int


class SubmissionOut(Schema):
    id: int
    item_id: int
    student: PersonRef
    version: int = Field(..., description="How many times it was handed in; files belong to a version.")
    text: str
    submitted_at: dt.datetime
    late: bool
    files: list[FileOut] = Field(..., description="The files of the current version.")
    feedback: str | None = Field(None, description="For the student only once returned; a reviewer sees drafts.")
    feedback_at: dt.datetime | None = None
    returned_at: dt.datetime | None = Field(None, description="When the feedback was returned to the student.")


class HandInOut(Schema):
    item_id: int
    deadline: dt.datetime
    submission: SubmissionOut | None


class RosterRowOut(Schema):
    student: PersonRef
    in_class: bool = Field(..., description="False for a student who handed in and has left the class since.")
    submission: SubmissionOut | None


class RosterOut(Schema):
    item_id: int
    deadline: dt.datetime
    students: int
    handed_in: int
    late: int
    missing: int
    to_review: int
    rows: list[RosterRowOut]


class HandInIn(Schema):
    text: str = Field("", max_length=MAX_TEXT_CHARS)


class FeedbackIn(Schema):
    feedback: str = Field(..., max_length=handin_services.MAX_FEEDBACK_CHARS)
    return_to_student: bool = Field(False, description="Show it to the student now; false keeps a draft.")


# ---------------------------------------------------------------- operations


router: Router = Router(tags=["hand-in"])


def _person(user: Any) -> dict[str, Any]:
    return {"id": user.pk, "username": user.username, "first_name": user.first_name, "last_name": user.last_name,
            "full_name": user.full_name or user.username}


def _files(files: list[SubmissionFile]) -> list[dict[str, Any]]:
    return [{"id": f.pk, "name": f.name, "content_type": f.content_type, "size": f.size, "version": f.version}
            for f in files]


def _submission(submission: Submission, *, reviewer: bool) -> dict[str, Any]:
    shown = reviewer or submission.returned_at is not None
    current, _earlier = selectors.files_by_version(submission)
    return {"id": submission.pk, "item_id": submission.item_id, "student": _person(submission.student),
            "version": submission.version, "text": submission.text, "submitted_at": submission.submitted_at,
            "late": submission.late, "files": _files(current),
            "feedback": submission.feedback if shown else None,
            "feedback_at": submission.feedback_at if shown else None, "returned_at": submission.returned_at}


@router.get("/planner/items/{item_id}/submission", response=ok(HandInOut, 403), summary="My hand-in for a task")
def my_hand_in(request: HttpRequest, item_id: int) -> dict[str, Any]:
    """The asking student's hand-in for a task of their class (null before the first), with the feedback
    once returned; reading returned feedback marks it seen, as the page does."""
    c = caller(request, STUDENT_ROLES)
    item = selectors.task_for_student(school=c.school, student=c.user, item_id=item_id)
    submission = selectors.submission_of(school=c.school, item=item, student=c.user)
    if submission is not None:
        submission.student = c.user
    if submission is not None and submission.returned_at is not None:
        handin_services.submission_feedback_seen(school=c.school, student=c.user, submission=submission)
    return {"item_id": item.pk, "deadline": selectors.deadline_of(item, tz=c.school.time_zone),
            "submission": None if submission is None else _submission(submission, reviewer=False)}


@router.post("/planner/items/{item_id}/submission", response=ok(SubmissionOut, 403, 409, status=201),
             summary="Hand in")
def hand_in(
    request: HttpRequest, item_id: int, body: Form[HandInIn], files: File[list[UploadedFile]] = None  # type: ignore[assignment]
) -> Status[dict[str, Any]]:
    """Hands in (or again, before the deadline and before feedback) work for a task: multipart form data
    with `text` and/or `files` (documents and images). After the deadline a first hand-in is accepted and
    marked late."""
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_REQUEST_BYTES:
        raise PayloadTooLarge()
    c = caller(request, STUDENT_ROLES)
    item = selectors.task_for_student(school=c.school, student=c.user, item_id=item_id)
    handin_services.submission_hand_in(school=c.school, student=c.user, roles=c.roles, item=item, text=body.text,
                                       files=list(files or []))
    submission = selectors.submission_of(school=c.school, item=item, student=c.user)
    assert submission is not None
    submission.student = c.user
    return Status(201, _submission(submission, reviewer=False))


@router.get("/planner/items/{item_id}/submissions", response=ok(RosterOut, 403), summary="Hand-ins of a task")
def task_submissions(request: HttpRequest, item_id: int) -> dict[str, Any]:
    """For the task's teacher, the class mentor and administrators: every student of the class with their
    hand-in or none (and who handed in and left the class since)."""
    c = caller(request, REVIEW_ROLES)
    item = selectors.task_for_reviewer(school=c.school, user=c.user, roles=c.roles, item_id=item_id)
    rows = selectors.task_roster(school=c.school, item=item)
    summary = selectors.roster_summary(rows)
    return {
        "item_id": item.pk, "deadline": selectors.deadline_of(item, tz=c.school.time_zone),
        "students": summary.students, "handed_in": summary.handed_in, "late": summary.late,
        "missing": summary.missing, "to_review": summary.to_review,
        "rows": [{"student": _person(r.student), "in_class": r.enrolled,
                  "submission": None if r.submission is None else _submission(r.submission, reviewer=True)}
                 for r in rows],
    }


@router.put("/submissions/{submission_id}/feedback", response=ok(SubmissionOut, 403), summary="Give feedback")
def submission_feedback(request: HttpRequest, submission_id: int, body: FeedbackIn) -> dict[str, Any]:
    """Saves feedback on a hand-in (a draft), or returns it to the student; changed feedback shows as new."""
    c = caller(request, REVIEW_ROLES)
    submission = selectors.submission_for_user(school=c.school, user=c.user, roles=c.roles,
                                               submission_id=submission_id)
    saved = handin_services.submission_feedback_give(
        school=c.school, reviewer=c.user, roles=c.roles, submission=submission, feedback=body.feedback,
        return_to_student=body.return_to_student,
    )
    return _submission(selectors.submission_for_user(school=c.school, user=c.user, roles=c.roles,
                                                     submission_id=saved.pk), reviewer=True)
