"""Hot pages cost a fixed number of queries, whatever the number of items, also for a large school."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from krijt.accounts.models import Membership, User
from krijt.core.roles import Role
from krijt.planner.models import PlannerItem
from krijt.planner.tests.conftest import WEEK
from krijt.planner.tests.factories import make_item
from krijt.schools.models import ClassGroup, Course, Enrollment
from tests.scenario import Scenario
from tests.scenario import test_password_hash as password_hash

pytestmark = pytest.mark.usefixtures("school_hours")


def fill_week(scenario: Scenario, n: int) -> None:
    for i in range(n):
        make_item(scenario.courses[i % 4], day=WEEK + dt.timedelta(days=i % 5), kind="test" if i % 2 else "task")


def count(django_assert_max_num_queries, client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm the session and school caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    ("role", "path"),
    [
        ("teacher", "/planner/class/{class_id}/?week={week}"),
        ("teacher", "/planner/class/{class_id}/month/?month=2026-10"),
        ("teacher", "/planner/teacher/?week={week}"),
        ("student", "/planner/me/?week={week}"),
        ("parent", "/planner/child/{student_id}/?week={week}"),
        ("admin", "/planner/workload/?start={week}"),
        ("staff", "/planner/workload/?start={week}"),
    ],
)
def test_pages_run_the_same_queries_for_few_or_many_items(
    scenario: Scenario, login_as, django_assert_max_num_queries, role: str, path: str
) -> None:
    url = scenario.url(path.format(class_id=scenario.classes[0].pk, week=WEEK, student_id=scenario.student.pk))
    client = login_as(role)
    fill_week(scenario, 2)
    few = count(django_assert_max_num_queries, client, url)
    fill_week(scenario, 60)
    many = count(django_assert_max_num_queries, client, url)
    assert few == many
    assert many <= 12


def test_the_planning_form_and_check_run_fixed_queries(scenario: Scenario, login_as) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login_as("teacher")
    data = {"course": scenario.courses[0].pk, "kind": "test", "due_date": WEEK.isoformat()}
    client.post(scenario.url("/planner/check/"), data)  # warm the session and school caches
    counts = []
    for n in (2, 40):
        fill_week(scenario, n)
        with CaptureQueriesContext(connection) as ctx:
            assert client.post(scenario.url("/planner/check/"), data).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


@pytest.mark.slow
def test_a_school_of_2000_students_over_a_full_year(scenario: Scenario, login_as) -> None:
    """80 classes of 25 students, each with a task and most days a test over the whole year."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    school, year = scenario.school, scenario.year
    teacher = scenario.teacher
    groups = ClassGroup.objects.bulk_create(
        ClassGroup(school=school, school_year=year, name=f"{g // 10 + 1}{chr(66 + g % 10)}", grade=g // 10 + 1)
        for g in range(78)
    )
    groups += scenario.classes
    courses = Course.objects.bulk_create(
        Course(school=school, school_year=year, class_group=g, name=name, teacher=teacher)
        for g in groups[:78]
        for name in ("Wiskunde", "Nederlands", "Frans", "Geschiedenis")
    )
    pw = password_hash()
    students = User.objects.bulk_create(
        User(username=f"big.student{n}", first_name="S", last_name=str(n), password=pw) for n in range(2000 - 6)
    )
    Membership.objects.bulk_create(Membership(school=school, user=s, role=Role.STUDENT) for s in students)
    Enrollment.objects.bulk_create(
        Enrollment(school=school, school_year=year, class_group=groups[n % 78], student=s)
        for n, s in enumerate(students)
    )
    all_courses = courses + list(scenario.courses)
    by_class: dict[int, list[Course]] = {}
    for c in all_courses:
        by_class.setdefault(c.class_group_id, []).append(c)
    now = scenario.year.starts_on
    items = []
    day = year.starts_on
    while day <= year.ends_on:
        if day.isoweekday() <= 5:
            for g in groups:
                cs = by_class[g.pk]
                c = cs[day.toordinal() % len(cs)]
                items.append(
                    PlannerItem(
                        school=school,
                        school_year=year,
                        class_group_id=g.pk,
                        course=c,
                        teacher=teacher,
                        kind="task",
                        title="Taak",
                        due_date=day,
                        minutes=30,
                        visible_from=dt.datetime(now.year, now.month, now.day, tzinfo=dt.UTC),
                    )
                )
                if day.toordinal() % 3:
                    items.append(
                        PlannerItem(
                            school=school,
                            school_year=year,
                            class_group_id=g.pk,
                            course=c,
                            teacher=teacher,
                            kind="test",
                            title="Toets",
                            due_date=day,
                            minutes=60,
                            visible_from=dt.datetime(now.year, now.month, now.day, tzinfo=dt.UTC),
                        )
                    )
        day += dt.timedelta(days=1)
    PlannerItem.objects.bulk_create(items, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE planner_planneritem")
    assert PlannerItem.objects.filter(school=school).count() > 25_000

    admin = login_as("admin")
    for url, limit in (
        (scenario.url(f"/planner/workload/?start={WEEK}"), 12),
        (scenario.url(f"/planner/class/{groups[0].pk}/?week={WEEK}"), 12),
    ):
        admin.get(url)
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            response = admin.get(url)
        elapsed = time.perf_counter() - started
        assert response.status_code == 200
        assert len(ctx.captured_queries) <= limit
        print(f"{url}: {len(ctx.captured_queries)} queries, {elapsed * 1000:.0f} ms")  # noqa: T201
        assert elapsed < 2.0
    assert "1A" in response.content.decode() or groups[0].name in response.content.decode()
