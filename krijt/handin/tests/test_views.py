"""The hand-in pages through the whole stack: who sees what, failures shown on the form, and files."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from krijt.handin import services
from krijt.handin.models import Submission
from krijt.handin.tests.conftest import PDF, make_task
from krijt.handin.uploads import MAX_FILE_BYTES
from krijt.planner.models import PlannerItem
from tests.scenario import Scenario

pytestmark = pytest.mark.django_db


def url(s: Scenario, path: str) -> str:
    return s.url(f"/hand-in/{path}")


def submit(s: Scenario, item: PlannerItem, student: Any = None, **kwargs: Any) -> Submission:
    return services.submission_hand_in(school=s.school, student=student or s.student, item=item, **kwargs)


def test_a_student_hands_in_a_file_and_the_teacher_sees_it(
    scenario: Scenario, task: PlannerItem, login_as: Any
) -> None:
    client = login_as("student")
    page = client.get(url(scenario, f"tasks/{task.pk}/"))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'type="file"' in body
    assert 'multiple' in body
    assert 'enctype="multipart/form-data"' in body
    response = client.post(
        url(scenario, f"tasks/{task.pk}/"), {"attachments": [SimpleUploadedFile("essay.pdf", PDF)], "text": "See file."}
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Handed in. Your teacher can see it now." in page
    assert "essay.pdf" in page
    assert "Handed in late" not in page

    teacher = login_as("teacher")
    roster = teacher.get(url(scenario, f"tasks/{task.pk}/submissions/"))
    assert roster.status_code == 200
    text = roster.content.decode()
    assert "1 of 3 handed in" in text
    assert "2 not handed in" in text
    assert "essay.pdf" in text
    submission = Submission.objects.get()
    stored = submission.files.get()
    download = teacher.get(url(scenario, f"files/{stored.pk}/"))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download["Content-Security-Policy"]
    assert b"".join(download.streaming_content) == PDF
    attachment = teacher.get(url(scenario, f"files/{stored.pk}/?download=1"))
    assert attachment["Content-Disposition"].startswith("attachment")


def test_the_form_shows_a_wrong_type_and_a_too_big_file(scenario: Scenario, task: PlannerItem, login_as: Any) -> None:
    client = login_as("student")
    wrong = client.post(url(scenario, f"tasks/{task.pk}/"), {"attachments": [SimpleUploadedFile("virus.exe", b"MZ")]})
    assert wrong.status_code == 400
    assert "virus.exe is not a type of file accepted here" in wrong.content.decode()
    big = SimpleUploadedFile("huge.pdf", b"%PDF-" + b"0" * MAX_FILE_BYTES)
    too_big = client.post(url(scenario, f"tasks/{task.pk}/"), {"attachments": [big]})
    assert too_big.status_code == 413
    assert "a file may be at most 20.0" in too_big.content.decode()
    empty = client.post(url(scenario, f"tasks/{task.pk}/"), {"text": ""})
    assert empty.status_code == 400
    assert "Add a file or write a text" in empty.content.decode()
    assert not Submission.objects.exists()


def test_a_cancelled_task_shows_no_form_and_refuses_a_post(scenario: Scenario, login_as: Any) -> None:
    item = make_task(scenario, state=PlannerItem.State.CANCELLED)
    client = login_as("student")
    page = client.get(url(scenario, f"tasks/{item.pk}/")).content.decode()
    assert "This task was cancelled" in page
    assert 'type="file"' not in page
    response = client.post(url(scenario, f"tasks/{item.pk}/"), {"text": "my answer"})
    assert response.status_code == 409
    assert not Submission.objects.exists()


def test_a_task_of_another_class_is_not_found_for_a_student(scenario: Scenario, login_as: Any) -> None:
    item = make_task(scenario, class_index=1)
    client = login_as("student")
    assert client.get(url(scenario, f"tasks/{item.pk}/")).status_code == 404
    assert client.post(url(scenario, f"tasks/{item.pk}/"), {"text": "x"}).status_code == 404
    assert not Submission.objects.exists()


def test_after_the_deadline_the_page_warns_and_the_teacher_sees_late(
    scenario: Scenario, task: PlannerItem, login_as: Any, time_machine: Any
) -> None:
    time_machine.move_to(dt.datetime(2026, 10, 6, 7, 0, tzinfo=dt.UTC), tick=False)
    client = login_as("student")
    assert "it will be marked late" in client.get(url(scenario, f"tasks/{task.pk}/")).content.decode()
    assert client.post(url(scenario, f"tasks/{task.pk}/"), {"text": "sorry, late"}).status_code == 302
    page = client.get(url(scenario, f"tasks/{task.pk}/")).content.decode()
    assert "You handed this in after the deadline" in page
    assert "can no longer be changed" in page
    roster = login_as("teacher").get(url(scenario, f"tasks/{task.pk}/submissions/")).content.decode()
    assert "Handed in late" in roster
    assert "1 late" in roster


def test_feedback_reaches_the_student_only_when_returned(scenario: Scenario, task: PlannerItem, login_as: Any) -> None:
    submission = submit(scenario, task, text="My answer")
    teacher = login_as("teacher")
    detail = teacher.get(url(scenario, f"submissions/{submission.pk}/"))
    assert detail.status_code == 200
    assert "My answer" in detail.content.decode()
    feedback_url = url(scenario, f"submissions/{submission.pk}/feedback/")
    assert teacher.get(feedback_url).status_code == 405
    assert teacher.post(feedback_url, {"feedback": "Draft words", "action": "draft"}).status_code == 302
    student = login_as("student")
    assert "Draft words" not in student.get(url(scenario, f"tasks/{task.pk}/")).content.decode()
    teacher = login_as("teacher")
    assert teacher.post(feedback_url, {"feedback": "", "action": "return"}).status_code == 400
    assert teacher.post(feedback_url, {"feedback": "Well argued.", "action": "return"}).status_code == 302
    submission.refresh_from_db()
    assert submission.seen_at is None
    student = login_as("student")
    assert "new feedback" in student.get(url(scenario, "")).content.decode()
    page = student.get(url(scenario, f"tasks/{task.pk}/")).content.decode()
    assert "Well argued." in page
    assert "this hand-in is final" in page
    submission.refresh_from_db()
    assert submission.seen_at is not None
    roster = login_as("teacher").get(url(scenario, f"tasks/{task.pk}/submissions/")).content.decode()
    assert "feedback returned · seen" in roster


def test_who_may_open_a_submission_and_its_files(scenario: Scenario, task: PlannerItem, login_as: Any) -> None:
    submission = submit(scenario, task, files=[SimpleUploadedFile("essay.pdf", PDF)], text="secret words")
    file_url = url(scenario, f"files/{submission.files.get().pk}/")
    detail_url = url(scenario, f"submissions/{submission.pk}/")
    roster_url = url(scenario, f"tasks/{task.pk}/submissions/")
    # The student who handed it in, the task's teacher, the class mentor and administrators may open the file.
    assert login_as("student").get(file_url).status_code == 200
    assert login_as("teacher").get(file_url).status_code == 200
    assert login_as("admin").get(file_url).status_code == 200
    assert login_as("admin").get(detail_url).status_code == 200
    mentor_task = make_task(scenario, class_index=1)
    other_submission = submit(scenario, mentor_task, student=scenario.students[3], text="2A work")
    mentor = scenario.classes[1].mentor
    assert mentor == scenario.teachers[1]
    assert login_as("teacher", user=mentor).get(url(scenario, f"submissions/{other_submission.pk}/")).status_code == 200
    # Another student of the class, another teacher, staff and parents may not.
    classmate = scenario.students[1]
    assert login_as("student", user=classmate).get(file_url).status_code == 404
    assert login_as("student", user=classmate).get(detail_url).status_code == 403
    assert login_as("student", user=classmate).get(roster_url).status_code == 403
    other_teacher = scenario.teachers[1]
    for path in (file_url, detail_url, roster_url):
        assert login_as("teacher", user=other_teacher).get(path).status_code == 404, path
    assert login_as("teacher", user=other_teacher).post(
        detail_url + "feedback/", {"feedback": "x", "action": "return"}
    ).status_code == 404
    for role in ("staff", "parent"):
        for path in (file_url, detail_url, roster_url):
            assert login_as(role).get(path).status_code == 403, (role, path)
    submission.refresh_from_db()
    assert submission.feedback == ""


def test_a_student_never_sees_a_classmates_work(scenario: Scenario, task: PlannerItem, login_as: Any) -> None:
    submit(scenario, task, student=scenario.students[1], text="classmate secret words")
    client = login_as("student")
    assert "classmate secret words" not in client.get(url(scenario, f"tasks/{task.pk}/")).content.decode()
    assert "classmate secret words" not in client.get(url(scenario, "")).content.decode()


def test_a_parent_sees_whether_their_child_handed_in_but_not_the_work(
    scenario: Scenario, task: PlannerItem, login_as: Any
) -> None:
    parent = login_as("parent")
    page = parent.get(url(scenario, "")).content.decode()
    assert "Essay about autumn" in page
    assert "Not handed in yet" in page
    assert "You do not see the work itself or the teacher's feedback" in page
    submission = submit(scenario, task, text="private answer", files=[SimpleUploadedFile("mine.pdf", PDF)])
    services.submission_feedback_give(
        school=scenario.school, reviewer=scenario.teacher, roles=frozenset({"teacher"}), submission=submission,
        feedback="private feedback", return_to_student=True,
    )
    page = parent.get(url(scenario, "")).content.decode()
    assert "Handed in" in page
    for secret in ("private answer", "mine.pdf", "private feedback", f"files/{submission.files.get().pk}"):
        assert secret not in page
    assert parent.get(url(scenario, f"tasks/{task.pk}/")).status_code == 403


def test_students_and_parents_do_not_see_a_task_before_it_is_visible(scenario: Scenario, login_as: Any) -> None:
    item = make_task(scenario, visible_from=dt.datetime(2026, 10, 2, 5, 0, tzinfo=dt.UTC), title="Task for tomorrow")
    assert "Task for tomorrow" not in login_as("student").get(url(scenario, "")).content.decode()
    assert login_as("student").get(url(scenario, f"tasks/{item.pk}/")).status_code == 404
    assert "Task for tomorrow" not in login_as("parent").get(url(scenario, "")).content.decode()
    assert "Task for tomorrow" in login_as("teacher").get(url(scenario, "")).content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(client: Any, scenario: Scenario, task: PlannerItem) -> None:
    response = client.get(url(scenario, f"tasks/{task.pk}/"))
    assert response.status_code == 302
    assert "/accounts/sign-in/" in response["Location"]


def test_another_schools_objects_are_not_found(
    scenario: Scenario, other_school: Scenario, login_as: Any
) -> None:
    b_task = make_task(other_school)
    b_submission = submit(other_school, b_task, text="beta work", files=[SimpleUploadedFile("beta.pdf", PDF)])
    b_file = b_submission.files.get()
    paths = {
        "student": [f"tasks/{b_task.pk}/", f"files/{b_file.pk}/"],
        "teacher": [f"tasks/{b_task.pk}/submissions/", f"submissions/{b_submission.pk}/", f"files/{b_file.pk}/"],
        "admin": [f"tasks/{b_task.pk}/submissions/", f"submissions/{b_submission.pk}/", f"files/{b_file.pk}/"],
    }
    for role, role_paths in paths.items():
        client = login_as(role)
        for path in role_paths:
            assert client.get(url(scenario, path)).status_code == 404, (role, path)
        # Through school B's own address, a person of school A has no role there.
        for path in role_paths:
            assert client.get(other_school.url(f"/hand-in/{path}")).status_code == 403, (role, path)
    admin = login_as("admin")
    assert admin.post(
        url(scenario, f"submissions/{b_submission.pk}/feedback/"), {"feedback": "x", "action": "return"}
    ).status_code == 404
    student = login_as("student")
    assert student.post(url(scenario, f"tasks/{b_task.pk}/"), {"text": "x"}).status_code == 404
    b_submission.refresh_from_db()
    assert (b_submission.feedback, b_submission.version) == ("", 1)
    assert "beta" not in login_as("admin").get(url(scenario, "")).content.decode().lower().replace("alpha", "")


def test_the_overview_lists_a_teachers_tasks_with_counts(scenario: Scenario, task: PlannerItem, login_as: Any) -> None:
    submit(scenario, task, text="a")
    submit(scenario, task, student=scenario.students[1], text="b")
    make_task(scenario, kind=PlannerItem.Kind.TEST, title="A test, not a task")
    page = login_as("teacher").get(url(scenario, "")).content.decode()
    assert "Essay about autumn" in page
    assert "2 / 3" in page
    assert "A test, not a task" not in page
    other = login_as("teacher", user=scenario.teachers[1]).get(url(scenario, "")).content.decode()
    assert "Essay about autumn" not in other


def test_staff_have_no_hand_in_overview(scenario: Scenario, login_as: Any) -> None:
    assert login_as("staff").get(url(scenario, "")).status_code == 403
