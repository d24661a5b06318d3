"""seed_large with a small number of schools: the same generator, prefixed accounts, kept on a re-run."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count

from krijt.accounts.models import User
from krijt.demo.selectors import school_counts
from krijt.schools.models import School, TimetableSlot

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def seed_large(*args: str) -> str:
    out = StringIO()
    call_command("seed_large", "--year", "2026", *args, stdout=out)
    return out.getvalue()


def test_seed_large_builds_n_schools_of_1500_people() -> None:
    output = seed_large("--schools", "2")
    schools = list(School.objects.order_by("slug"))
    assert [s.slug for s in schools] == ["bench-01", "bench-02"]
    assert "Built 2 schools with 3000 people" in output
    # Benchmarks measure Krijt, not plans made for empty tables: statistics are fresh after seeding.
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [User._meta.db_table])
        assert cursor.fetchone()[0] >= 3000
    assert "Analysed the database" in output
    for school in schools:
        counts = school_counts(school=school)
        people = counts["students"] + counts["parents"] + counts["teachers"] + counts["staff"] + counts["admins"]
        assert people == 1500
        assert counts["classes"] == 24
        assert counts["teachers"] == 60
        assert not User.objects.filter(memberships__school=school).exclude(
            username__startswith=f"{school.slug}.").exists()
        clashes = (TimetableSlot.objects.filter(school=school).values("course__teacher", "weekday", "lesson_period")
                   .annotate(n=Count("id")).filter(n__gt=1))
        assert not clashes.exists()
    assert User.objects.count() == 3000


def test_seed_large_keeps_existing_schools_and_resets_on_request() -> None:
    seed_large("--schools", "1", "--people-per-school", "800")
    assert User.objects.count() == 800
    output = seed_large("--schools", "2", "--people-per-school", "800")
    assert "Built 1 schools with 800 people" in output
    assert "kept 1 existing" in output
    output = seed_large("--schools", "1", "--people-per-school", "800", "--reset")
    assert "Removed bench-01 and 800 accounts." in output
    assert "Removed bench-02 and 800 accounts." in output
    assert list(School.objects.values_list("slug", flat=True)) == ["bench-01"]
    assert User.objects.count() == 800


def test_seed_large_refuses_impossible_sizes() -> None:
    with pytest.raises(CommandError):
        seed_large("--schools", "0")
    with pytest.raises(CommandError):
        seed_large("--people-per-school", "100")
