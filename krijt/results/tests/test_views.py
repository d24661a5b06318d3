"""Pages through the real stack: the grid, release preview, student and parent pages, exports, roles."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from openpyxl import load_workbook

from krijt.accounts.models import Membership, User
from krijt.core.roles import Role
from krijt.results import services
from krijt.results.models import Evaluation, ResultView, Score
from krijt.results.tests.conftest import local, make_evaluation
from krijt.schools.models import ClassGroup, Course, Enrollment
from tests.scenario import make_user

pytestmark = pytest.mark.django_db


def cell_url(scenario, evaluation, student) -> str:  # type: ignore[no-untyped-def]
    return scenario.url(f"/results/evaluations/{evaluation.pk}/students/{student.pk}/")


def test_grid_refuses_bad_value_and_accepts_decimal_comma(scenario, login_as, evaluation) -> None:  # type: ignore[no-untyped-def]
    client = login_as("teacher")
    url = cell_url(scenario, evaluation, scenario.student)
    response = client.post(url, {"value": "12"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert "cannot be above the maximum of 10" in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    response = client.post(url, {"value": "-1"}, HTTP_HX_REQUEST="true")
    assert "below 0" in response.content.decode()
    assert not Score.objects.exists()
    response = client.post(url, {"value": "7,5"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'value="7,5"' in response.content.decode()
    assert Score.objects.get().value == Decimal("7.5")
    client.post(cell_url(scenario, evaluation, scenario.students[1]), {"value": "afw"}, HTTP_HX_REQUEST="true")
    assert Score.objects.get(student=scenario.students[1]).code == "absent"
    page = client.get(scenario.url(f"/results/courses/{scenario.courses[0].pk}/")).content.decode()
    assert 'value="7,5"' in page
    assert 'value="A"' in page
    assert "<svg" in page
    assert "If you publish now" in page


def test_evaluation_create_page(scenario, login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("teacher")
    course = scenario.courses[0]
    url = scenario.url(f"/results/courses/{course.pk}/evaluations/new/")
    assert client.get(url).status_code == 200
    data = {
        "name": "Breuken",
        "date": "2026-11-10",
        "period": scenario.periods[0].pk,
        "maximum": "20",
        "weight": "1,5",
        "category": "test",
        "planner_item": "",
        "sensitive_threshold": "",
    }
    assert client.post(url, data).status_code == 302
    evaluation = Evaluation.objects.get()
    assert (evaluation.maximum, evaluation.weight) == (Decimal("20"), Decimal("1.5"))
    response = client.post(url, {**data, "maximum": "0"})
    assert response.status_code == 200
    assert Evaluation.objects.count() == 1


def test_teacher_sees_release_moments_and_publish_refuses_sensitive_without_comment(
    scenario, login_as, evaluation
) -> None:  # type: ignore[no-untyped-def]
    client = login_as("teacher")
    with time_machine.travel(local(2026, 11, 13, 20), tick=False):
        client.post(cell_url(scenario, evaluation, scenario.student), {"value": "2"}, HTTP_HX_REQUEST="true")
        client.post(cell_url(scenario, evaluation, scenario.students[1]), {"value": "9"}, HTTP_HX_REQUEST="true")
        page = client.get(scenario.url(f"/results/evaluations/{evaluation.pk}/")).content.decode()
        assert "Sensitive results need a comment" in page
        assert "Mon 16/11 10:00" in page
        response = client.post(scenario.url(f"/results/evaluations/{evaluation.pk}/publish/"), follow=True)
        assert "need a comment" in response.content.decode()
        assert not Score.objects.filter(published_at__isnull=False).exists()
        client.post(
            cell_url(scenario, evaluation, scenario.student),
            {"detail": "1", "value": "2", "comment": "Let us talk about this.", "marked_sensitive": ""},
        )
        client.post(scenario.url(f"/results/evaluations/{evaluation.pk}/publish/"))
        page = client.get(scenario.url(f"/results/evaluations/{evaluation.pk}/")).content.decode()
        assert "Mon 16/11 10:00" in page
        assert "Tue 17/11 10:00" in page
    assert Score.objects.filter(published_at__isnull=False).count() == 2


def _published(scenario, evaluation, value: str = "8") -> Score:  # type: ignore[no-untyped-def]
    services.score_set(
        school=scenario.school,
        actor=scenario.teacher,
        evaluation=evaluation,
        student_id=scenario.student.pk,
        entry=value,
        comment="Well done",
    )
    services.evaluation_publish(school=scenario.school, actor=scenario.teacher, evaluation=evaluation)
    return Score.objects.get(evaluation=evaluation, student=scenario.student)


def test_student_sees_published_result_parent_not_yet_and_view_log(scenario, login_as, evaluation) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(local(2026, 11, 17, 11), tick=False):
        _published(scenario, evaluation)
        student_page = login_as("student").get(scenario.url("/results/mine/")).content.decode()
        assert "8 / 10" in student_page
        parent_page = login_as("parent").get(scenario.url(f"/results/students/{scenario.student.pk}/")).content.decode()
        assert "8 / 10" not in parent_page
        assert "No results to show yet" in parent_page
        student_page = login_as("student").get(scenario.url("/results/mine/")).content.decode()
        assert scenario.parent.full_name in student_page
    assert ResultView.objects.filter(student=scenario.student, viewer=scenario.parent).count() == 1
    with time_machine.travel(local(2026, 11, 18, 11, 5), tick=False):
        parent_page = login_as("parent").get(scenario.url(f"/results/students/{scenario.student.pk}/")).content.decode()
        assert "8 / 10" in parent_page


def test_sensitive_result_shows_invitation_to_talk(scenario, login_as, evaluation) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(local(2026, 11, 17, 10, 5), tick=False):  # class 1A: last lesson 10:20
        _published(scenario, evaluation, "3")
        page = login_as("student").get(scenario.url("/results/mine/")).content.decode()
    assert "Would you like to talk about this result?" in page
    assert scenario.teacher.full_name in page


def test_adult_student_hides_results_from_parents(scenario, login_as, evaluation) -> None:  # type: ignore[no-untyped-def]
    User.objects.filter(pk=scenario.student.pk).update(birth_date=dt.date(2007, 5, 1))
    with time_machine.travel(local(2026, 11, 17, 11), tick=False):
        _published(scenario, evaluation)
        client = login_as("student", user=User.objects.get(pk=scenario.student.pk))
        assert client.get(scenario.url("/results/mine/parents/")).status_code == 200
        client.post(scenario.url("/results/mine/parents/"), {})
    with time_machine.travel(local(2026, 11, 20, 11), tick=False):
        page = login_as("parent").get(scenario.url(f"/results/students/{scenario.student.pk}/")).content.decode()
    assert "chosen not to share results with parents" in page
    assert "8 / 10" not in page


def test_minor_cannot_hide_results(scenario, login_as) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(local(2026, 11, 17, 11), tick=False):
        response = login_as("student").post(scenario.url("/results/mine/parents/"), {})
    assert response.status_code == 403


def test_history_shown_to_teacher_and_student(scenario, login_as, evaluation) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(local(2026, 11, 17, 11), tick=False):
        score = _published(scenario, evaluation, "6")
        login_as("teacher").post(
            cell_url(scenario, evaluation, scenario.student), {"value": "6,5"}, HTTP_HX_REQUEST="true"
        )
        teacher_page = login_as("teacher").get(scenario.url(f"/results/scores/{score.pk}/")).content.decode()
        student_page = login_as("student").get(scenario.url(f"/results/scores/{score.pk}/")).content.decode()
    for page in (teacher_page, student_page):
        assert scenario.teacher.full_name in page
        assert "6.5" in page


def test_exports_parse_back(scenario, login_as, evaluation) -> None:  # type: ignore[no-untyped-def]
    services.score_set(
        school=scenario.school,
        actor=scenario.teacher,
        evaluation=evaluation,
        student_id=scenario.student.pk,
        entry="7,5",
    )
    services.score_set(
        school=scenario.school,
        actor=scenario.teacher,
        evaluation=evaluation,
        student_id=scenario.students[1].pk,
        entry="V",
    )
    client = login_as("teacher")
    course = scenario.courses[0]
    response = client.get(scenario.url(f"/results/courses/{course.pk}/export.csv"))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][2].startswith("Toets 1")
    by_user = {r[1]: r for r in rows[1:]}
    assert by_user[scenario.student.username][2] == "7.50"
    assert by_user[scenario.students[1].username][2] == "Exempt"
    response = client.get(scenario.url(f"/results/courses/{course.pk}/export.xlsx"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert values[0][2].startswith("Toets 1")
    assert {r[1]: r[2] for r in values[1:]}[scenario.student.username] == 7.5


def test_roles(scenario, login_as, evaluation) -> None:  # type: ignore[no-untyped-def]
    course_url = scenario.url(f"/results/courses/{scenario.courses[0].pk}/")
    assert login_as("student").get(course_url).status_code == 403
    assert login_as("parent").get(course_url).status_code == 403
    assert login_as("student").post(cell_url(scenario, evaluation, scenario.student), {"value": "9"}).status_code == 403
    # The Dutch teacher of another class's course may not open the math gradebook of class 2A.
    other = make_user("alpha.teacher9", "Ot", "Her")
    Membership.objects.create(school=scenario.school, user=other, role=Role.TEACHER)
    assert login_as("teacher", user=other).get(course_url).status_code == 404
    assert (
        login_as("teacher", user=other)
        .post(cell_url(scenario, evaluation, scenario.student), {"value": "9"})
        .status_code
        == 404
    )
    assert login_as("staff").get(course_url).status_code == 200
    assert login_as("admin").get(scenario.url("/results/policy/")).status_code == 200
    assert login_as("teacher").get(scenario.url("/results/policy/")).status_code == 403
    # A parent may not open another child's results.
    other_child = scenario.students[1]
    assert login_as("parent").get(scenario.url(f"/results/students/{other_child.pk}/")).status_code == 404
    assert not Score.objects.exists()


def test_policy_page_validates(scenario, login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("admin")
    data = {
        "window_start": "07:00",
        "window_end": "16:00",
        "sensitive_start": "10:00",
        "sensitive_end": "15:00",
        "avoid_last_lesson": "on",
        "parent_delay_hours": "24",
        "sensitive_threshold": "50",
    }
    response = client.post(scenario.url("/results/policy/"), data)
    assert response.status_code == 200
    assert "between 08:00 and 18:00" in response.content.decode()
    response = client.post(scenario.url("/results/policy/"), {**data, "window_start": "09:00"})
    assert response.status_code == 302


def test_other_school_objects_404(scenario, other_school, login_as) -> None:  # type: ignore[no-untyped-def]
    b_eval = make_evaluation(other_school)
    client = login_as("admin")
    for path in (
        f"/results/evaluations/{b_eval.pk}/",
        f"/results/courses/{other_school.courses[0].pk}/",
        f"/results/students/{other_school.student.pk}/",
    ):
        assert client.get(scenario.url(path)).status_code == 404
    assert client.post(cell_url(scenario, b_eval, other_school.student), {"value": "1"}).status_code == 404


def _big_class(scenario, students: int, evaluations: int):  # type: ignore[no-untyped-def]
    group = ClassGroup.objects.create(school=scenario.school, school_year=scenario.year, name=f"Q{students}", grade=3)
    course = Course.objects.create(
        school=scenario.school, school_year=scenario.year, class_group=group, name="Fysica", teacher=scenario.teacher
    )
    users = [make_user(f"alpha.q{students}s{i}", f"Q{i}", "Student") for i in range(students)]
    Enrollment.objects.bulk_create(
        [Enrollment(school=scenario.school, school_year=scenario.year, class_group=group, student=u) for u in users]
    )
    evals = Evaluation.objects.bulk_create(
        [
            Evaluation(
                school=scenario.school,
                school_year=scenario.year,
                course=course,
                period=scenario.periods[0],
                name=f"E{i}",
                date=dt.date(2026, 10, 1),
                maximum=Decimal("10"),
            )
            for i in range(evaluations)
        ]
    )
    Score.objects.bulk_create(
        [
            Score(school=scenario.school, evaluation=e, student=u, value=Decimal(i % 10))
            for i, (e, u) in enumerate((e, u) for e in evals for u in users)
        ]
    )
    return course


def test_grid_query_count_is_fixed(scenario, login_as, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    small = _big_class(scenario, 3, 5)
    big = _big_class(scenario, 30, 40)
    client = login_as("teacher")
    client.get(scenario.url(f"/results/courses/{small.pk}/"))  # warm caches (school, policy)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(scenario.url(f"/results/courses/{small.pk}/")).status_code == 200
    n = len(ctx.captured_queries)
    with django_assert_num_queries(n):
        response = client.get(scenario.url(f"/results/courses/{big.pk}/"))
    assert response.content.decode().count('class="rs-input') == 1200
    assert n <= 14


def test_the_view_log_names_the_role_in_the_readers_language(scenario, login_as, evaluation) -> None:  # type: ignore[no-untyped-def]
    from django.conf import settings

    with time_machine.travel(local(2026, 11, 17, 11), tick=False):
        _published(scenario, evaluation)
        login_as("parent").get(scenario.url(f"/results/students/{scenario.student.pk}/"))
        student = login_as("student")
        student.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
        page = student.get(scenario.url("/results/mine/")).content.decode()
    assert "(ouder)" in page
    assert "(parent)" not in page
    assert '<time datetime="2026-11-17T11:00:00' in page


def test_the_gradebook_list_is_searched_and_paged(scenario, login_as) -> None:  # type: ignore[no-untyped-def]
    from krijt.schools.models import ClassGroup, Course

    groups = ClassGroup.objects.bulk_create(
        ClassGroup(school=scenario.school, school_year=scenario.year, name=f"K{i}", grade=3) for i in range(14))
    Course.objects.bulk_create(
        Course(school=scenario.school, school_year=scenario.year, class_group=g, name=name,
               teacher=scenario.teachers[0], hours_per_week=2)
        for g in groups for name in ("Latijn", "Chemie", "Fysica", "Biologie"))
    admin = login_as("admin")
    first = admin.get(scenario.url("/results/"))
    assert len(first.context["courses"]) == 50
    assert 'id="gb-q"' in first.content.decode()
    assert admin.get(scenario.url("/results/"), {"page": 2}).context["page"].number == 2
    latin = admin.get(scenario.url("/results/"), {"q": "latijn k3"})
    assert [(c.name, c.class_group.name) for c in latin.context["courses"]] == [("Latijn", "K3")]
    teacher = login_as("teacher", user=scenario.teachers[1])
    assert 'id="gb-q"' not in teacher.get(scenario.url("/results/")).content.decode()  # a few courses: no search
