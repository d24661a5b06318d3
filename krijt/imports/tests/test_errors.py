"""Each kind of bad row or bad file gets a clear message with its row and column, and nothing is written."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from krijt.accounts.models import User
from krijt.imports.models import ImportJob
from krijt.imports.tests.conftest import Upload, csv_bytes, xlsx_bytes
from tests.scenario import Scenario

STUDENTS_NL = ["gebruikersnaam", "voornaam", "naam", "geboortedatum", "klas"]
STUDENTS_EN = ["username", "first_name", "last_name", "birth_date", "class"]


def errors_of(job: ImportJob) -> list[tuple[int, str, str]]:
    return [(e["row"], e["column"], e["message"]) for e in job.errors]


def one_error(job: ImportJob) -> tuple[int, str, str]:
    assert job.status == ImportJob.Status.PREVIEW
    assert not job.can_apply
    [error] = errors_of(job)
    return error


@pytest.mark.django_db
def test_missing_column_is_reported_on_row_1(upload: Upload, admin_client: Client, scenario: Scenario) -> None:
    job = upload("students", "leerlingen.csv", csv_bytes([["gebruikersnaam", "voornaam", "naam", "klas"],
                                                           ["new.one", "New", "One", "1A"]]))
    row, column, message = one_error(job)
    assert (row, column) == (1, "birth_date")
    assert "missing" in message
    page = admin_client.get(scenario.url(f"/manage/imports/{job.pk}/")).content.decode()
    assert "birth_date" in page
    assert "Apply the import" not in page


@pytest.mark.django_db
def test_duplicate_user_name_names_both_rows(upload: Upload) -> None:
    job = upload("students", "l.csv", csv_bytes([
        STUDENTS_NL,
        ["new.one", "New", "One", "2012-01-01", "1A"],
        ["other", "Oth", "Er", "2012-01-01", "1A"],
        ["NEW.ONE", "Again", "One", "2012-01-01", "2A"],
    ]))
    row, column, message = one_error(job)
    assert (row, column) == (4, "gebruikersnaam")
    assert "rows 2 and 4" in message
    assert not User.objects.filter(username="new.one").exists()


@pytest.mark.django_db
def test_existing_account_with_another_role_is_refused(upload: Upload, scenario: Scenario) -> None:
    row_data = [scenario.teacher.username, "Tess", "T", "2012-01-01", "1A"]
    job = upload("students", "l.csv", csv_bytes([STUDENTS_EN, row_data]))
    row, column, message = one_error(job)
    assert (row, column) == (2, "username")
    assert "another role" in message
    assert "teacher" in message


@pytest.mark.django_db
def test_existing_account_of_another_school_is_refused(upload: Upload, other_school: Scenario) -> None:
    job = upload("teachers", "t.csv", csv_bytes([["username", "first_name", "last_name"],
                                                  [other_school.teacher.username, "Hijack", "Attempt"]]))
    row, column, message = one_error(job)
    assert (row, column) == (2, "username")
    assert "another school" in message
    other_school.teacher.refresh_from_db()
    assert other_school.teacher.first_name != "Hijack"


@pytest.mark.django_db
def test_unknown_class(upload: Upload, scenario: Scenario) -> None:
    job = upload("students", "l.csv", csv_bytes([STUDENTS_NL, ["new.one", "New", "One", "2012-01-01", "9Z"]]))
    row, column, message = one_error(job)
    assert (row, column) == (2, "klas")
    assert '"9Z"' in message
    assert scenario.year.name in message


@pytest.mark.django_db
def test_class_of_another_school_year_is_unknown(upload: Upload, scenario: Scenario) -> None:
    import datetime as dt

    from krijt.schools.models import ClassGroup, SchoolYear

    old = SchoolYear.objects.create(school=scenario.school, name="2025-2026", starts_on=dt.date(2025, 9, 1),
                                    ends_on=dt.date(2026, 6, 30))
    ClassGroup.objects.create(school=scenario.school, school_year=old, name="6Z", grade=6)
    job = upload("students", "l.csv", csv_bytes([STUDENTS_NL, ["new.one", "New", "One", "2012-01-01", "6Z"]]))
    assert one_error(job)[:2] == (2, "klas")


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["31/02/2012", "2012-13-01", "volgende week", "2099-01-01"])
def test_bad_date(upload: Upload, value: str) -> None:
    job = upload("students", "l.csv", csv_bytes([STUDENTS_NL, ["new.one", "New", "One", value, "1A"]]))
    row, column, message = one_error(job)
    assert (row, column) == (2, "geboortedatum")
    assert value in message


@pytest.mark.django_db
def test_empty_required_value(upload: Upload) -> None:
    job = upload("students", "l.xlsx", xlsx_bytes([STUDENTS_NL, ["new.one", "New", "One", "2012-01-01", "1A"],
                                                    ["new.two", None, "Two", "2012-01-01", "1A"]]))
    row, column, message = one_error(job)
    assert (row, column) == (3, "voornaam")
    assert "empty" in message


@pytest.mark.django_db
def test_invalid_user_name_and_email(upload: Upload) -> None:
    job = upload("teachers", "t.csv", csv_bytes([["username", "first_name", "last_name", "email"],
                                                  ["has space", "A", "B", ""],
                                                  ["ok.name", "A", "B", "not-an-address"]]))
    assert [(r, c) for r, c, _m in errors_of(job)] == [(2, "username"), (3, "email")]


@pytest.mark.django_db
def test_wrong_encoding(upload: Upload, admin_client: Client, scenario: Scenario) -> None:
    data = csv_bytes([STUDENTS_NL, ["a.a", "Ann", "A", "2012-01-01", "1A"], ["b.b", "Zoë", "B", "2012-01-01", "1A"]],
                     bom=False, encoding="latin-1")
    job = upload("students", "l.csv", data)
    row, _column, message = one_error(job)
    assert row == 3
    assert "CSV UTF-8" in message
    assert not job.file  # a file that cannot be applied is not kept
    page = admin_client.get(scenario.url(f"/manage/imports/{job.pk}/")).content.decode()
    assert "CSV UTF-8" in page


@pytest.mark.django_db
def test_parent_of_unknown_student(upload: Upload, other_school: Scenario) -> None:
    job = upload("parents", "o.csv", csv_bytes([
        ["gebruikersnaam", "voornaam", "naam", "leerling"],
        ["new.parent", "Pa", "Rent", "nobody.here"],
        ["new.parent2", "Pa", "Rent", other_school.student.username],  # a student, but of another school
    ]))
    assert [(r, c) for r, c, _m in errors_of(job)] == [(2, "leerling"), (3, "leerling")]
    assert "nobody.here" in errors_of(job)[0][2]


@pytest.mark.django_db
def test_student_would_get_more_than_two_parents(upload: Upload, scenario: Scenario) -> None:
    student = scenario.student  # already has one parent
    job = upload("parents", "o.csv", csv_bytes([
        ["username", "first_name", "last_name", "student_username"],
        ["second.parent", "Sec", "Ond", student.username],
        ["third.parent", "Thi", "Rd", student.username],
        [scenario.parent.username, "Pa1", "Parent", student.username],  # the existing link: no extra parent
    ]))
    row, column, message = one_error(job)
    assert (row, column) == (3, "student_username")
    assert "more than two parents" in message


@pytest.mark.django_db
def test_parent_listed_twice_for_the_same_child_or_with_other_details(upload: Upload, scenario: Scenario) -> None:
    s1, s2 = scenario.students[0].username, scenario.students[1].username
    job = upload("parents", "o.csv", csv_bytes([
        ["username", "first_name", "last_name", "student_username"],
        ["new.parent", "Pa", "Rent", s1],
        ["new.parent", "Pa", "Rent", s1],
        ["new.parent", "Other", "Rent", s2],
    ]))
    found = errors_of(job)
    assert [(r, c) for r, c, _m in found] == [(3, "student_username"), (4, "username")]
    assert "rows 2 and 3" in found[0][2]
    assert "row 2" in found[1][2]


@pytest.mark.django_db
def test_file_too_big_is_refused_with_413(admin_client: Client, scenario: Scenario, settings: Any) -> None:
    settings.KRIJT_IMPORT_MAX_BYTES = 100
    data = csv_bytes([STUDENTS_NL] + [[f"s{i}", "A", "B", "2012-01-01", "1A"] for i in range(20)])
    response = admin_client.post(scenario.url("/manage/imports/"),
                                 {"kind": "students", "file": SimpleUploadedFile("big.csv", data)})
    assert response.status_code == 413
    assert "too big" in response.content.decode()
    assert not ImportJob.objects.exists()


@pytest.mark.django_db
def test_unknown_extension_is_refused(admin_client: Client, scenario: Scenario) -> None:
    response = admin_client.post(scenario.url("/manage/imports/"),
                                 {"kind": "students", "file": SimpleUploadedFile("list.pdf", b"%PDF-1.4")})
    assert response.status_code == 400
    assert ".pdf" in response.content.decode()
    assert not ImportJob.objects.exists()


@pytest.mark.django_db
def test_errors_are_sorted_and_many_are_capped(upload: Upload) -> None:
    rows = [STUDENTS_NL] + [[f"s{i}", "A", "B", "bad", "1A"] for i in range(600)]
    job = upload("students", "l.csv", csv_bytes(rows))
    assert len(job.errors) == 500
    assert job.errors_total == 600
    assert [e["row"] for e in job.errors] == list(range(2, 502))


@pytest.mark.django_db
def test_a_huge_cell_is_quoted_short_in_its_error(upload: Upload, admin_client: Client) -> None:
    """A 24 KB workbook repeating one long text must not make a job page of megabytes."""
    huge = "9Z" * 20_000
    rows = [STUDENTS_EN] + [[f"s{i}", "New", "One", "2012-01-01", huge] for i in range(200)]
    job = upload("students", "l.xlsx", xlsx_bytes(rows))
    errors = errors_of(job)
    assert len(errors) == 200
    assert all(len(message) < 200 for _row, _column, message in errors)
    page = admin_client.get(f"/s/alpha/manage/imports/{job.pk}/")
    assert page.status_code == 200
    assert len(page.content) < 200_000
