"""The pages and the API: two faces over the same doors, with the same messages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from krijt.accounts.models import Membership
from krijt.api.tests.conftest import Api, error_of
from krijt.attendance.models import AbsenceReport, HalfDayCode, Mark, Proof
from krijt.attendance.tests.conftest import MONDAY, TZ
from krijt.core.roles import Role
from krijt.schools.models import Enrollment
from tests.scenario import Scenario, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("at_ten")]


def register_url(s: Scenario, course_index: int = 0, period: int = 1) -> str:
    return s.url(f"/attendance/lessons/{s.courses[course_index].pk}/{MONDAY.isoformat()}/{period}/")


def test_a_teacher_finds_todays_lessons_and_takes_a_register(
    scenario: Scenario, login_as: Callable[..., Client]
) -> None:
    s = scenario
    client = login_as("teacher")
    home = client.get(s.url("/attendance/"))
    assert home.status_code == 200
    assert register_url(s) in home.content.decode()
    page = client.get(register_url(s))
    text = page.content.decode()
    assert page.status_code == 200
    assert all(student.full_name in text for student in s.students[:3])
    absent = s.students[0]
    response = client.post(register_url(s), {"key": "k1", f"s{absent.pk}": "absent",
                                              f"s{s.students[1].pk}": "present"})
    assert response.status_code == 302
    assert list(Mark.objects.values_list("student_id", "status")) == [(absent.pk, "absent")]
    after = client.get(register_url(s)).content.decode()
    assert "Register saved: 1 absent, 0 late." in after
    assert "You can still change it." in after


def test_a_mistake_gets_the_same_message_from_the_page_and_the_api(scenario: Scenario,
                                                                    login_as: Callable[..., Client]) -> None:
    s = scenario
    client = login_as("teacher")
    student = s.students[0]
    page = client.post(register_url(s), {"key": "k", f"s{student.pk}": "late", f"m{student.pk}": ""})
    assert page.status_code == 400
    api = Api(client, s.url("").rstrip("/"))
    answer = api.put(f"/attendance/lessons/{s.courses[0].pk}/{MONDAY.isoformat()}/1",
                     {"marks": [{"student_id": student.pk, "status": "late"}]})
    assert answer.status_code == 400
    message = error_of(answer)["message"]
    assert message == "Give how many minutes late (1 to 240)."
    assert message in page.content.decode()
    assert not Mark.objects.exists()


def test_the_api_saves_a_register_idempotently(scenario: Scenario, login_as: Callable[..., Client]) -> None:
    s = scenario
    api = Api(login_as("teacher"), s.url("").rstrip("/"))
    path = f"/attendance/lessons/{s.courses[0].pk}/{MONDAY.isoformat()}/1"
    body = {"client_key": "abc", "marks": [{"student_id": s.students[0].pk, "status": "absent"}]}
    first, second = api.put(path, body), api.put(path, body)
    assert (first.status_code, second.status_code) == (200, 200)
    assert (first.json()["changed"], second.json()["changed"]) == (True, False)
    rows = {r["student"]["id"]: r["status"] for r in second.json()["lesson"]["rows"]}
    assert rows[s.students[0].pk] == "absent"
    assert rows[s.students[1].pk] == "present"
    assert api.get(path).json()["taken"] is True
    assert Api(login_as("teacher", user=s.teachers[1]), s.url("").rstrip("/")).get(path).status_code == 404


def test_the_register_page_reads_a_fixed_number_of_queries(
    scenario: Scenario, login_as: Callable[..., Client], django_assert_max_num_queries: Any
) -> None:
    s = scenario
    client = login_as("teacher")
    client.get(register_url(s))
    for n in range(20):
        student = make_user(f"more{n}", "More", f"Student{n}")
        Membership.objects.create(school=s.school, user=student, role=Role.STUDENT)
        Enrollment.objects.create(school=s.school, school_year=s.year, class_group=s.classes[0], student=student)
    with django_assert_max_num_queries(14):
        assert client.get(register_url(s)).status_code == 200


def test_a_parent_reports_a_sick_child_and_sees_it(scenario: Scenario, login_as: Callable[..., Client]) -> None:
    s = scenario
    client = login_as("parent")
    child = s.students[0]
    assert client.get(s.url("/attendance/")).status_code == 302  # one child: straight to their register
    form = client.get(s.url("/attendance/report/"))
    assert form.status_code == 200
    response = client.post(s.url("/attendance/report/"), {
        "student": child.pk, "starts_on": MONDAY.isoformat(), "until_further_notice": "on", "reason": "illness",
        "note": "Griep"})
    assert response.status_code == 302
    report = AbsenceReport.objects.get()
    assert (report.student, report.ends_on, report.note) == (child, None, "Griep")
    page = client.get(s.url(f"/attendance/students/{child.pk}/")).content.decode()
    assert "until further notice" in page
    teacher_page = login_as("teacher").get(register_url(s)).content.decode()
    assert "reported: Ill" in teacher_page
    assert login_as("parent", user=s.parents[1]).get(s.url(f"/attendance/students/{child.pk}/")).status_code == 404


def test_a_report_through_the_api_has_the_same_rules(scenario: Scenario, login_as: Callable[..., Client]) -> None:
    s = scenario
    api = Api(login_as("parent"), s.url("").rstrip("/"))
    early = api.post("/attendance/reports", {"student_id": s.students[0].pk, "starts_on": "2026-10-01",
                                             "reason": "illness"})
    assert early.status_code == 400
    made = api.post("/attendance/reports", {"student_id": s.students[0].pk, "starts_on": MONDAY.isoformat(),
                                            "ends_on": MONDAY.isoformat(), "reason": "medical"})
    assert made.status_code == 201
    again = api.post("/attendance/reports", {"student_id": s.students[0].pk, "starts_on": MONDAY.isoformat(),
                                             "reason": "illness"})
    assert again.status_code == 409
    days = api.get(f"/attendance/students/{s.students[0].pk}", start=MONDAY.isoformat(), end=MONDAY.isoformat())
    assert days.json()["days"][0]["halves"][0]["state"] == "absent"


def test_the_office_codes_an_absence_with_a_proof(scenario: Scenario, login_as: Callable[..., Client]) -> None:
    s = scenario
    login_as("teacher").post(register_url(s), {"key": "k", f"s{s.students[0].pk}": "absent"})
    client = login_as("staff")
    office = client.get(s.url("/attendance/office/"))
    assert office.status_code == 200
    assert "unknown" in office.content.decode()
    code_url = s.url(f"/attendance/students/{s.students[0].pk}/code/?day={MONDAY.isoformat()}")
    pdf = SimpleUploadedFile("attest.pdf", b"%PDF-1.4 a medical certificate", content_type="application/pdf")
    assert client.post(code_url, {"action": "proof", "kind": "medical", "file": pdf}).status_code == 302
    proof = Proof.objects.get()
    response = client.post(code_url, {"action": "code", "half": f"{MONDAY.isoformat()}:am", "code": "Z",
                                      "basis": "medical", "proof": proof.pk})
    assert response.status_code == 302
    coded = HalfDayCode.objects.get()
    assert (coded.code, coded.basis, coded.proof_id) == ("Z", "medical", proof.pk)
    assert client.get(s.url(f"/attendance/proofs/{proof.pk}/")).status_code == 200
    assert login_as("teacher").get(s.url(f"/attendance/proofs/{proof.pk}/")).status_code == 403
    api = Api(login_as("staff"), s.url("").rstrip("/"))
    listed = api.get("/attendance/absences", day=MONDAY.isoformat()).json()
    assert listed[0]["code"] == "Z"
    refused = api.put(f"/attendance/students/{s.students[0].pk}/codes",
                      {"halves": [{"day": MONDAY.isoformat(), "half": "am"}], "code": "B"})
    assert refused.status_code == 400
    assert error_of(refused)["message"] == "Say why the code changes."


def test_each_role_opens_its_attendance(scenario: Scenario, login_as: Callable[..., Client]) -> None:
    s = scenario
    assert login_as("student").get(s.url("/attendance/")).status_code == 302
    assert login_as("student").get(s.url(f"/attendance/students/{s.student.pk}/")).status_code == 200
    assert login_as("student").get(s.url(f"/attendance/students/{s.students[1].pk}/")).status_code == 404
    assert login_as("staff").get(s.url("/attendance/")).status_code == 302
    assert login_as("admin").get(s.url("/attendance/office/")).status_code == 200
    assert login_as("student").get(s.url("/attendance/mine/parents/")).status_code == 200
    codes = Api(login_as("parent"), s.url("").rstrip("/")).get("/attendance/codes").json()
    assert [c["code"] for c in codes["codes"]] == ["R", "Z", "H", "P", "M", "B"]


def test_today_shows_a_register_as_taken_right_after_the_save(scenario: Scenario,
                                                              login_as: Callable[..., Client]) -> None:
    s = scenario
    client = login_as("teacher")
    with time_machine.travel(dt.datetime(2026, 10, 5, 8, 40, tzinfo=TZ), tick=False):
        before = client.get(s.url("/")).content.decode()
        assert before.count("take the register") == 2  # maths in 1A now, in 2A next
        client.post(register_url(s), {"key": "k"})
        after = client.get(s.url("/")).content.decode()
    assert after.count("register taken") == 1
    assert after.count("take the register") == 1


def test_the_mentor_looks_into_an_absence_and_the_office_keeps_a_guidance_file(
    scenario: Scenario, login_as: Callable[..., Client]
) -> None:
    from krijt.attendance.models import FollowUp, Review
    from krijt.core import worker

    s = scenario
    login_as("teacher").post(register_url(s), {"key": "k", f"s{s.students[0].pk}": "absent"})
    worker.run_pending_tasks()
    review = Review.objects.get()
    mentor = s.classes[0].mentor
    client = login_as("teacher", user=mentor)
    page = client.get(s.url("/attendance/reviews/"))
    assert s.students[0].full_name in page.content.decode()
    api = Api(client, s.url("").rstrip("/"))
    assert [r["id"] for r in api.get("/attendance/reviews").json()] == [review.pk]
    empty = client.post(s.url(f"/attendance/reviews/{review.pk}/close/"), {"note": ""})
    assert empty.status_code == 302
    assert Review.objects.get().closed_at is None
    client.post(s.url(f"/attendance/reviews/{review.pk}/close/"), {"note": "Bus was late, the parents called."})
    assert Review.objects.get().outcome == "explained"
    assert api.get("/attendance/reviews").json() == []
    row = FollowUp.objects.create(school=s.school, student=s.students[0], school_year=s.year, kind="care",
                                  problematic_halves=5)
    office = login_as("staff")
    assert office.get(s.url(f"/attendance/follow-ups/{row.pk}/")).status_code == 200
    saved = office.post(s.url(f"/attendance/follow-ups/{row.pk}/"), {
        "done": "Talk with the student", "contacts": "Mother, 12 Oct", "agreements": "Daily check-in",
        "action": "share"})
    assert saved.status_code == 302
    row.refresh_from_db()
    assert row.agreements == "Daily check-in"
    assert row.shared_with_clb_at is not None
    assert login_as("teacher", user=s.teachers[1]).get(s.url(f"/attendance/follow-ups/{row.pk}/")).status_code == 404


def test_the_offices_today_shows_what_attendance_asks_of_it(scenario: Scenario,
                                                           login_as: Callable[..., Client]) -> None:
    from krijt.core import worker

    s = scenario
    login_as("teacher").post(register_url(s), {"key": "k", f"s{s.students[0].pk}": "absent"})
    worker.run_pending_tasks()
    today = login_as("staff").get(s.url("/")).content.decode()
    assert "1 absent half day today" in today
    assert "1 without a code" in today
    assert "1 absence to look into" in today
