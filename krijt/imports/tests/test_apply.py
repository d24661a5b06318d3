"""Good files apply; an import applies whole or not at all; importing the same file again changes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from krijt.accounts.models import Membership, ParentLink, User
from krijt.core.roles import Role
from krijt.imports import services
from krijt.imports.models import ImportJob
from krijt.imports.tests.conftest import Upload, csv_bytes, xlsx_bytes
from krijt.schools.models import Enrollment
from tests.scenario import Scenario

Apply = Callable[[ImportJob], ImportJob]
STUDENTS_NL = ["Gebruikersnaam", "Voornaam", "Naam", "Geboortedatum", "Klas", "E-mail"]


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    return {
        "users": list(User.objects.order_by("pk").values_list(
            "pk", "username", "first_name", "last_name", "email", "birth_date", "password", "is_active")),
        "memberships": list(Membership.objects.order_by("pk").values_list("pk", "school_id", "user_id", "role")),
        "enrollments": list(Enrollment.objects.order_by("pk").values_list(
            "pk", "school_id", "school_year_id", "class_group_id", "student_id")),
        "links": list(ParentLink.objects.order_by("pk").values_list("pk", "school_id", "parent_id", "student_id")),
    }


def students_file(scenario: Scenario) -> list[list[Any]]:
    born1, born2 = scenario.students[0].birth_date, scenario.students[1].birth_date
    assert born1 is not None
    assert born2 is not None
    return [
        STUDENTS_NL,
        ["lena.maes", "Lena", "Maes", "2012-04-05", "1a", "lena@example.org"],
        ["Tom.Peeters", "Tom", "Peeters", "05/06/2011", "2A", ""],
        # An existing student: moves to 2A and gets a corrected first name.
        [scenario.student.username, "Stuart", "Student", born1.isoformat(), "2A", ""],
        # An existing student, unchanged.
        [scenario.students[1].username, "Stu2", "Student", born2.strftime("%d/%m/%Y"), "1A", ""],
    ]


@pytest.mark.django_db
def test_students_csv_preview_then_apply(upload: Upload, apply: Apply, admin_client: Client,
                                         scenario: Scenario) -> None:
    job = upload("students", "leerlingen.csv", csv_bytes(students_file(scenario)))
    assert job.status == ImportJob.Status.PREVIEW
    assert job.errors == []
    assert (job.rows_total, job.rows_done) == (4, 4)
    assert {k: job.summary[k] for k in ("create", "update", "unchanged")} == {"create": 2, "update": 1, "unchanged": 1}
    changed = next(s for s in job.summary["sample"] if s["action"] == "update")
    assert changed["row"] == 4
    assert {(c["field"], c["old"], c["new"]) for c in changed["changes"]} == {
        ("first_name", "Stu1", "Stuart"), ("class", "1A", "2A")}
    assert not User.objects.filter(username="lena.maes").exists()  # the preview writes nothing

    page = admin_client.get(scenario.url(f"/manage/imports/{job.pk}/")).content.decode()
    assert "Apply the import" in page
    assert "Stuart" in page
    assert "<del>1A</del>" in page

    job = apply(job)
    assert job.status == ImportJob.Status.DONE, job.message
    assert job.applied_at is not None
    assert not job.file  # personal data is not kept once applied

    lena = User.objects.get(username="lena.maes")
    assert (lena.first_name, lena.email, lena.birth_date) == ("Lena", "lena@example.org", dt.date(2012, 4, 5))
    assert not lena.has_usable_password()
    assert Membership.objects.filter(school=scenario.school, user=lena, role=Role.STUDENT).exists()
    assert Enrollment.objects.get(school=scenario.school, student=lena).class_group == scenario.classes[0]
    tom = User.objects.get(username="tom.peeters")
    assert tom.birth_date == dt.date(2011, 6, 5)
    assert Enrollment.objects.get(student=tom, school_year=scenario.year).class_group == scenario.classes[1]
    moved = User.objects.get(pk=scenario.student.pk)
    assert moved.first_name == "Stuart"
    assert moved.has_usable_password()  # an existing account keeps its password
    assert Enrollment.objects.get(student=moved, school_year=scenario.year).class_group == scenario.classes[1]
    page = admin_client.get(scenario.url(f"/manage/imports/{job.pk}/")).content.decode()
    assert "The import was applied" in page


@pytest.mark.django_db
def test_students_xlsx_with_date_cells(upload: Upload, apply: Apply, scenario: Scenario) -> None:
    job = upload("students", "leerlingen.xlsx", xlsx_bytes([
        ["username", "first_name", "last_name", "birth_date", "class"],
        ["eva.claes", "Eva", "Claes", dt.datetime(2013, 1, 31), "1A"],
        [20231234, "Noah", "Jacobs", "31-01-2013", "2A"],
    ]))
    assert job.errors == []
    assert job.summary["create"] == 2
    apply(job)
    assert User.objects.get(username="eva.claes").birth_date == dt.date(2013, 1, 31)
    assert Enrollment.objects.get(student__username="20231234").class_group.name == "2A"


@pytest.mark.django_db
def test_student_enrolled_only_in_an_earlier_year_gets_this_years_class(upload: Upload, apply: Apply,
                                                                         scenario: Scenario) -> None:
    student = scenario.student
    assert student.birth_date is not None
    Enrollment.objects.filter(student=student).delete()
    job = upload("students", "l.csv", csv_bytes([
        ["username", "first_name", "last_name", "birth_date", "class"],
        [student.username, student.first_name, student.last_name, student.birth_date.isoformat(), "2A"],
    ]))
    assert job.summary["update"] == 1
    apply(job)
    assert Enrollment.objects.get(student=student, school_year=scenario.year).class_group.name == "2A"


@pytest.mark.django_db
def test_teachers_and_empty_email_keeps_the_existing_one(upload: Upload, apply: Apply, scenario: Scenario) -> None:
    teacher = scenario.teacher
    job = upload("teachers", "leerkrachten.csv", csv_bytes([
        ["gebruikersnaam", "voornaam", "achternaam", "e-mail"],
        ["an.janssens", "An", "Janssens", "an@school.example"],
        [teacher.username, teacher.first_name, "Renamed", ""],
    ], delimiter=","))
    assert {k: job.summary[k] for k in ("create", "update", "unchanged")} == {"create": 1, "update": 1, "unchanged": 0}
    apply(job)
    an = User.objects.get(username="an.janssens")
    assert Membership.objects.filter(school=scenario.school, user=an, role=Role.TEACHER).exists()
    assert not an.has_usable_password()
    teacher.refresh_from_db()
    assert teacher.last_name == "Renamed"
    assert teacher.email == "teacher1@alpha.example"


@pytest.mark.django_db
def test_parents_with_two_children_and_an_existing_parent(upload: Upload, apply: Apply, scenario: Scenario) -> None:
    s1, s2, s4 = scenario.students[0], scenario.students[1], scenario.students[3]
    job = upload("parents", "ouders.csv", csv_bytes([
        ["gebruikersnaam", "voornaam", "naam", "leerling", "e-mail"],
        ["mama.maes", "Mia", "Maes", s1.username, "mia@example.org"],
        ["mama.maes", "Mia", "Maes", s2.username, "mia@example.org"],
        [scenario.parents[0].username, "Pa1", "Parent", s1.username, ""],  # already linked, unchanged
        [scenario.parents[2].username, "Pa3", "Parent", s4.username, ""],  # existing parent, a second child
    ]))
    assert job.errors == []
    assert {k: job.summary[k] for k in ("create", "update", "unchanged", "links")} == {
        "create": 1, "update": 1, "unchanged": 1, "links": 3}
    apply(job)
    mia = User.objects.get(username="mama.maes")
    assert not mia.has_usable_password()
    assert not Membership.objects.filter(user=mia).exists()  # parents are linked, not members
    assert set(ParentLink.objects.filter(parent=mia).values_list("student_id", flat=True)) == {s1.pk, s2.pk}
    assert ParentLink.objects.filter(parent=scenario.parents[2], student=s4, school=scenario.school).exists()
    assert ParentLink.objects.filter(student=s4).count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "name"), [("students", "l.csv"), ("students", "l.xlsx"), ("parents", "o.csv"),
                                            ("teachers", "t.xlsx")])
def test_reimporting_the_same_file_changes_nothing(upload: Upload, apply: Apply, scenario: Scenario,
                                                    kind: str, name: str) -> None:
    rows: list[list[Any]] = {
        "students": students_file(scenario),
        "parents": [["username", "first_name", "last_name", "student_username", "email"],
                    ["mama.maes", "Mia", "Maes", scenario.students[3].username, "mia@example.org"],
                    ["mama.maes", "Mia", "Maes", scenario.students[4].username, "mia@example.org"]],
        "teachers": [["username", "first_name", "last_name", "email"], ["an.janssens", "An", "Janssens", ""],
                     [scenario.teacher.username, "Tessa", "Teacher", "tessa@alpha.example"]],
    }[kind]
    data = xlsx_bytes(rows) if name.endswith("xlsx") else csv_bytes(rows)
    first = apply(upload(kind, name, data))
    assert first.status == ImportJob.Status.DONE
    before = snapshot()

    again = upload(kind, name, data)
    assert again.errors == []
    assert again.summary["create"] == 0
    assert again.summary["update"] == 0
    assert again.summary["unchanged"] == first.summary["create"] + first.summary["update"] + first.summary["unchanged"]
    assert again.summary.get("links", 0) == 0
    assert apply(again).status == ImportJob.Status.DONE
    assert snapshot() == before


@pytest.mark.django_db
def test_a_failure_mid_apply_writes_nothing(upload: Upload, apply: Apply, admin_client: Client, scenario: Scenario,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    job = upload("students", "leerlingen.csv", csv_bytes(students_file(scenario) + [
        [f"extra.{i}", "Ex", f"Tra{i}", "2012-01-01", "1A", ""] for i in range(10)]))
    assert job.can_apply
    before = snapshot()
    real = services.user_create
    calls = {"n": 0}

    def failing_user_create(**kwargs: Any) -> User:
        calls["n"] += 1
        if calls["n"] == 5:
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(services, "user_create", failing_user_create)
    job = apply(job)
    assert calls["n"] == 5
    assert job.status == ImportJob.Status.FAILED
    assert "Nothing was changed" in job.message
    assert "disk full" not in job.message  # internals stay in the log
    assert snapshot() == before
    page = admin_client.get(scenario.url(f"/manage/imports/{job.pk}/")).content.decode()
    assert "The import failed" in page
    assert "Apply the import" not in page


@pytest.mark.django_db
def test_a_conflict_found_at_apply_time_writes_nothing(upload: Upload, apply: Apply, scenario: Scenario) -> None:
    """Someone takes a user name between the preview and the apply: the whole import is refused."""
    job = upload("students", "leerlingen.csv", csv_bytes(students_file(scenario)))
    assert job.can_apply
    User.objects.create_user("tom.peeters", first_name="Someone", last_name="Else")
    before = snapshot()
    job = apply(job)
    assert job.status == ImportJob.Status.FAILED
    assert "Nothing was changed" in job.message
    assert [(e["row"], e["column"]) for e in job.errors] == [(3, "Gebruikersnaam")]
    assert snapshot() == before


@pytest.mark.django_db
def test_a_second_apply_click_does_not_apply_twice(upload: Upload, admin_client: Client, scenario: Scenario) -> None:
    from django_tasks_db.models import DBTaskResult

    from krijt.core.worker import run_pending_tasks

    job = upload("teachers", "t.csv", csv_bytes([["username", "first_name", "last_name"], ["an.j", "An", "J"]]))
    url = scenario.url(f"/manage/imports/{job.pk}/apply/")
    assert admin_client.post(url).status_code == 302
    assert admin_client.post(url).status_code == 302
    assert DBTaskResult.objects.filter(task_path__endswith="import_apply_task").count() == 1
    run_pending_tasks()
    assert admin_client.post(url).status_code == 409  # done: cannot be applied again
    assert User.objects.filter(username="an.j").count() == 1


@pytest.mark.django_db
def test_a_file_with_errors_cannot_be_applied(upload: Upload, admin_client: Client, scenario: Scenario) -> None:
    job = upload("students", "l.csv", csv_bytes([STUDENTS_NL, ["x.y", "X", "Y", "bad", "1A", ""]]))
    response = admin_client.post(scenario.url(f"/manage/imports/{job.pk}/apply/"))
    assert response.status_code == 409
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PREVIEW


@pytest.mark.django_db
def test_an_unexpected_error_while_checking_fails_the_job_clearly(upload: Upload, admin_client: Client,
                                                                  scenario: Scenario,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(**kwargs: Any) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(services, "build_plan", broken)
    job = upload("teachers", "t.csv", csv_bytes([["username", "first_name", "last_name"], ["an.j", "An", "J"]]))
    assert job.status == ImportJob.Status.FAILED
    assert "upload it again" in job.message
    assert not job.file
    html = admin_client.get(scenario.url(f"/manage/imports/{job.pk}/")).content.decode()
    assert "The import failed" in html
    assert 'hx-trigger="every 1s"' not in html  # the job page stops polling


@pytest.mark.django_db
def test_a_name_corrected_by_an_import_shows_on_the_students_next_page(upload: Upload, apply: Apply,
                                                                      scenario: Scenario) -> None:
    """The import writes people in bulk (no signals): the row and name every request reads from the cache
    must follow anyway."""
    from tests.scenario import english_client

    client = english_client()
    client.force_login(scenario.student, backend="krijt.accounts.backends.KrijtBackend")
    assert "Hello Stu1" in client.get(scenario.url("/")).content.decode()
    job = apply(upload("students", "leerlingen.csv", csv_bytes(students_file(scenario))))
    assert job.status == ImportJob.Status.DONE, job.message
    page = client.get(scenario.url("/")).content.decode()
    assert "Hello Stuart" in page
    assert "Hello Stu1" not in page
