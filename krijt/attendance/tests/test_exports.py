"""A class's half-day register for a period, read back from each export; retention; the school's rules."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook
from pypdf import PdfReader

from krijt.attendance import services
from krijt.attendance.models import HalfDayCode, Mark, Proof, Register
from krijt.attendance.services import MarkIn
from krijt.attendance.tests.conftest import MONDAY, TZ
from krijt.core.errors import Forbidden, ValidationFailed
from krijt.core.roles import Role
from krijt.schools.models import SchoolYear
from tests.scenario import Scenario

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("at_ten")]

TEACHER = frozenset({Role.TEACHER})
OFFICE = frozenset({Role.STAFF})


@pytest.fixture
def week(scenario: Scenario) -> Scenario:
    """Stu1 absent on Monday morning (coded Z on a certificate), Stu2 late on Tuesday, Stu3 absent on Tuesday
    without a code yet."""
    s = scenario
    tuesday = MONDAY + dt.timedelta(days=1)
    with time_machine.travel(dt.datetime(2026, 10, 6, 10, 30, tzinfo=TZ), tick=False):
        for day, marks in ((MONDAY, [MarkIn(s.students[0].pk, "absent")]),
                           (tuesday, [MarkIn(s.students[1].pk, "late", 5), MarkIn(s.students[2].pk, "absent")])):
            services.register_take(school=s.school, actor=s.teacher, roles=TEACHER, course_id=s.courses[0].pk,
                                   day=day, period=1, marks=marks)
        services.half_days_code(school=s.school, actor=s.staff, roles=OFFICE, student_id=s.students[0].pk,
                                halves=[(MONDAY, "am")], code="Z", basis="medical")
    return s


def export(client: Client, s: Scenario, fmt: str) -> bytes:
    with time_machine.travel(dt.datetime(2026, 10, 6, 16, 0, tzinfo=TZ), tick=False):
        response = client.get(s.url(f"/attendance/classes/{s.classes[0].pk}/register.{fmt}"),
                              {"period": s.periods[0].pk})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    return response.content


def test_the_register_reads_back_from_the_spreadsheet(week: Scenario, login_as: Callable[..., Client]) -> None:
    s = week
    book = load_workbook(io.BytesIO(export(login_as("staff"), s, "xlsx")))
    sheet = book.active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[1])
    by_name = {r[0]: r for r in rows[2:5]}
    monday_am = header.index("2026-10-05 am")
    tuesday_am = monday_am + 1
    assert by_name[s.students[0].full_name][monday_am] == "Z"
    assert by_name[s.students[2].full_name][tuesday_am] == "?"
    assert by_name[s.students[1].full_name][tuesday_am] == "."  # late is present in the register
    assert by_name[s.students[1].full_name][header.index("Times late")] == 1
    assert by_name[s.students[0].full_name][header.index("Z")] == 1
    assert by_name[s.students[2].full_name][header.index("Not coded")] == 1


def test_the_codes_list_and_the_pdf(week: Scenario, login_as: Callable[..., Client]) -> None:
    s = week
    client = login_as("teacher")  # teacher 1 mentors 1A
    lines = list(csv.reader(io.StringIO(export(client, s, "codes.csv").decode("utf-8-sig"))))
    assert lines[0][:3] == ["username", "last_name", "first_name"]
    assert lines[1:] == [[s.students[0].username, "Student", "Stu1", "1A", "2026-10-05", "AM", "Z", "medical", ""]]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(export(client, s, "pdf"))).pages)
    assert s.students[0].full_name in text
    assert "Counts per code" in text
    plain = list(csv.reader(io.StringIO(export(client, s, "csv").decode("utf-8-sig"))))
    assert plain[0][0] == "Student"
    assert len(plain) == 4


def test_only_the_office_and_the_mentor_read_a_class_register(week: Scenario, login_as: Callable[..., Client]) -> None:
    s = week
    other = login_as("teacher", user=s.teachers[1])  # teaches 1A, mentors 2A
    assert other.get(s.url(f"/attendance/classes/{s.classes[0].pk}/")).status_code == 404
    assert other.get(s.url(f"/attendance/classes/{s.classes[0].pk}/register.xlsx")).status_code == 404
    assert other.get(s.url(f"/attendance/classes/{s.classes[1].pk}/")).status_code == 200
    page = login_as("staff").get(s.url(f"/attendance/classes/{s.classes[0].pk}/"), {"period": s.periods[0].pk})
    assert "This register is kept until 31 August 2032" in page.content.decode()
    assert login_as("staff").get(s.url(f"/attendance/classes/{s.classes[0].pk}/register.exe")).status_code == 404


def test_retention_deletes_proofs_and_registers_when_their_time_is_up(week: Scenario, settings: object) -> None:
    s = week
    proof = services.proof_add(school=s.school, actor=s.staff, roles=OFFICE, student_id=s.students[0].pk,
                               kind="medical", upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4 x"))
    assert proof.keep_until == dt.date(2028, 8, 31)
    assert services.attendance_retention(today=dt.date(2028, 8, 31)).proofs == 0
    assert services.attendance_retention(today=dt.date(2028, 9, 1)).proofs == 1
    assert not Proof.objects.exists()
    assert services.attendance_retention(today=dt.date(2032, 8, 31)).rows == 0
    assert Register.objects.exists()
    removed = services.attendance_retention(today=dt.date(2032, 9, 1))
    assert removed.rows > 0
    assert not Register.objects.exists()
    assert not Mark.objects.exists()
    assert not HalfDayCode.objects.exists()
    assert SchoolYear.objects.filter(pk=s.year.pk).exists()


def test_the_school_sets_its_rules_within_bounds(scenario: Scenario, login_as: Callable[..., Client]) -> None:
    s = scenario
    values = {"afternoon_from": dt.time(12, 30), "counting_periods": [1, 5], "contact_parents_from": 1,
              "care_case_from": 5, "parent_statement_days": 3, "parent_statement_times": 4, "review_school_days": 2}
    with pytest.raises(Forbidden):
        services.settings_update(school=s.school, roles=OFFICE, values=values)
    with pytest.raises(ValidationFailed):
        services.settings_update(school=s.school, roles=frozenset({Role.ADMIN}), values={**values, "care_case_from": 0})
    row = services.settings_update(school=s.school, roles=frozenset({Role.ADMIN}), values=values)
    assert (row.counting_periods, row.afternoon_from) == ([1, 5], dt.time(12, 30))
    client = login_as("admin")
    assert client.get(s.url("/attendance/settings/")).status_code == 200
    response = client.post(s.url("/attendance/settings/"), {
        "afternoon_from": "12:00", "counting_periods": ["1"], "contact_parents_from": "2", "care_case_from": "1",
        "parent_statement_days": "3", "parent_statement_times": "4", "review_school_days": "2"})
    assert response.status_code == 400
    assert "A care case comes at or after the task to contact the parents." in response.content.decode()
    assert login_as("staff").get(s.url("/attendance/settings/")).status_code == 403


def test_a_school_adds_a_sub_code_and_the_office_uses_it(week: Scenario, login_as: Callable[..., Client]) -> None:
    s = week
    client = login_as("admin")
    response = client.post(s.url("/attendance/settings/"), {"action": "local_code", "code": "Z", "name": "Ziekenhuis"})
    assert response.status_code == 302
    from krijt.attendance.models import LocalCode

    sub = LocalCode.objects.get()
    with time_machine.travel(dt.datetime(2026, 10, 6, 16, 0, tzinfo=TZ), tick=False):
        with pytest.raises(ValidationFailed):  # a Z sub-code under B
            services.half_days_code(school=s.school, actor=s.staff, roles=OFFICE, student_id=s.students[2].pk,
                                    halves=[(MONDAY + dt.timedelta(days=1), "am")], code="B", local_code_id=sub.pk)
        services.half_days_code(school=s.school, actor=s.staff, roles=OFFICE, student_id=s.students[2].pk,
                                halves=[(MONDAY + dt.timedelta(days=1), "am")], code="Z", basis="medical",
                                local_code_id=sub.pk)
    codes = export(client, s, "codes.csv").decode("utf-8-sig")
    assert "Ziekenhuis" in codes
