"""Taking registers at 08:30 on PostgreSQL: the register service beside a plain insert of the same rows.

    .venv/bin/python bench/registers.py [--registers 20000] [--threads 8] [--keep]

Creates a throwaway database (krijt_bench_registers), migrates it and builds one benchmark school with
`seed_large` (24 classes, about 575 students, a clash-free timetable). Then, with the clock at the end of
the school year, it takes N distinct lesson registers (every class's lessons, day after day) from a pool
of threads, each the way the page does: `register_take` with about 8% of the class absent, a client key,
the permission checks, the review task queued. In the same run and for the same lessons (first, its rows
removed afterwards), the baseline writes the same rows (the register row and one mark per absentee) with
plain INSERTs in one transaction per register, from the same number of threads. Printed: registers/s and
p50/p99 per register for both, their ratio, and the queries one save costs in the smallest and the largest
class (the same: it does not grow with the class).

The database is dropped at the end (--keep leaves it). Connection settings come from KRIJT_DB_HOST/PORT/
USER/PASSWORD as for the tests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

DB_NAME = "krijt_bench_registers"
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["KRIJT_DB_NAME"] = DB_NAME
os.environ.setdefault("KRIJT_CACHE_PREFIX", "bench-registers")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

from bench.throwaway import drop_database, recreate_database  # noqa: E402


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run(registers: int, threads: int) -> None:
    import time_machine
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from krijt.attendance import services
    from krijt.attendance.models import Mark, Register
    from krijt.core.roles import Role
    from krijt.schools.models import Enrollment, SchoolYear, TimetableSlot
    from krijt.schools.selectors import school_calendar

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("seed_large", schools=1, verbosity=0)
    year = SchoolYear.objects.get()
    school = year.school
    print(f"set-up: {time.perf_counter() - started:.1f} s (migrate, one school of "
          f"{Enrollment.objects.filter(school=school).count()} students)")
    calendar = school_calendar(school=school)
    slots = list(TimetableSlot.objects.filter(school=school).select_related("course", "lesson_period"))
    students: dict[int, list[int]] = {}
    for class_id, student_id in Enrollment.objects.filter(school=school).values_list("class_group_id", "student_id"):
        students.setdefault(class_id, []).append(student_id)
    lessons: list[tuple[TimetableSlot, dt.date]] = []
    day = year.starts_on
    while day <= year.ends_on and len(lessons) < registers + 500:
        if calendar.is_school_day(day):
            lessons += [(s, day) for s in slots if s.weekday == day.isoweekday()]
        day += dt.timedelta(days=1)
    rng = random.Random(7)
    rng.shuffle(lessons)
    jobs = [job for job in lessons if job[1] != year.starts_on][:registers]  # the first day is for counting
    if len(jobs) < registers:
        raise SystemExit(f"only {len(jobs)} lessons in the school year; ask for fewer registers")
    teacher_roles = frozenset({Role.TEACHER.value})

    def absentees(slot: TimetableSlot) -> list[int]:
        group = students.get(slot.course.class_group_id, [])
        return [pk for pk in group if rng.random() < 0.08]

    def service(job: tuple[TimetableSlot, dt.date]) -> float:
        slot, lesson_day = job
        marks = [services.MarkIn(pk, "absent") for pk in absentees(slot)]
        begin = time.perf_counter()
        services.register_take(school=school, actor=slot.course.teacher, roles=teacher_roles,  # type: ignore[arg-type]
                               course_id=slot.course_id, day=lesson_day, period=slot.lesson_period.number,
                               marks=marks, client_key=f"{slot.pk}-{lesson_day}")
        return time.perf_counter() - begin

    def plain(job: tuple[TimetableSlot, dt.date]) -> float:
        slot, lesson_day = job
        absent = absentees(slot)
        begin = time.perf_counter()
        with transaction.atomic():
            register = Register.objects.create(
                school=school, course_id=slot.course_id, class_group_id=slot.course.class_group_id, day=lesson_day,
                period=slot.lesson_period.number, taken_by=slot.course.teacher, taken_at=dt.datetime.now(dt.UTC))
            Mark.objects.bulk_create([Mark(school=school, register=register, student_id=pk, day=lesson_day,
                                           period=register.period, status="absent") for pk in absent])
        return time.perf_counter() - begin

    end_of_year = dt.datetime.combine(year.ends_on, dt.time(17, 0), tzinfo=dt.UTC)
    with time_machine.travel(end_of_year, tick=True):
        sizes = sorted(slots, key=lambda s: len(students.get(s.course.class_group_id, [])))
        counted = []
        for slot in (sizes[0], sizes[-1]):
            lesson_day = year.starts_on
            while not calendar.is_school_day(lesson_day) or lesson_day.isoweekday() != slot.weekday:
                lesson_day += dt.timedelta(days=1)
            Register.objects.filter(school=school, course_id=slot.course_id, day=lesson_day,
                                    period=slot.lesson_period.number).delete()
            service((slot, lesson_day))  # warm: the calendar and the rules are cached after the first
            Register.objects.filter(school=school, course_id=slot.course_id, day=lesson_day).delete()
            with CaptureQueriesContext(connection) as seen:
                service((slot, lesson_day))
            counted.append((len(students.get(slot.course.class_group_id, [])), len(seen.captured_queries)))
            Register.objects.filter(school=school, course_id=slot.course_id, day=lesson_day).delete()
        results = {}
        # The same lessons both ways: the plain insert first, its rows removed, then the service.
        for name, work in (("plain insert", plain), ("service", service)):
            Register.objects.filter(school=school).delete()
            begin = time.perf_counter()
            with ThreadPoolExecutor(max_workers=threads) as pool:
                times = list(pool.map(work, jobs))
            wall = time.perf_counter() - begin
            results[name] = (len(jobs) / wall, percentile(times, 0.5), percentile(times, 0.99))
            print(f"{name:>13}: {len(jobs):,} registers in {wall:6.1f} s = {len(jobs) / wall:7.0f} registers/s, "
                  f"p50 {results[name][1] * 1000:5.1f} ms, p99 {results[name][2] * 1000:5.1f} ms ({threads} threads)")
    service_rate, plain_rate = results["service"][0], results["plain insert"][0]
    print(f"ratio: the service takes registers at {service_rate / plain_rate:.2f}x the plain insert's rate; "
          f"p99 {results['service'][2] / results['plain insert'][2]:.1f}x")
    print(f"20,000 registers at the service's rate: {20000 / service_rate:.0f} s (the target is within 300 s)")
    print("queries per save: " + ", ".join(f"{n} queries in a class of {size}" for size, n in counted)
          + f" (median absentees {statistics.median([0.08 * size for size, _n in counted]):.0f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--registers", type=int, default=20000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--keep", action="store_true", help="Leave the database for a look afterwards.")
    args = parser.parse_args()
    recreate_database(DB_NAME)
    django.setup()
    try:
        run(args.registers, args.threads)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(DB_NAME)


if __name__ == "__main__":
    main()
