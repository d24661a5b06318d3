"""The API's writes and staff reads are a second face over the pages' doors: the same rules, the same errors.

For every capability: what works through the API, the same bad input refused with the same message by the
page and by the API, and an actor without permission refused by the service even when called directly.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from krijt.api.tests.conftest import Api, error_of
from krijt.core.errors import Forbidden, KrijtError
from krijt.core.roles import Role
from krijt.handin import services as handin_services
from krijt.handin.models import Submission
from krijt.messaging import services as messaging_services
from krijt.messaging.models import Message
from krijt.planner import services as planner_services
from krijt.planner.models import PlannerItem
from krijt.planner.tests.factories import make_item
from krijt.reportcards.models import ReportCard
from krijt.results import services as results_services
from krijt.results.models import Evaluation, Score
from tests.scenario import Scenario, english_client

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Europe/Brussels")
# Monday 21 September 2026, 10:00 in Brussels: a school day, inside school hours.
NOW = dt.datetime(2026, 9, 21, 10, 0, tzinfo=TZ)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _school_hours() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def api_as(scenario: Scenario) -> Callable[..., Api]:
    """A separate signed-in API client per call: several people act in one test."""

    def _api(role: str, *, user: Any = None) -> Api:
        return Api(login_as_new(scenario, role, user), f"/s/{scenario.school.slug}")

    return _api


@pytest.fixture
def login_as(scenario: Scenario) -> Callable[..., Client]:
    def _page(role: str, *, user: Any = None) -> Client:
        return login_as_new(scenario, role, user)

    return _page


def login_as_new(scenario: Scenario, role: str, user: Any) -> Client:
    client = english_client()
    client.force_login(user or scenario.user_for(role), backend="krijt.accounts.backends.KrijtBackend")
    return client


def page_text(response: Any) -> str:
    return html.unescape(response.content.decode())


def refusal(call: Callable[[], Any]) -> KrijtError:
    with pytest.raises(KrijtError) as caught:
        call()
    return caught.value


# ---------------------------------------------------------------- planner


def _plan_body(scenario: Scenario, **extra: Any) -> dict[str, Any]:
    return {"course_id": scenario.courses[0].pk, "kind": "test", "title": "Toets breuken",
            "due_date": "2026-10-07", "period": 2, "minutes": 30, **extra}


def _plan_page(scenario: Scenario, client: Client, **extra: Any) -> Any:
    data = {"course": scenario.courses[0].pk, "kind": "test", "title": "Toets breuken", "due_date": "2026-10-07",
            "lesson_period": scenario.lesson_periods[1].pk, "minutes": 30, **extra}
    return client.post(scenario.url("/planner/new/"), data)


def test_a_teacher_plans_moves_and_cancels_through_the_api(api_as: Callable[..., Api], scenario: Scenario) -> None:
    api = api_as("teacher")
    response = api.post("/planner/items", _plan_body(scenario))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["title"] == "Toets breuken"
    assert body["period"] == 2
    assert body["state"] == "planned"
    item = PlannerItem.objects.get(pk=body["id"])
    assert item.lesson_period == scenario.lesson_periods[1]
    assert item.teacher == scenario.teacher

    moved = api.put(f"/planner/items/{item.pk}", {**_plan_body(scenario), "due_date": "2026-10-08", "period": None})
    assert moved.status_code == 200, moved.content
    item.refresh_from_db()
    assert item.due_date == dt.date(2026, 10, 8)
    assert item.lesson_period is None
    assert item.version == 2

    cancelled = api.post(f"/planner/items/{item.pk}/cancel", {})
    assert cancelled.status_code == 200
    assert cancelled.json()["state"] == "cancelled"
    assert api.get(f"/planner/items/{item.pk}").json()["state"] == "cancelled"


def test_planning_outside_the_school_year_is_refused_alike_by_page_and_api(
    api_as: Callable[..., Api], login_as: Callable[..., Client], scenario: Scenario
) -> None:
    api = api_as("teacher")
    response = api.post("/planner/items", _plan_body(scenario, due_date="2027-09-15"))
    assert response.status_code == 400
    message = error_of(response)["fields"]["due_date"][0]
    assert message == "This date is outside the course's school year."
    page = _plan_page(scenario, login_as("teacher"), due_date="2027-09-15")
    assert page.status_code == 200
    assert message in page_text(page)
    assert not PlannerItem.objects.filter(school=scenario.school).exists()


def test_a_workload_warning_is_the_same_sentence_on_the_page_and_in_the_api(
    api_as: Callable[..., Api], login_as: Callable[..., Client], scenario: Scenario
) -> None:
    for title in ("Toets 1", "Toets 2"):
        make_item(scenario.courses[0], day=dt.date(2026, 10, 7), title=title)
    api = api_as("teacher")
    warned = api.post("/planner/items", _plan_body(scenario))
    assert warned.status_code == 409
    error = error_of(warned)
    assert error["code"] == "workload_warning"
    assert [f["rule"] for f in error["findings"]]
    assert all(f["level"] == "warn" for f in error["findings"])
    for finding in error["findings"]:
        assert finding["message"] in error["message"]
    page = _plan_page(scenario, login_as("teacher"))
    assert error["message"] in page_text(page)
    assert PlannerItem.objects.filter(school=scenario.school).count() == 2

    planned = api.post("/planner/items", _plan_body(scenario, override_reason="Agreed with the class"))
    assert planned.status_code == 201


def test_a_teacher_who_may_not_edit_an_item_is_refused_by_page_api_and_service(
    api_as: Callable[..., Api], login_as: Callable[..., Client], scenario: Scenario
) -> None:
    item = make_item(scenario.courses[0], day=dt.date(2026, 10, 7))  # maths, taught by the first teacher
    other = scenario.teachers[-1]  # teaches Dutch in the same class: sees the item, may not change it
    api = api_as("teacher", user=other)
    assert api.get(f"/planner/items/{item.pk}").status_code == 200
    changed = api.put(f"/planner/items/{item.pk}", _plan_body(scenario))
    assert changed.status_code == 403
    assert api.post(f"/planner/items/{item.pk}/cancel", {}).status_code == 403
    assert login_as("teacher", user=other).post(scenario.url(f"/planner/item/{item.pk}/cancel/")).status_code == 403
    refused = refusal(lambda: planner_services.item_cancel(
        school=scenario.school, actor=other, roles=frozenset({Role.TEACHER}), item=item))
    assert isinstance(refused, Forbidden)
    student = api_as("student").post("/planner/items", _plan_body(scenario))
    assert student.status_code == 403
    item.refresh_from_db()
    assert item.state == PlannerItem.State.PLANNED


def test_a_lesson_period_the_school_does_not_have_is_a_field_error(
    api_as: Callable[..., Api], scenario: Scenario
) -> None:
    response = api_as("teacher").post("/planner/items", _plan_body(scenario, period=19))
    assert response.status_code == 400
    assert list(error_of(response)["fields"]) == ["period"]


# ---------------------------------------------------------------- messages


def test_a_teacher_sends_schedules_changes_and_cancels_through_the_api(
    api_as: Callable[..., Api], scenario: Scenario
) -> None:
    api = api_as("teacher")
    sent = api.post("/messages", {"to": [f"class:{scenario.classes[0].pk}"], "subject": "Uitstap",
                                  "body": "<p>Morgen <strong>sportkledij</strong>.</p><script>x</script>"})
    assert sent.status_code == 201, sent.content
    body = sent.json()
    assert body["scheduled"] is False
    assert body["audience_label"]
    message = Message.objects.get(pk=body["id"])
    assert "<script>" not in message.body_html
    assert "<strong>sportkledij</strong>" in message.body_html

    later = api.post("/messages", {"to": [f"class:{scenario.classes[0].pk}"], "subject": "Oudercontact",
                                   "body": "Tot dan.", "send_at": "2026-09-22T08:30:00"})
    assert later.status_code == 201
    scheduled = later.json()
    assert scheduled["scheduled"] is True
    assert dt.datetime.fromisoformat(scheduled["send_at"]) == dt.datetime(2026, 9, 22, 8, 30, tzinfo=TZ)

    changed = api.put(f"/messages/{scheduled['id']}/schedule",
                      {"send_at": "2026-09-23T08:30:00+02:00", "subject": "Oudercontact (nieuw uur)",
                       "body": "Tot dan."})
    assert changed.status_code == 200
    assert changed.json()["subject"] == "Oudercontact (nieuw uur)"
    cancelled = api.post(f"/messages/{scheduled['id']}/cancel", {})
    assert cancelled.status_code == 200
    assert cancelled.json()["cancelled"] is True
    again = api.post(f"/messages/{scheduled['id']}/cancel", {})
    assert again.status_code == 404
    sent_already = api.put(f"/messages/{body['id']}/schedule",
                           {"send_at": "2026-09-23T08:30:00", "subject": "x", "body": "y"})
    assert sent_already.status_code == 409


def test_a_reply_reaches_the_sender(api_as: Callable[..., Api], scenario: Scenario) -> None:
    message = messaging_services.message_send(
        school=scenario.school, sender=scenario.teacher, roles=frozenset({Role.TEACHER}),
        to=[f"user:{scenario.student.pk}"], subject="Je taak", body="Kom even langs.",
    )
    messaging_services.message_fanout(message_id=message.pk, generation=message.generation)
    reply = api_as("student").post(f"/messages/{message.pk}/reply", {"body": "Ik kom na de les."})
    assert reply.status_code == 201, reply.content
    answer = Message.objects.get(pk=reply.json()["id"])
    assert answer.thread_id == message.thread_id
    assert answer.audience == [{"kind": "user", "id": scenario.teacher.pk}]


def test_an_empty_subject_and_an_audience_out_of_reach_are_refused_alike(
    api_as: Callable[..., Api], login_as: Callable[..., Client], scenario: Scenario
) -> None:
    to = [f"class:{scenario.classes[0].pk}"]
    api = api_as("teacher")
    response = api.post("/messages", {"to": to, "subject": "  ", "body": "Tekst"})
    assert response.status_code == 400
    message = error_of(response)["fields"]["subject"][0]
    page = login_as("teacher").post(scenario.url("/messages/new/"), {"to": to, "subject": "  ", "body": "Tekst"})
    assert page.status_code == 400
    assert message in page_text(page)

    school = api_as("student").post("/messages", {"to": ["school"], "subject": "Hallo", "body": "Iedereen"})
    assert school.status_code == 403
    refused = error_of(school)["message"]
    page = login_as("student").post(scenario.url("/messages/new/"), {"to": ["school"], "subject": "Hallo",
                                                                     "body": "Iedereen"})
    assert page.status_code == 403
    assert refused in page_text(page)
    assert not Message.objects.filter(school=scenario.school).exists()


# ---------------------------------------------------------------- hand-in


def _task(scenario: Scenario) -> PlannerItem:
    return make_item(scenario.courses[0], kind="task", day=dt.date(2026, 9, 25),
                     visible_from=NOW - dt.timedelta(days=1))


def test_a_student_hands_in_a_file_and_the_teacher_returns_feedback_through_the_api(
    api_as: Callable[..., Api], scenario: Scenario
) -> None:
    task = _task(scenario)
    student = api_as("student")
    assert student.get(f"/planner/items/{task.pk}/submission").json()["submission"] is None
    handed = student.post_form(f"/planner/items/{task.pk}/submission",
                               {"text": "Zie bestand.", "files": [SimpleUploadedFile("opstel.pdf", PDF)]})
    assert handed.status_code == 201, handed.content
    body = handed.json()
    assert body["version"] == 1
    assert body["late"] is False
    assert [f["name"] for f in body["files"]] == ["opstel.pdf"]

    teacher = api_as("teacher")
    roster = teacher.get(f"/planner/items/{task.pk}/submissions").json()
    assert roster["handed_in"] == 1
    assert roster["missing"] == len(roster["rows"]) - 1
    draft = teacher.put(f"/submissions/{body['id']}/feedback", {"feedback": "Goed begin."})
    assert draft.status_code == 200
    assert draft.json()["returned_at"] is None
    assert student.get(f"/planner/items/{task.pk}/submission").json()["submission"]["feedback"] is None
    teacher.put(f"/submissions/{body['id']}/feedback", {"feedback": "Goed gedaan.", "return_to_student": True})
    mine = student.get(f"/planner/items/{task.pk}/submission").json()["submission"]
    assert mine["feedback"] == "Goed gedaan."
    assert Submission.objects.get(pk=body["id"]).seen_at is not None


def test_an_empty_hand_in_and_feedback_returned_empty_are_refused_alike(
    api_as: Callable[..., Api], login_as: Callable[..., Client], scenario: Scenario
) -> None:
    task = _task(scenario)
    empty = api_as("student").post_form(f"/planner/items/{task.pk}/submission", {"text": "  "})
    assert empty.status_code == 400
    message = error_of(empty)["message"]
    assert message == "Add a file or write a text to hand in."
    page = login_as("student").post(scenario.url(f"/hand-in/tasks/{task.pk}/"), {"text": "  "})
    assert page.status_code == 400
    assert message in page_text(page)

    wrong = api_as("student").post_form(f"/planner/items/{task.pk}/submission",
                                        {"files": [SimpleUploadedFile("virus.exe", b"MZ")]})
    assert wrong.status_code == 400
    assert "files" in error_of(wrong)["fields"]

    submission = handin_services.submission_hand_in(school=scenario.school, student=scenario.student, item=task,
                                                    text="Mijn antwoord")
    returned = api_as("teacher").put(f"/submissions/{submission.pk}/feedback",
                                     {"feedback": "", "return_to_student": True})
    assert returned.status_code == 400
    message = error_of(returned)["fields"]["feedback"][0]
    page = login_as("teacher").post(scenario.url(f"/hand-in/submissions/{submission.pk}/feedback/"),
                                    {"feedback": "", "action": "return"})
    assert page.status_code == 400
    assert message in page_text(page)


def test_only_students_hand_in_even_when_the_service_is_called_directly(
    api_as: Callable[..., Api], scenario: Scenario
) -> None:
    task = _task(scenario)
    assert api_as("teacher").post_form(f"/planner/items/{task.pk}/submission", {"text": "x"}).status_code == 403
    refused = refusal(lambda: handin_services.submission_hand_in(
        school=scenario.school, student=scenario.teacher, roles=frozenset({Role.TEACHER}), item=task, text="x"))
    assert isinstance(refused, Forbidden)
    # Without roles the service reads them: a parent is not a student either.
    refused = refusal(lambda: handin_services.submission_hand_in(
        school=scenario.school, student=scenario.parent, item=task, text="x"))
    assert isinstance(refused, Forbidden)
    other_class = scenario.students_by_class[scenario.classes[1].pk][0]
    assert refusal(lambda: handin_services.submission_hand_in(
        school=scenario.school, student=other_class, item=task, text="x")).status == 404
    assert not Submission.objects.filter(school=scenario.school).exists()


# ---------------------------------------------------------------- results


@pytest.fixture
def evaluation(scenario: Scenario) -> Evaluation:
    return results_services.evaluation_create(
        school=scenario.school, actor=scenario.teacher, roles=frozenset({Role.TEACHER}), course=scenario.courses[0],
        period=scenario.periods[0], name="Toets 1", date=dt.date(2026, 9, 18), maximum=Decimal(10),
        weight=Decimal(1), category="test",
    )


def _cell_page(scenario: Scenario, client: Client, evaluation: Evaluation, student: Any, value: str) -> Any:
    return client.post(scenario.url(f"/results/evaluations/{evaluation.pk}/students/{student.pk}/"),
                       {"value": value}, HTTP_HX_REQUEST="true")


def test_a_teacher_enters_scores_and_publishes_through_the_api(
    api_as: Callable[..., Api], scenario: Scenario, evaluation: Evaluation
) -> None:
    api = api_as("teacher")
    first, second = scenario.students_by_class[scenario.classes[0].pk][:2]
    entered = api.put(f"/results/evaluations/{evaluation.pk}/scores/{first.pk}", {"entry": "7,5"})
    assert entered.status_code == 200, entered.content
    assert entered.json()["entry"] == "7,5"
    assert entered.json()["value"] == 7.5
    absent = api.put(f"/results/evaluations/{evaluation.pk}/scores/{second.pk}", {"entry": "a"})
    assert absent.json()["entry"] == "A"
    assert absent.json()["code"] == "absent"
    read = api.get(f"/results/evaluations/{evaluation.pk}").json()
    assert read["editable"] is True
    assert {r["student"]["id"]: r["entry"] for r in read["rows"]}[first.pk] == "7,5"

    published = api.post(f"/results/evaluations/{evaluation.pk}/publish", {})
    assert published.status_code == 200
    assert published.json()["released"] == 2
    assert Score.objects.get(evaluation=evaluation, student=first).published_at is not None


def test_a_bad_score_and_a_sensitive_score_without_comment_are_refused_alike(
    api_as: Callable[..., Api], login_as: Callable[..., Client], scenario: Scenario, evaluation: Evaluation
) -> None:
    student = scenario.student
    api = api_as("teacher")
    bad = api.put(f"/results/evaluations/{evaluation.pk}/scores/{student.pk}", {"entry": "12"})
    assert bad.status_code == 400
    message = error_of(bad)["fields"]["value"][0]
    page = _cell_page(scenario, login_as("teacher"), evaluation, student, "12")
    assert page.status_code == 422
    assert message in page_text(page)

    api.put(f"/results/evaluations/{evaluation.pk}/scores/{student.pk}", {"entry": "2"})  # sensitive: below half
    refused = api.post(f"/results/evaluations/{evaluation.pk}/publish", {})
    assert refused.status_code == 400
    message = error_of(refused)["message"]
    page = login_as("teacher").post(scenario.url(f"/results/evaluations/{evaluation.pk}/publish/"), follow=True)
    assert message in page_text(page)
    evaluation.refresh_from_db()
    assert evaluation.published_at is None


def test_who_may_not_enter_scores_is_refused_by_page_api_and_service(
    api_as: Callable[..., Api], login_as: Callable[..., Client], scenario: Scenario, evaluation: Evaluation
) -> None:
    student = scenario.student
    staff = api_as("staff")
    assert staff.get(f"/results/evaluations/{evaluation.pk}").json()["editable"] is False
    assert staff.put(f"/results/evaluations/{evaluation.pk}/scores/{student.pk}", {"entry": "8"}).status_code == 404
    assert _cell_page(scenario, login_as("staff"), evaluation, student, "8").status_code == 404
    outsider = scenario.teachers[-1]  # Dutch teacher of the class, not its mentor: no say over maths
    assert api_as("teacher", user=outsider).post(f"/results/evaluations/{evaluation.pk}/publish", {}).status_code == 404
    assert api_as("student").get(f"/results/evaluations/{evaluation.pk}").status_code == 403
    refused = refusal(lambda: results_services.score_set(
        school=scenario.school, actor=outsider, evaluation=evaluation, student_id=student.pk, entry="8"))
    assert isinstance(refused, Forbidden)
    assert not Score.objects.filter(evaluation=evaluation).exists()


# ---------------------------------------------------------------- report cards


def test_the_mentor_reads_the_class_overview_and_a_card_before_release(
    api_as: Callable[..., Api], scenario: Scenario, evaluation: Evaluation
) -> None:
    results_services.score_set(school=scenario.school, actor=scenario.teacher, evaluation=evaluation,
                               student_id=scenario.student.pk, entry="8")
    results_services.evaluation_publish(school=scenario.school, actor=scenario.teacher, evaluation=evaluation)
    period, group = scenario.periods[0], scenario.classes[0]
    mentor = api_as("teacher")  # the first teacher mentors the first class
    overview = mentor.get(f"/reportcards/periods/{period.pk}/classes/{group.pk}")
    assert overview.status_code == 200, overview.content
    body = overview.json()
    assert body["class"]["id"] == group.pk
    assert {r["student"]["id"] for r in body["rows"]} == {s.pk for s in scenario.students_by_class[group.pk]}
    assert {r["state"] for r in body["rows"]} == {"draft"}

    card = mentor.get(f"/reportcards/periods/{period.pk}/students/{scenario.student.pk}").json()
    assert card["audience"] == "staff"
    assert card["state"] == "draft"
    maths = next(line for line in card["lines"] if line["course_id"] == scenario.courses[0].pk)
    assert [s["shown"] for s in maths["scores"]] == ["8"]
    assert maths["percentage"] == 80.0


def test_report_cards_are_out_of_reach_of_whoever_may_not_see_them(
    api_as: Callable[..., Api], login_as: Callable[..., Client], scenario: Scenario
) -> None:
    period, group = scenario.periods[0], scenario.classes[0]
    overview = f"/reportcards/periods/{period.pk}/classes/{group.pk}"
    card = f"/reportcards/periods/{period.pk}/students/{scenario.student.pk}"
    outsider = scenario.teachers[-1]  # mentors the second class, not this one
    assert api_as("teacher", user=outsider).get(overview).status_code == 404
    page = scenario.url(f"/report-cards/periods/{period.pk}/classes/{group.pk}/")
    assert login_as("teacher", user=outsider).get(page).status_code == 404
    assert api_as("student").get(overview).status_code == 403
    # Not released: the student and the parents do not see it yet, on the page or through the API.
    assert api_as("student").get(card).status_code == 404
    assert api_as("parent").get(card).status_code == 404
    ReportCard.objects.create(school=scenario.school, period=period, class_group=group, student=scenario.student,
                              mentor_comment="Mooi trimester.", released_at=NOW - dt.timedelta(days=2),
                              student_visible_at=NOW - dt.timedelta(days=2),
                              parent_visible_at=NOW + dt.timedelta(days=1))
    seen = api_as("student").get(card)
    assert seen.status_code == 200
    assert seen.json()["audience"] == "student"
    assert seen.json()["released_at"] is None
    assert seen.json()["mentor_comment"] == "Mooi trimester."
    assert api_as("parent").get(card).status_code == 404


# ---------------------------------------------------------------- the administration and done marks


def test_a_class_name_taken_is_refused_alike_by_page_and_api(
    api_as: Callable[..., Api], login_as: Callable[..., Client], scenario: Scenario
) -> None:
    taken = scenario.classes[0].name
    response = api_as("admin").post("/admin/classes", {"name": taken, "grade": 1})
    assert response.status_code == 409
    message = error_of(response)["fields"]["name"][0]
    page = login_as("admin").post(scenario.url("/manage/classes/new/"),
                                  {"school_year": scenario.year.pk, "name": taken, "grade": 1, "mentor": ""})
    assert message in page_text(page)
    assert page.status_code in (400, 409)


def test_a_done_mark_is_a_students_own_act_on_page_api_and_service(
    api_as: Callable[..., Api], login_as: Callable[..., Client], scenario: Scenario
) -> None:
    item = make_item(scenario.courses[0], kind="task", day=dt.date(2026, 10, 7))
    assert api_as("teacher").post(f"/planner/items/{item.pk}/done", {}).status_code == 403
    assert login_as("teacher").post(scenario.url(f"/planner/item/{item.pk}/done/"), {"done": "1"}).status_code == 403
    other_class = scenario.students_by_class[scenario.classes[1].pk][0]
    refused = refusal(lambda: planner_services.done_mark_set(school=scenario.school, student=other_class, item=item,
                                                             done=True))
    assert isinstance(refused, Forbidden)
    assert api_as("student").post(f"/planner/items/{item.pk}/done", {}).json() == {"item_id": item.pk, "done": True}
