"""Builds the demo school, Sint-Lutgardiscollege at /s/demo/, in seconds. Idempotent; --reset rebuilds it."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from krijt.accounts.models import User
from krijt.core import clock
from krijt.demo.activity import demo_activity_build
from krijt.demo.generator import SchoolSpec, plan_school
from krijt.demo.holidays import school_year_start_for
from krijt.demo.report import describe_school
from krijt.demo.services import (
    DEMO_NAME,
    DEMO_PASSWORD,
    DEMO_SLUG,
    demo_password_hash,
    demo_school_create,
    demo_school_delete,
)
from krijt.schools.models import School

DEMO_STUDENTS = 600
DEMO_PARENTS = 900
DEMO_TEACHERS = 60


def demo_spec(start_year: int) -> SchoolSpec:
    return SchoolSpec(slug=DEMO_SLUG, name=DEMO_NAME, start_year=start_year, students=DEMO_STUDENTS,
                      parents=DEMO_PARENTS, teachers=DEMO_TEACHERS, classes_per_grade=4, seed="demo")


class Command(BaseCommand):
    help = ("Builds the demo school (/s/demo/): a full school year, people, timetable and the last weeks of term's "
            "activity. --reset rebuilds it.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reset", action="store_true", help="Remove the demo school and its accounts first.")
        parser.add_argument("--year", type=int, default=None,
                            help="Start year of the school year to build (default: the current school year).")
        parser.add_argument("--no-activity", action="store_true",
                            help="Only the school, its people, classes and timetable: no term's activity.")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        existing = School.objects.filter(slug=DEMO_SLUG).first()
        if existing is not None and not options["reset"]:
            self.stdout.write("The demo school exists already; nothing changed (use --reset to rebuild it).")
            self._summary(existing, None)
            return
        if existing is not None:
            removed = demo_school_delete(slug=DEMO_SLUG)
            self.stdout.write(f"Removed the demo school and {removed} accounts.")
        start_year = options["year"] or school_year_start_for(clock.local_today("Europe/Brussels"))
        plan = plan_school(demo_spec(start_year), taken_usernames=User.objects.values_list("username", flat=True))
        school = demo_school_create(plan=plan, password_hash=demo_password_hash())
        activity = None if options["no_activity"] else demo_activity_build(school=school)
        self.stdout.write(self.style.SUCCESS(f"Built the demo school in {time.monotonic() - started:.1f} s."))
        self._summary(school, plan)
        for line in activity.lines() if activity is not None else ():
            self.stdout.write(line)

    def _summary(self, school: School, plan: Any) -> None:
        for line in describe_school(school, plan=plan):
            self.stdout.write(line)
        self.stdout.write(f"  Every demo account signs in with the password: {DEMO_PASSWORD}")
