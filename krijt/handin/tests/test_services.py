"""Handing in, resubmitting, late marks (with a controlled clock and the school's time zone) and feedback."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from krijt.core.errors import Conflict, Forbidden, NotFound, PayloadTooLarge, ValidationFailed
from krijt.core.roles import Role
from krijt.handin import selectors, services
from krijt.handin.models import Submission, SubmissionFile
from krijt.handin.tests.conftest import PDF, PNG, make_task
from krijt.handin.uploads import MAX_FILE_BYTES, MAX_FILES
from krijt.planner.models import PlannerItem
from tests.scenario import Scenario

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def hand_in(s: Scenario, item: PlannerItem, **kwargs: Any) -> Submission:
    kwargs.setdefault("student", s.student)
    return services.submission_hand_in(school=s.school, item=item, **kwargs)


def test_a_file_is_stored_with_its_checked_type(scenario: Scenario, task: PlannerItem, pdf: Any) -> None:
    submission = hand_in(scenario, task, files=[pdf("My essay.PDF")])
    assert submission.version == 1
    assert not submission.late
    stored = SubmissionFile.objects.get(submission=submission)
    assert (stored.name, stored.content_type, stored.size, stored.version) == (
        "My essay.pdf",
        "application/pdf",
        len(PDF),
        1,
    )
    assert stored.file.name.startswith(f"handin/{scenario.school.pk}/")
    assert stored.name not in stored.file.name  # the student's file name never reaches the storage path
    with default_storage.open(stored.file.name, "rb") as handle:
        assert handle.read() == PDF


def test_text_only_is_kept_as_plain_text(scenario: Scenario, task: PlannerItem) -> None:
    submission = hand_in(scenario, task, text="  <b>Line one</b>\r\nLine\x07 two  ")
    assert submission.text == "<b>Line one</b>\nLine two"
    assert not submission.files.exists()


def test_nothing_to_hand_in_is_refused(scenario: Scenario, task: PlannerItem) -> None:
    with pytest.raises(ValidationFailed):
        hand_in(scenario, task, text="   ")
    assert not Submission.objects.exists()


def test_a_file_over_20_mb_is_refused_with_413(scenario: Scenario, task: PlannerItem) -> None:
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (MAX_FILE_BYTES - 4))
    with pytest.raises(PayloadTooLarge) as caught:
        hand_in(scenario, task, files=[big])
    assert "20" in str(caught.value.fields["files"][0])
    assert not Submission.objects.exists()
    exact = SimpleUploadedFile("fits.pdf", b"%PDF-" + b"0" * (MAX_FILE_BYTES - 5))
    assert hand_in(scenario, task, files=[exact]).files.get().size == MAX_FILE_BYTES


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("game.exe", b"MZ\x90\x00"),
        ("page.html", b"<html><script>alert(1)</script>"),
        ("page.pdf", b"<html><script>alert(1)</script>"),  # a web page renamed to .pdf
        ("photo.png", b"\xff\xd8\xff\xe0JFIF"),  # a JPEG is not a PNG
        ("notes.txt", b"binary\x00data"),
        ("noextension", b"%PDF-1.4"),
        ("empty.pdf", b""),
    ],
)
def test_wrong_types_are_refused(scenario: Scenario, task: PlannerItem, name: str, content: bytes) -> None:
    with pytest.raises(ValidationFailed) as caught:
        hand_in(scenario, task, files=[SimpleUploadedFile(name, content)])
    assert caught.value.fields["files"]
    assert not Submission.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        ("photo.png", PNG, "image/png"),
        ("photo.heic", b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00", "image/heic"),
        ("photo.webp", b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
        ("essay.docx", b"PK\x03\x04rest", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("essay.odt", b"PK\x03\x04rest", "application/vnd.oasis.opendocument.text"),
        ("essay.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "application/msword"),
        ("notes.txt", "Één zin met accenten.".encode(), "text/plain; charset=utf-8"),
    ],
)
def test_common_documents_and_photos_are_accepted(
    scenario: Scenario, task: PlannerItem, name: str, content: bytes, content_type: str
) -> None:
    submission = hand_in(scenario, task, files=[SimpleUploadedFile(name, content, content_type="text/html")])
    assert submission.files.get().content_type == content_type


def test_too_many_files_are_refused(scenario: Scenario, task: PlannerItem, pdf: Any) -> None:
    with pytest.raises(ValidationFailed):
        hand_in(scenario, task, files=[pdf(f"p{i}.pdf") for i in range(MAX_FILES + 1)])


def test_a_cancelled_task_takes_no_hand_in(scenario: Scenario, pdf: Any) -> None:
    item = make_task(scenario, state=PlannerItem.State.CANCELLED)
    with pytest.raises(Conflict):
        hand_in(scenario, item, files=[pdf()])
    assert not Submission.objects.exists()


def test_a_task_of_another_class_is_not_found(scenario: Scenario, pdf: Any) -> None:
    item = make_task(scenario, class_index=1)
    with pytest.raises(NotFound):
        hand_in(scenario, item, files=[pdf()])


def test_a_task_not_yet_visible_or_a_test_is_not_found(scenario: Scenario, pdf: Any) -> None:
    hidden = make_task(scenario, visible_from=dt.datetime(2026, 10, 2, 5, 0, tzinfo=UTC))
    with pytest.raises(NotFound):
        hand_in(scenario, hidden, files=[pdf()])
    test_item = make_task(scenario, kind=PlannerItem.Kind.TEST)
    with pytest.raises(NotFound):
        hand_in(scenario, test_item, files=[pdf()])


def test_another_schools_task_is_not_found(scenario: Scenario, other_school: Scenario, pdf: Any) -> None:
    item = make_task(other_school)
    with pytest.raises(NotFound):
        hand_in(scenario, item, files=[pdf()])
    with pytest.raises(NotFound):
        services.submission_hand_in(school=scenario.school, student=other_school.student, item=item, text="x")


def test_handing_in_again_before_the_deadline_makes_a_new_version(
    scenario: Scenario, task: PlannerItem, pdf: Any, time_machine: Any
) -> None:
    first = hand_in(scenario, task, files=[pdf("draft.pdf")], text="draft")
    time_machine.move_to(dt.datetime(2026, 10, 2, 8, 0, tzinfo=UTC), tick=False)
    second = hand_in(scenario, task, files=[pdf("final.pdf")])
    assert second.pk == first.pk
    assert (second.version, second.text, second.late) == (2, "", False)
    assert second.submitted_at == dt.datetime(2026, 10, 2, 8, 0, tzinfo=UTC)
    current, earlier = selectors.files_by_version(Submission.objects.prefetch_related("files").get(pk=second.pk))
    assert [f.name for f in current] == ["final.pdf"]
    assert [(v.version, [f.name for f in v.files]) for v in earlier] == [(1, ["draft.pdf"])]


def test_after_the_deadline_a_hand_in_cannot_be_changed(
    scenario: Scenario, task: PlannerItem, pdf: Any, time_machine: Any
) -> None:
    hand_in(scenario, task, files=[pdf()])
    time_machine.move_to(dt.datetime(2026, 10, 6, 8, 0, tzinfo=UTC), tick=False)
    with pytest.raises(Conflict):
        hand_in(scenario, task, files=[pdf("later.pdf")])
    assert Submission.objects.get().version == 1


def test_after_feedback_a_hand_in_cannot_be_changed(scenario: Scenario, task: PlannerItem, pdf: Any) -> None:
    submission = hand_in(scenario, task, files=[pdf()])
    services.submission_feedback_give(
        school=scenario.school,
        reviewer=scenario.teacher,
        roles=frozenset({Role.TEACHER}),
        submission=submission,
        feedback="Good work.",
        return_to_student=True,
    )
    with pytest.raises(Conflict):
        hand_in(scenario, task, text="one more thing")


# ---------------------------------------------------------------- late, by the school's clock


@pytest.mark.parametrize(
    ("submitted", "late"),
    [
        # Monday 5 October 2026 is summer time: 23:59 in Brussels is 21:59 UTC.
        (dt.datetime(2026, 10, 5, 21, 58, 59, tzinfo=UTC), False),
        (dt.datetime(2026, 10, 5, 21, 59, 59, tzinfo=UTC), False),  # the deadline's minute still counts
        (dt.datetime(2026, 10, 5, 22, 0, 0, tzinfo=UTC), True),  # midnight in Brussels
        (dt.datetime(2026, 10, 5, 23, 30, 0, tzinfo=UTC), True),  # still the 5th in UTC, the 6th locally
    ],
)
def test_late_without_a_lesson_period_is_after_2359_local(
    scenario: Scenario, pdf: Any, time_machine: Any, submitted: dt.datetime, late: bool
) -> None:
    item = make_task(scenario, due_date=dt.date(2026, 10, 5))
    time_machine.move_to(submitted, tick=False)
    assert hand_in(scenario, item, files=[pdf()]).late is late


@pytest.mark.parametrize(
    ("submitted", "late"),
    [
        # Monday 26 October 2026 is winter time (UTC+1): the first lesson starts 08:25 local = 07:25 UTC.
        (dt.datetime(2026, 10, 26, 7, 25, 30, tzinfo=UTC), False),
        (dt.datetime(2026, 10, 26, 7, 26, 0, tzinfo=UTC), True),
    ],
)
def test_late_with_a_lesson_period_is_after_its_start_across_summer_time(
    scenario: Scenario, pdf: Any, time_machine: Any, submitted: dt.datetime, late: bool
) -> None:
    item = make_task(scenario, due_date=dt.date(2026, 10, 26), lesson_period=1)
    assert selectors.deadline_of(item, tz="Europe/Brussels") == dt.datetime(2026, 10, 26, 7, 25, tzinfo=UTC)
    time_machine.move_to(submitted, tick=False)
    assert hand_in(scenario, item, files=[pdf()]).late is late


def test_the_deadline_follows_the_schools_time_zone(scenario: Scenario, pdf: Any, time_machine: Any) -> None:
    scenario.school.time_zone = "America/New_York"
    scenario.school.save()
    item = make_task(scenario, due_date=dt.date(2026, 10, 5))
    time_machine.move_to(dt.datetime(2026, 10, 6, 3, 0, tzinfo=UTC), tick=False)  # 23:00 in New York
    assert hand_in(scenario, item, files=[pdf()]).late is False


def test_a_first_hand_in_after_the_deadline_is_accepted_and_marked_late(
    scenario: Scenario, task: PlannerItem, pdf: Any, time_machine: Any
) -> None:
    time_machine.move_to(dt.datetime(2026, 10, 7, 12, 0, tzinfo=UTC), tick=False)
    submission = hand_in(scenario, task, files=[pdf()])
    assert submission.late
    rows = selectors.task_roster(school=scenario.school, item=task)
    assert [r.submission.late for r in rows if r.submission] == [True]


def test_late_marks_follow_a_moved_deadline(scenario: Scenario, task: PlannerItem, pdf: Any, time_machine: Any) -> None:
    time_machine.move_to(dt.datetime(2026, 10, 6, 12, 0, tzinfo=UTC), tick=False)
    submission = hand_in(scenario, task, files=[pdf()])
    assert submission.late
    task.due_date = dt.date(2026, 10, 8)
    task.save()
    assert services.submissions_recompute_late(school=scenario.school, item=task) == 1
    submission.refresh_from_db()
    assert not submission.late


# ---------------------------------------------------------------- feedback


def test_feedback_draft_then_returned_then_seen(scenario: Scenario, task: PlannerItem, pdf: Any) -> None:
    submission = hand_in(scenario, task, files=[pdf()])
    teacher = frozenset({Role.TEACHER})
    services.submission_feedback_give(
        school=scenario.school, reviewer=scenario.teacher, roles=teacher, submission=submission,
        feedback="Nice start", return_to_student=False,
    )
    submission.refresh_from_db()
    assert (submission.feedback, submission.returned_at, submission.feedback_by) == (
        "Nice start", None, scenario.teacher
    )
    seen = services.submission_feedback_seen
    assert not seen(school=scenario.school, student=scenario.student, submission=submission)
    services.submission_feedback_give(
        school=scenario.school, reviewer=scenario.teacher, roles=teacher, submission=submission,
        feedback="Nice work", return_to_student=True,
    )
    submission.refresh_from_db()
    assert submission.returned_at is not None
    assert submission.seen_at is None
    other = scenario.students[1]
    assert not seen(school=scenario.school, student=other, submission=submission)
    assert seen(school=scenario.school, student=scenario.student, submission=submission)
    assert not seen(school=scenario.school, student=scenario.student, submission=submission)
    submission.refresh_from_db()
    assert submission.seen_at is not None


def test_only_the_tasks_teachers_give_feedback(scenario: Scenario, task: PlannerItem) -> None:
    submission = hand_in(scenario, task, text="answer")
    with pytest.raises(Forbidden):
        services.submission_feedback_give(
            school=scenario.school, reviewer=scenario.teachers[1], roles=frozenset({Role.TEACHER}),
            submission=submission, feedback="x", return_to_student=True,
        )
    with pytest.raises(ValidationFailed):
        services.submission_feedback_give(
            school=scenario.school, reviewer=scenario.teacher, roles=frozenset({Role.TEACHER}),
            submission=submission, feedback="  ", return_to_student=True,
        )
    services.submission_feedback_give(
        school=scenario.school, reviewer=scenario.admin, roles=frozenset({Role.ADMIN}),
        submission=submission, feedback="Seen by the office", return_to_student=True,
    )


def test_stored_files_leave_with_their_task(
    scenario: Scenario, task: PlannerItem, pdf: Any, django_capture_on_commit_callbacks: Any
) -> None:
    submission = hand_in(scenario, task, files=[pdf()])
    name = submission.files.get().file.name
    assert default_storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        task.delete()
    assert not Submission.objects.exists()
    assert not default_storage.exists(name)


def test_returned_feedback_reaches_the_student_through_the_engine_and_never_at_night(
    scenario: Scenario, task: PlannerItem, pdf: Any, time_machine: Any
) -> None:
    from krijt.notifications.models import Notification

    submission = hand_in(scenario, task, files=[pdf()])
    teacher = frozenset({Role.TEACHER})
    give = services.submission_feedback_give
    give(school=scenario.school, reviewer=scenario.teacher, roles=teacher, submission=submission,
         feedback="A draft", return_to_student=False)
    assert not Notification.objects.filter(kind="handin_feedback").exists()  # a draft tells nobody
    time_machine.move_to(dt.datetime(2026, 10, 1, 19, 30, tzinfo=UTC), tick=False)  # 21:30 in Brussels
    give(school=scenario.school, reviewer=scenario.teacher, roles=teacher, submission=submission,
         feedback="Well done", return_to_student=True)
    told = Notification.objects.get(kind="handin_feedback")
    assert told.recipient_id == scenario.student.pk
    assert told.audience == "student"
    assert told.visible_at == dt.datetime(2026, 10, 2, 5, 0, tzinfo=UTC)  # 07:00 the next morning
    parents = set(scenario.student.parent_links.values_list("parent_id", flat=True))
    assert not Notification.objects.filter(kind="handin_feedback", recipient_id__in=parents).exists()
    give(school=scenario.school, reviewer=scenario.teacher, roles=teacher, submission=submission,
         feedback="Well done", return_to_student=True)  # saved again unchanged: not a new event
    assert Notification.objects.filter(kind="handin_feedback").count() == 1
    time_machine.move_to(dt.datetime(2026, 10, 2, 8, 0, tzinfo=UTC), tick=False)
    give(school=scenario.school, reviewer=scenario.teacher, roles=teacher, submission=submission,
         feedback="Well done, see the margin notes", return_to_student=True)
    assert Notification.objects.filter(kind="handin_feedback").count() == 2


def test_a_notification_names_its_school_even_outside_a_request(scenario: Scenario, task: PlannerItem,
                                                                pdf: Any) -> None:
    """A worker or the demo's replay has no request: the link must still lead to the school's page."""
    from krijt.notifications.models import Notification

    submission = hand_in(scenario, task, files=[pdf()])
    services.submission_feedback_give(school=scenario.school, reviewer=scenario.teacher,
                                      roles=frozenset({Role.TEACHER}), submission=submission, feedback="Good",
                                      return_to_student=True)
    told = Notification.objects.get(kind="handin_feedback")
    assert told.url == f"/s/{scenario.school.slug}/hand-in/tasks/{task.pk}/"
