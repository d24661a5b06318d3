"""Writes for hand-in: handing in, feedback, and keeping the late mark true to the deadline."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.apps import apps
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from krijt.accounts.models import User
from krijt.accounts.selectors import actor_roles
from krijt.core import clock, parts
from krijt.core.errors import Conflict, Forbidden, NotFound, PayloadTooLarge, ValidationFailed
from krijt.core.text import clean_text
from krijt.core.uploads import CheckedFile, check
from krijt.handin import kinds, selectors
from krijt.handin.models import Submission, SubmissionFile
from krijt.handin.parts import reviewer_scope, reviewers_of
from krijt.handin.permissions import can_hand_in, can_review
from krijt.handin.uploads import HAND_IN, MAX_FILES, MAX_TEXT_CHARS
from krijt.planner.models import PlannerItem
from krijt.schools.models import Enrollment, School
from krijt.schools.paths import school_path

logger = logging.getLogger(__name__)

# Enough to fix a mistake many times over; a bound so one account cannot fill the storage.
MAX_VERSIONS = 20
MAX_FEEDBACK_CHARS = 10_000


def _check_files(files: Sequence[UploadedFile]) -> list[CheckedFile]:
    if len(files) > MAX_FILES:
        raise ValidationFailed(
            _("You can hand in at most %(n)d files at once.") % {"n": MAX_FILES},
            fields={"files": [_("You can hand in at most %(n)d files at once.") % {"n": MAX_FILES}]},
        )
    checked, problems, too_big = [], [], False
    for upload in files:
        try:
            checked.append(check(upload, HAND_IN))
        except PayloadTooLarge as error:
            problems.append(str(error.message))
            too_big = True
        except ValidationFailed as error:
            problems.append(str(error.message))
    if problems:
        error_class = PayloadTooLarge if too_big else ValidationFailed
        raise error_class(problems[0], fields={"files": problems})
    return checked


@transaction.atomic
def submission_hand_in(
    *,
    school: School,
    student: User,
    item: PlannerItem,
    text: str = "",
    files: Sequence[UploadedFile] = (),
    roles: frozenset[str] | None = None,
) -> Submission:
    """Hands in (or hands in again) a student's work for a task.

    After the deadline a first hand-in is accepted and marked late; changing one already handed in is only
    possible before the deadline and before the teacher returned feedback.
    """
    if item.school_id != school.pk or item.kind != PlannerItem.Kind.TASK:
        raise NotFound()
    if not can_hand_in(roles=actor_roles(school=school, actor=student, roles=roles)):
        raise Forbidden(_("Only students hand in work."))
    now = clock.now()
    # Locking the student's enrollment row serialises their own hand-ins (two taps, two tabs) and nobody else's.
    enrolled = list(
        Enrollment.objects.select_for_update()
        .filter(school=school, class_group_id=item.class_group_id, student=student)
        .values_list("pk", flat=True)[:1]
    )
    if item.visible_from > now or not enrolled:
        raise NotFound()
    if item.state == PlannerItem.State.CANCELLED:
        raise Conflict(_("This task was cancelled: there is nothing to hand in."))
    text = clean_text(text)
    if len(text) > MAX_TEXT_CHARS:
        message = _("The text may be at most %(n)d characters.") % {"n": MAX_TEXT_CHARS}
        raise ValidationFailed(message, fields={"text": [message]})
    checked = _check_files(files)
    if not text and not checked:
        message = _("Add a file or write a text to hand in.")
        raise ValidationFailed(message, fields={"__all__": [message]})

    deadline = selectors.deadline_of(item, tz=school.time_zone)
    late = selectors.is_late(now, deadline)
    submission = (
        Submission.objects.select_for_update().filter(school=school, item=item, student=student).order_by().first()
    )
    if submission is None:
        submission = Submission.objects.create(
            school=school, item=item, student=student, text=text, submitted_at=now, late=late, version=1
        )
    else:
        if submission.returned_at is not None:
            raise Conflict(_("Your teacher already gave feedback on this hand-in; it can no longer be changed."))
        if late:
            raise Conflict(_("The deadline has passed: a hand-in can no longer be changed."))
        if submission.version >= MAX_VERSIONS:
            raise Conflict(_("You handed in this task too many times; ask your teacher."))
        submission.version += 1
        submission.text = text
        submission.submitted_at = now
        submission.late = False
        submission.save(update_fields=["version", "text", "submitted_at", "late", "updated_at"])

    saved: list[str] = []
    try:
        for entry in checked:
            stored = SubmissionFile(
                school=school,
                submission=submission,
                version=submission.version,
                name=entry.name,
                size=entry.size,
                content_type=entry.content_type,
            )
            stored.file.save(entry.name, entry.upload, save=False)
            saved.append(stored.file.name)
            stored.save()
    except Exception:
        # The rows roll back with the transaction; the stored bytes must go too.
        for name in saved:
            try:
                default_storage.delete(name)
            except OSError:
                logger.warning("could not delete stored hand-in file %s", name, exc_info=True)
        raise
    parts.bump(*(reviewer_scope(school.pk, t) for t in reviewers_of(item)))
    return submission


@transaction.atomic
def submission_feedback_give(
    *,
    school: School,
    reviewer: User,
    roles: frozenset[str],
    submission: Submission,
    feedback: str,
    return_to_student: bool,
) -> Submission:
    """Saves the teacher's feedback; returning it shows it to the student (again as new when changed)."""
    if submission.school_id != school.pk:
        raise NotFound()
    if not can_review(user=reviewer, roles=roles, item=submission.item):
        raise Forbidden()
    feedback = clean_text(feedback)
    if len(feedback) > MAX_FEEDBACK_CHARS:
        message = _("Feedback may be at most %(n)d characters.") % {"n": MAX_FEEDBACK_CHARS}
        raise ValidationFailed(message, fields={"feedback": [message]})
    if return_to_student and not feedback:
        message = _("Write feedback before returning it to the student.")
        raise ValidationFailed(message, fields={"feedback": [message]})
    locked = Submission.objects.select_for_update().get(school=school, pk=submission.pk)
    now = clock.now()
    changed = locked.feedback != feedback
    locked.feedback = feedback
    locked.feedback_by = reviewer
    locked.feedback_at = now
    fields = ["feedback", "feedback_by", "feedback_at", "updated_at"]
    if return_to_student and (locked.returned_at is None or changed):
        locked.returned_at = now
        locked.seen_at = None
        fields += ["returned_at", "seen_at"]
    locked.save(update_fields=fields)
    submission.refresh_from_db()
    parts.bump(*(reviewer_scope(school.pk, t) for t in reviewers_of(submission.item)))
    if "returned_at" in fields:
        _tell_student(school=school, submission=locked, reviewer=reviewer)
    return submission


def _tell_student(*, school: School, submission: Submission, reviewer: User) -> None:
    """The student hears that feedback came back, through the notification engine (so not at night, and
    never their parents: feedback stays between the student and the teacher). A second return after a
    change is a new event."""
    if not apps.is_installed("krijt.notifications"):
        return
    from krijt.notifications.services import Target, notify

    item = submission.item
    url = school_path(school, "handin:hand_in", item_id=item.pk)
    returned = submission.returned_at or clock.now()
    notify(
        school=school,
        kind=kinds.KIND,
        key=f"handin:{submission.pk}:feedback:{int(returned.timestamp())}",
        targets=[Target(user_id=submission.student_id, audience="student")],
        params={"title": item.title, "course": item.course.name, "teacher": reviewer.full_name or reviewer.username},
        url=url,
    )


@transaction.atomic
def submission_feedback_seen(*, school: School, student: User, submission: Submission) -> bool:
    """Marks returned feedback as seen by its student, once. True when this call marked it."""
    if submission.school_id != school.pk or submission.student_id != student.pk or submission.returned_at is None:
        return False
    now = clock.now()
    marked = Submission.objects.filter(
        school=school, pk=submission.pk, student=student, returned_at__isnull=False, seen_at__isnull=True
    ).update(seen_at=now)
    if marked:
        submission.seen_at = now
    return bool(marked)


@transaction.atomic
def submissions_recompute_late(*, school: School, item: PlannerItem) -> int:
    """Brings the stored late marks in line with the task's deadline after it moved. Returns how many changed."""
    deadline = selectors.deadline_of(item, tz=school.time_zone)
    changed = 0
    for submission in Submission.objects.select_for_update().filter(school=school, item=item).order_by("pk"):
        late = selectors.is_late(submission.submitted_at, deadline)
        if late != submission.late:
            Submission.objects.filter(school=school, pk=submission.pk).update(late=late)
            changed += 1
    return changed
