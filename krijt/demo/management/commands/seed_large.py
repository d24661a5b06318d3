"""Benchmark data: many generated schools (default 20 schools, 30,000 people) with the demo's generator.

Meant for PostgreSQL. Schools are bench-01, bench-02, ...; their accounts are prefixed with the
school's slug so they never clash with the demo or with each other. Existing bench schools are kept
unless --reset.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from krijt.accounts.models import User
from krijt.core import clock
from krijt.demo.generator import SchoolSpec, plan_school
from krijt.demo.holidays import school_year_start_for
from krijt.demo.services import DEMO_PASSWORD, demo_password_hash, demo_school_create, demo_school_delete
from krijt.schools.models import School

STAFF_PER_SCHOOL = 5  # three staff and two administrators, as in the generator
TEACHERS_PER_SCHOOL = 60
PARENTS_PER_STUDENT = 1.5

NAMES = (
    "Sint-Jozefscollege", "Koninklijk Atheneum", "Sint-Barbaracollege", "Heilig-Hartinstituut", "Sint-Victorinstituut",
    "Sint-Ursula-instituut", "Sint-Jan Berchmanscollege", "Lyceum Sint-Augustinus", "Campus De Vesten",
    "Sint-Lodewijkscollege", "Onze-Lieve-Vrouwecollege", "Atheneum Redingenhof", "Sint-Norbertusinstituut",
    "Maria-Middelares", "Sint-Rombouts", "Mariagaard", "Sint-Pieterscollege", "Don Bosco", "Spes Nostra",
    "Sint-Paulusschool",
)
TOWNS = (
    "Gent", "Brugge", "Leuven", "Mechelen", "Hasselt", "Aalst", "Kortrijk", "Turnhout", "Genk", "Roeselare",
    "Sint-Niklaas", "Oostende", "Lier", "Geel", "Dendermonde", "Tienen", "Ieper", "Tielt", "Mol", "Halle",
)


def bench_spec(index: int, *, people: int, start_year: int) -> SchoolSpec:
    """A school of `people` accounts: 60 teachers, 5 staff, and students and parents 2 : 3."""
    students = round((people - TEACHERS_PER_SCHOOL - STAFF_PER_SCHOOL) / (1 + PARENTS_PER_STUDENT))
    parents = people - TEACHERS_PER_SCHOOL - STAFF_PER_SCHOOL - students
    slug = f"bench-{index:02d}"
    name = f"{NAMES[(index - 1) % len(NAMES)]} {TOWNS[(index - 1) % len(TOWNS)]}"
    return SchoolSpec(slug=slug, name=name, start_year=start_year, students=students, parents=parents,
                      teachers=TEACHERS_PER_SCHOOL, classes_per_grade=4, username_prefix=f"{slug}.", seed=slug)


class Command(BaseCommand):
    help = "Builds benchmark schools bench-01..bench-NN (default 20 schools of 1,500 people: 30,000 in total)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--schools", type=int, default=20, help="How many schools (default 20).")
        parser.add_argument("--people-per-school", type=int, default=1500,
                            help="Accounts per school: students, parents, teachers and staff (default 1500).")
        parser.add_argument("--year", type=int, default=None, help="Start year of the school year (default: now).")
        parser.add_argument("--reset", action="store_true", help="Remove existing bench schools first.")

    def handle(self, *args: Any, **options: Any) -> None:
        count, people = options["schools"], options["people_per_school"]
        if count < 1:
            raise CommandError("--schools must be at least 1.")
        if people < 400:
            raise CommandError("--people-per-school must be at least 400 (a school of 24 classes and 60 teachers).")
        if connection.vendor != "postgresql":
            self.stderr.write(f"Note: benchmarks are meant for PostgreSQL; this database is {connection.vendor}.")
        started = time.monotonic()
        if options["reset"]:
            bench = School.objects.filter(slug__startswith="bench-").order_by("slug")
            for slug in bench.values_list("slug", flat=True):
                removed = demo_school_delete(slug=slug)
                self.stdout.write(f"Removed {slug} and {removed} accounts.")
        start_year = options["year"] or school_year_start_for(clock.local_today("Europe/Brussels"))
        password_hash = demo_password_hash()
        built = kept = total_people = 0
        for index in range(1, count + 1):
            spec = bench_spec(index, people=people, start_year=start_year)
            if School.objects.filter(slug=spec.slug).exists():
                kept += 1
                continue
            school_started = time.monotonic()
            taken = User.objects.filter(username__startswith=spec.username_prefix).values_list("username", flat=True)
            plan = plan_school(spec, taken_usernames=taken)
            demo_school_create(plan=plan, password_hash=password_hash)
            built += 1
            total_people += len(plan.people)
            self.stdout.write(f"{spec.slug} {spec.name}: {len(plan.people)} people, {len(plan.classes)} classes, "
                              f"{len(plan.slots)} lessons a week ({time.monotonic() - school_started:.1f} s)")
        if built and connection.vendor == "postgresql":
            # Fresh statistics for the planner: a benchmark database may run without autovacuum, and plans
            # made for empty tables (sequential scans, bad join orders) would be measured instead of Krijt.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            self.stdout.write("Analysed the database (fresh planner statistics).")
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(
            f"Built {built} schools with {total_people} people in {elapsed:.1f} s; kept {kept} existing."))
        self.stdout.write(f"Accounts are <slug>.<first>.<last>, e.g. bench-01.<name>; password: {DEMO_PASSWORD}")
