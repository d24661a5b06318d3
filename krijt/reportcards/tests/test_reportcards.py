"""Report cards: weighted averages, the PDF, release to student before parents, and B/C conversations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from krijt.accounts.models import Membership
from krijt.core.errors import Conflict, Forbidden, ValidationFailed
from krijt.core.roles import Role
from krijt.notifications.models import Notification
from krijt.reportcards import selectors, services
from krijt.reportcards.models import ReportCard
from krijt.reportcards.selectors import weighted_percentage
from krijt.reportcards.tests.conftest import gradebook
from krijt.schools.models import Enrollment
from tests.scenario import Scenario, assert_fixed_queries, make_user

pytestmark = pytest.mark.django_db

D = Decimal
MENTOR_ROLES = frozenset({Role.TEACHER})


def pdf_text(data: bytes) -> str:
    """The text shown on the pages, as a PDF reader extracts it (pypdf)."""
    import io

    from pypdf import PdfReader

    assert data.startswith(b"%PDF")
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def mentor_update(s: Scenario, student: Any, **fields: Any) -> ReportCard:
    data = {"mentor_comment": "Good effort all year.", **fields}
    return services.card_mentor_update(
        school=s.school,
        actor=s.teachers[0],
        roles=MENTOR_ROLES,
        period=s.periods[-1],
        class_group=s.classes[0],
        student_id=student.pk,
        **data,
    )


def release(s: Scenario) -> int:
    return services.cards_release(
        school=s.school, actor=s.teachers[0], roles=MENTOR_ROLES, period=s.periods[-1], class_group=s.classes[0]
    )


def card_url(s: Scenario, student: Any, suffix: str = "") -> str:
    return s.url(f"/report-cards/periods/{s.periods[-1].pk}/students/{student.pk}/{suffix}")


def test_weighted_percentage_leaves_out_absent_exempt_and_missing() -> None:
    assert weighted_percentage([(D("15"), "", D("20"), D("2")), (D("6"), "", D("10"), D("1"))]) == D("70.0")
    assert weighted_percentage([(D("15"), "", D("20"), D("2")), (None, "absent", D("50"), D("3"))]) == D("75.0")
    assert weighted_percentage([(None, "", D("20"), D("2")), (D("1"), "exempt", D("10"), D("1"))]) is None
    assert weighted_percentage([(D("5"), "", D("10"), D("0")), (D("9"), "", D("10"), D("1"))]) == D("90.0")


def test_the_card_shows_weighted_percentages_per_course_and_their_average(scenario: Scenario) -> None:
    s = scenario
    book = gradebook(s)
    lines = selectors.gradebook_lines(
        school=s.school, period=book["period"], class_group=s.classes[0], student_ids=[s.students[0].pk]
    )[s.students[0].pk]
    by_name = {line.course_name: line for line in lines}
    # (15/20*2 + 6/10*1) / 3 = 70%; the absent exam counts for nothing.
    assert by_name["Wiskunde"].percentage == D("70.0")
    assert by_name["Nederlands"].percentage == D("85.0")
    assert selectors.average_of(lines) == D("77.5")
    assert [i.score for i in by_name["Wiskunde"].scores] == ["15", "6", "absent"]


def test_the_pdf_holds_the_courses_scores_averages_and_decision(
    scenario: Scenario, login_as: Callable[..., Client], time_machine: Any
) -> None:
    s = scenario
    gradebook(s)
    student = s.students[0]
    mentor_update(s, student, decision="B", excluded="Latin, Greek", decision_note="Strong in sciences.")
    services.course_comments_save(
        school=s.school,
        actor=s.teachers[0],
        roles=MENTOR_ROLES,
        period=s.periods[-1],
        course=s.courses[0],
        comments={student.pk: "Keep practising geometry."},
    )
    assert release(s) == 1
    services.conversation_mark_held(
        school=s.school, actor=s.teachers[0], roles=MENTOR_ROLES, card_id=ReportCard.objects.get(student=student).pk
    )
    response = login_as("student", user=student).get(card_url(s, student, "pdf/"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for expected in (
        "Wiskunde",
        "Nederlands",
        "70.0%",
        "85.0%",
        "77.5%",
        "Algebra test",
        "15/20",
        "6/10",
        "8.5/10",
        "absent/50",
        "exempt/10",
        "Keep practising geometry.",
        "Good effort all year.",
        "Certificate B: passed with restrictions",
        "Excluded: Latin, Greek",
        "Strong in sciences.",
        student.full_name,
    ):
        assert expected in text, expected
    # Released cards are frozen: a later change in the gradebook does not change the PDF.
    from krijt.results.models import Score

    Score.objects.filter(student=student, value=D("15")).update(value=D("20"))
    assert "70.0%" in pdf_text(login_as("student", user=student).get(card_url(s, student, "pdf/")).content)


def test_an_a_card_reaches_the_student_in_the_window_and_the_parents_after(
    scenario: Scenario, client: Client, time_machine: Any
) -> None:
    s = scenario
    gradebook(s)
    student, parent = s.students[0], s.parents[0]
    mentor_update(s, student, decision="A")
    assert release(s) == 1
    card = ReportCard.objects.get(student=student)
    tz = dt.timezone(dt.timedelta(hours=2))
    # Released Monday 09:00: the window opens at 10:00; parents a day later.
    assert card.student_visible_at == dt.datetime(2027, 6, 21, 10, 0, tzinfo=tz)
    assert card.parent_visible_at == dt.datetime(2027, 6, 22, 10, 0, tzinfo=tz)
    client.force_login(student)
    assert client.get(card_url(s, student)).status_code == 404
    time_machine.move_to(card.student_visible_at, tick=False)
    assert client.get(card_url(s, student)).status_code == 200
    client.force_login(parent)
    assert client.get(card_url(s, student)).status_code == 404
    assert client.get(card_url(s, student, "pdf/")).status_code == 404
    time_machine.move_to(card.parent_visible_at, tick=False)
    page = client.get(card_url(s, student))
    assert page.status_code == 200
    assert b"Certificate A" in page.content
    notes = {n.audience: n for n in Notification.objects.filter(kind="reportcard")}
    assert notes["student"].visible_at == card.student_visible_at
    assert notes["parent"].visible_at == card.parent_visible_at


def test_a_c_certificate_waits_for_the_conversation(scenario: Scenario, client: Client, time_machine: Any) -> None:
    s = scenario
    gradebook(s)
    student, parent = s.students[0], s.parents[0]
    mentor_update(s, student, decision="C")
    release(s)
    card = ReportCard.objects.get(student=student)
    assert card.student_visible_at is None
    assert card.parent_visible_at is None
    assert selectors.state_of(card, year_end=True) == selectors.State.WAITING
    assert not Notification.objects.filter(kind="reportcard").exists()
    # A week later, Monday 10:00 in Brussels: inside class 1A's school hours (08:25-11:10).
    time_machine.move_to(dt.datetime(2027, 6, 28, 8, 0, tzinfo=dt.UTC), tick=False)
    client.force_login(student)
    assert client.get(card_url(s, student)).status_code == 404
    client.force_login(parent)
    assert client.get(card_url(s, student)).status_code == 404
    # The mentor marks the conversation as held: the student reads it at once, the parents later.
    mentor = client
    mentor.force_login(s.teachers[0])
    response = mentor.post(s.url(f"/report-cards/cards/{card.pk}/conversation/held/"))
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.conversation_held_by == s.teachers[0]
    assert card.conversation_held_at == card.student_visible_at
    assert card.parent_visible_at is not None
    assert card.student_visible_at is not None
    assert card.parent_visible_at > card.student_visible_at
    client.force_login(student)
    page = client.get(card_url(s, student))
    assert page.status_code == 200
    assert b"Certificate C" in page.content
    client.force_login(parent)
    assert client.get(card_url(s, student)).status_code == 404
    time_machine.move_to(card.parent_visible_at, tick=False)
    assert client.get(card_url(s, student)).status_code == 200
    note = Notification.objects.get(kind="reportcard", audience="student")
    from krijt.notifications.kinds import render

    rendered = render("reportcard", note.params, "en")
    assert s.teachers[0].full_name in rendered.text
    assert "C" not in rendered.text.replace(s.teachers[0].full_name, "")
    with pytest.raises(Conflict):
        services.conversation_mark_held(school=s.school, actor=s.teachers[0], roles=MENTOR_ROLES, card_id=card.pk)


def test_a_scheduled_conversation_moment_lies_in_school_hours_on_a_school_day(
    scenario: Scenario, client: Client, time_machine: Any
) -> None:
    s = scenario
    gradebook(s)
    student, parent = s.students[0], s.parents[0]
    mentor_update(s, student, decision="C")
    release(s)
    card = ReportCard.objects.get(student=student)
    tz = dt.timezone(dt.timedelta(hours=2))

    def schedule(at: dt.datetime, actor: Any = None, roles: frozenset[str] = MENTOR_ROLES) -> ReportCard:
        return services.conversation_schedule(
            school=s.school, actor=actor or s.teachers[0], roles=roles, card_id=card.pk, at=at
        )

    for bad in (
        dt.datetime(2027, 6, 26, 11, 0, tzinfo=tz),  # Saturday
        dt.datetime(2027, 6, 22, 18, 0, tzinfo=tz),  # after school
        dt.datetime(2027, 6, 22, 6, 30, tzinfo=tz),  # before school
        dt.datetime(2027, 6, 21, 8, 0, tzinfo=tz),  # in the past
        dt.datetime(2027, 7, 5, 11, 0, tzinfo=tz),  # after the school year
    ):
        with pytest.raises(ValidationFailed) as error:
            schedule(bad)
        assert "at" in error.value.fields
    with pytest.raises(Forbidden):
        schedule(dt.datetime(2027, 6, 22, 11, 0, tzinfo=tz), actor=s.admin, roles=frozenset({Role.ADMIN}))
    # Through the page: a Saturday is refused with a message next to the field.
    client.force_login(s.teachers[0])
    response = client.post(s.url(f"/report-cards/cards/{card.pk}/conversation/schedule/"), {"at": "2027-06-26T11:00"})
    assert response.status_code == 400
    assert b"Choose a school day." in response.content
    response = client.post(s.url(f"/report-cards/cards/{card.pk}/conversation/schedule/"), {"at": "2027-06-22T11:00"})
    assert response.status_code == 302
    card.refresh_from_db()
    at = dt.datetime(2027, 6, 22, 11, 0, tzinfo=tz)
    assert card.conversation_at == at == card.student_visible_at
    assert card.conversation_set_by == s.teachers[0]
    assert card.parent_visible_at is not None
    assert card.parent_visible_at > at
    client.force_login(student)
    time_machine.move_to(at - dt.timedelta(minutes=1), tick=False)
    assert client.get(card_url(s, student)).status_code == 404
    time_machine.move_to(at, tick=False)
    assert client.get(card_url(s, student)).status_code == 200
    client.force_login(parent)
    assert client.get(card_url(s, student)).status_code == 404
    time_machine.move_to(card.parent_visible_at, tick=False)
    assert client.get(card_url(s, student)).status_code == 200
    assert Notification.objects.get(kind="reportcard", audience="student").visible_at == at


def test_mentor_entry_checks_the_decision(scenario: Scenario, login_as: Callable[..., Client]) -> None:
    s = scenario
    student = s.students[0]
    with pytest.raises(ValidationFailed) as error:
        mentor_update(s, student, decision="B")
    assert "excluded" in error.value.fields
    with pytest.raises(ValidationFailed):
        services.card_mentor_update(
            school=s.school,
            actor=s.teachers[0],
            roles=MENTOR_ROLES,
            period=s.periods[0],
            class_group=s.classes[0],
            student_id=student.pk,
            mentor_comment="x",
            decision="A",
        )
    client = login_as("teacher")
    response = client.post(card_url(s, student, "mentor/"), {"mentor_comment": "Fine.", "decision": "B"})
    assert response.status_code == 400
    assert b"excluded" in response.content
    response = client.post(card_url(s, student, "mentor/"), {"mentor_comment": "Fine.", "decision": "A"})
    assert response.status_code == 302
    assert ReportCard.objects.get(student=student).decision == "A"
    release(s)
    with pytest.raises(Conflict):
        mentor_update(s, student, decision="C")


def test_course_comments_are_written_by_the_course_teacher(scenario: Scenario, login_as: Callable[..., Client]) -> None:
    s = scenario
    gradebook(s)
    period, math, dutch = s.periods[-1], s.courses[0], s.courses[1]
    url = s.url(f"/report-cards/periods/{period.pk}/classes/{s.classes[0].pk}/courses/{math.pk}/")
    client = login_as("teacher")  # teaches Wiskunde
    page = client.get(url)
    assert page.status_code == 200
    assert b"70.0%" in page.content
    data = {f"comment_{st.pk}": "" for st in s.students_by_class[s.classes[0].pk]}
    data[f"comment_{s.students[0].pk}"] = "Well done."
    assert client.post(url, data).status_code == 302
    assert ReportCard.objects.get(student=s.students[0]).comments.get().text == "Well done."
    # Nederlands is taught by the other teacher: not for this one.
    other = s.url(f"/report-cards/periods/{period.pk}/classes/{s.classes[0].pk}/courses/{dutch.pk}/")
    assert client.get(other).status_code == 404
    assert login_as("student").get(url).status_code == 403
    assert login_as("staff").get(url).status_code == 403


def test_roles_and_other_schools(scenario: Scenario, other_school: Scenario, login_as: Callable[..., Client]) -> None:
    s, b = scenario, other_school
    period, group = s.periods[-1], s.classes[0]
    overview = s.url(f"/report-cards/periods/{period.pk}/classes/{group.pk}/")
    assert login_as("teacher").get(overview).status_code == 200  # the mentor of 1A
    assert login_as("admin").get(overview).status_code == 200
    assert login_as("student").get(overview).status_code == 403
    assert login_as("parent").get(overview).status_code == 403
    # The other teacher teaches 1A but is not its mentor.
    assert login_as("teacher", user=s.teachers[1]).get(overview).status_code == 404
    assert login_as("teacher", user=s.teachers[1]).get(card_url(s, s.students[0])).status_code == 200
    assert login_as("teacher", user=s.teachers[1]).post(overview + "release/").status_code == 404
    # Another school's period, class or student is not found.
    client = login_as("admin")
    assert client.get(s.url(f"/report-cards/periods/{b.periods[-1].pk}/classes/{group.pk}/")).status_code == 404
    assert client.get(s.url(f"/report-cards/periods/{period.pk}/classes/{b.classes[0].pk}/")).status_code == 404
    assert client.get(card_url(s, b.students[0])).status_code == 404
    assert (
        client.get(s.url(f"/report-cards/periods/{b.periods[-1].pk}/students/{s.students[0].pk}/")).status_code == 404
    )
    # A student never sees another student's card, nor a parent another's child's.
    assert login_as("student").get(card_url(s, s.students[1])).status_code == 404
    assert login_as("parent").get(card_url(s, s.students[1])).status_code == 404
    assert login_as("student").get(s.url("/report-cards/")).status_code == 200
    assert login_as("staff").get(s.url("/report-cards/")).status_code == 403


def add_students(s: Scenario, n: int) -> None:
    for i in range(n):
        student = make_user(f"alpha.extra{i}", f"Extra{i}", "Student")
        Membership.objects.create(school=s.school, user=student, role=Role.STUDENT)
        Enrollment.objects.create(school=s.school, school_year=s.year, class_group=s.classes[0], student=student)


def test_the_class_overview_has_a_fixed_query_count(scenario: Scenario, login_as: Callable[..., Client]) -> None:
    s = scenario
    gradebook(s)
    url = s.url(f"/report-cards/periods/{s.periods[-1].pk}/classes/{s.classes[0].pk}/")
    client = login_as("teacher")

    def count() -> int:
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries)

    few = count()
    add_students(s, 12)
    for student in s.students_by_class[s.classes[0].pk]:
        mentor_update(s, student, decision="A")
    release(s)
    assert count() == few
    assert few <= 14


def test_an_adult_student_who_keeps_results_private_keeps_the_card_private(
    scenario: Scenario, client: Client, time_machine: Any
) -> None:
    from krijt.accounts.models import User
    from krijt.results.models import ResultsSharing

    s = scenario
    student, parent = s.students[0], s.parents[0]
    User.objects.filter(pk=student.pk).update(birth_date=dt.date(2008, 1, 1))
    ResultsSharing.objects.create(school=s.school, student=student, parents_may_see=False)
    gradebook(s)
    mentor_update(s, student, decision="A")
    release(s)
    card = ReportCard.objects.get(student=student)
    assert card.parent_visible_at is not None
    time_machine.move_to(card.parent_visible_at, tick=False)
    client.force_login(parent)
    assert client.get(card_url(s, student)).status_code == 404
    assert not Notification.objects.filter(kind="reportcard", audience="parent").exists()


def test_the_pages_of_mentor_and_teacher(scenario: Scenario, login_as: Callable[..., Client]) -> None:
    s = scenario
    gradebook(s)
    client = login_as("teacher")
    home = client.get(s.url("/report-cards/"))
    assert home.status_code == 200
    assert b"1A" in home.content
    page = client.get(card_url(s, s.students[0]))
    assert page.status_code == 200
    assert b"Mentor&#x27;s comment" in page.content
    assert b"70.0%" in page.content


def test_releasing_a_class_has_a_fixed_query_budget(scenario: Scenario, other_school: Scenario) -> None:
    """The same queries for a class of 3 and of 30: cards, lines and notifications are written in bulk."""
    from krijt.accounts.models import ParentLink

    def ready(s: Scenario, extra: int) -> None:
        gradebook(s)
        for i in range(extra):
            student = make_user(f"{s.school.slug}.more{i}", f"More{i}", "Student")
            Membership.objects.create(school=s.school, user=student, role=Role.STUDENT)
            Enrollment.objects.create(school=s.school, school_year=s.year, class_group=s.classes[0], student=student)
            parent = make_user(f"{s.school.slug}.moreparent{i}", f"Pa{i}", "Parent", email=f"p{i}@x.example")
            ParentLink.objects.create(school=s.school, parent=parent, student=student)
        for student in Enrollment.objects.filter(school=s.school, class_group=s.classes[0]).select_related("student"):
            services.card_mentor_update(school=s.school, actor=s.teachers[0], roles=MENTOR_ROLES,
                                        period=s.periods[-1], class_group=s.classes[0],
                                        student_id=student.student_id, mentor_comment="Goed gewerkt.", decision="A")

    ready(scenario, 0)
    ready(other_school, 27)
    assert_fixed_queries(lambda: release(scenario), lambda: release(other_school))
    assert Notification.objects.filter(school=other_school.school, kind="reportcard", audience="parent").count() == 30


def test_the_pdf_prints_every_name_as_written_with_a_grid_and_signatures(
    scenario: Scenario, login_as: Callable[..., Client]
) -> None:
    from krijt.accounts.models import User

    s = scenario
    gradebook(s)
    student = s.students[0]
    User.objects.filter(pk=student.pk).update(first_name="Łucja Şule", last_name="Žižek-Ğündoğdu")
    student.refresh_from_db()
    mentor_update(s, student, decision="A")
    assert release(s) == 1
    data = login_as("admin").get(card_url(s, student, "pdf/")).content
    text = " ".join(pdf_text(data).split())
    (Path(__file__).resolve().parents[3] / "bench" / "out").mkdir(parents=True, exist_ok=True)
    (Path(__file__).resolve().parents[3] / "bench" / "out" / "report-card.pdf").write_bytes(data)  # for review
    assert "Łucja Şule Žižek-Ğündoğdu" in text
    for heading in ("Daily work", "Exams", "Total", "Class average", "Class mentor", "Director",
                    "Parent or guardian"):
        assert heading in text, heading
    assert b"/FontFile2" in data  # the font travels with the card
    assert b"+DejaVuSans" in data
