"""A realistic school export: 1,000 students validate and apply in a bounded number of queries and seconds."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from django.test import Client

from krijt.accounts.models import Membership, ParentLink, User
from krijt.core.roles import Role
from krijt.core.worker import run_pending_tasks
from krijt.imports import services
from krijt.imports.models import ImportJob
from krijt.imports.tests.conftest import Upload, csv_bytes, xlsx_bytes
from krijt.schools.models import ClassGroup, Enrollment
from tests.scenario import Scenario

FIRST = ["Lena", "Noah", "Emma", "Liam", "Olivia", "Lucas", "Mila", "Arthur", "Nora", "Louis", "Zoë", "Élise"]
LAST = ["Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens", "De Smet", "Van den Broeck"]


def school_export(scenario: Scenario, n: int = 1000) -> list[list[Any]]:
    for grade in range(1, 7):
        for letter in "BCD":
            ClassGroup.objects.create(school=scenario.school, school_year=scenario.year, name=f"{grade}{letter}",
                                      grade=grade)
    classes = sorted(ClassGroup.objects.filter(school=scenario.school, school_year=scenario.year)
                     .values_list("name", flat=True))
    assert len(classes) == 20
    rows: list[list[Any]] = [["Gebruikersnaam", "Voornaam", "Naam", "Geboortedatum", "Klas", "E-mail"]]
    for i in range(n):
        first, last = FIRST[i % len(FIRST)], LAST[(i // len(FIRST)) % len(LAST)]
        born = dt.date(2008 + i % 7, 1 + i % 12, 1 + i % 28)
        rows.append([f"ll{i:05d}", first, last, born.strftime("%d/%m/%Y"), classes[i % len(classes)],
                     f"ll{i:05d}@leerling.example" if i % 3 else ""])
    return rows


@pytest.mark.django_db
@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_thousand_students(upload: Upload, admin_client: Client, scenario: Scenario, fmt: str,
                             django_assert_max_num_queries: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = school_export(scenario)
    data = csv_bytes(rows) if fmt == "csv" else xlsx_bytes(rows)
    job = upload("students", f"leerlingen.{fmt}", data, run=False)

    started = time.monotonic()
    # Validation loads what it compares against in a few queries; the rest are progress updates (every 2%).
    with django_assert_max_num_queries(70):
        run_pending_tasks()
    validated = time.monotonic() - started
    job.refresh_from_db()
    assert job.errors == []
    assert (job.rows_total, job.rows_done) == (1000, 1000)
    assert job.summary["create"] == 1000
    assert len(job.summary["sample"]) == 50

    progress: list[int] = []
    real = services._progress

    def spy(job: ImportJob, done: int, *, persist: bool) -> None:
        progress.append(done)
        real(job, done, persist=persist)

    monkeypatch.setattr(services, "_progress", spy)
    started = time.monotonic()
    assert admin_client.post(scenario.url(f"/manage/imports/{job.pk}/apply/")).status_code == 302
    run_pending_tasks()
    applied = time.monotonic() - started
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.message
    assert validated < 10
    assert applied < 60
    assert progress == sorted(progress)
    assert len(progress) >= 40
    assert progress[-1] == 1000

    new = User.objects.filter(username__startswith="ll")
    assert new.count() == 1000
    assert Membership.objects.filter(school=scenario.school, role=Role.STUDENT, user__in=new).count() == 1000
    assert Enrollment.objects.filter(school=scenario.school, school_year=scenario.year, student__in=new).count() == 1000
    assert not any(u.has_usable_password() for u in new[:20])
    assert User.objects.get(username="ll00010").first_name == "Zoë"


@pytest.mark.django_db
@pytest.mark.slow
def test_a_thousand_parents_reimported(upload: Upload, apply: Any, scenario: Scenario) -> None:
    """500 students, two parents each; the second run of the same file finds everything unchanged."""
    students = apply(upload("students", "l.csv", csv_bytes(
        [["username", "first_name", "last_name", "birth_date", "class"]]
        + [[f"kid{i}", "Kid", str(i), "2012-01-01", "1A"] for i in range(500)])))
    assert students.status == ImportJob.Status.DONE
    rows: list[list[Any]] = [["username", "first_name", "last_name", "student_username"]]
    for i in range(500):
        rows += [[f"mum{i}", "Mum", str(i), f"kid{i}"], [f"dad{i}", "Dad", str(i), f"kid{i}"]]
    job = apply(upload("parents", "o.csv", csv_bytes(rows)))
    assert job.status == ImportJob.Status.DONE, job.message
    assert job.summary["links"] == 1000
    assert ParentLink.objects.filter(school=scenario.school, student__username__startswith="kid").count() == 1000
    again = upload("parents", "o.csv", csv_bytes(rows))
    assert (again.summary["create"], again.summary["update"], again.summary["unchanged"]) == (0, 0, 1000)
