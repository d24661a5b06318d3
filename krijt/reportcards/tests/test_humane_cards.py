"""Report cards where they meet the results' rules: only published results, a card with a fail released like
a sensitive result, never before the results it carries, and a held conversation at a humane moment."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from krijt.core.roles import Role
from krijt.notifications.kinds import render
from krijt.notifications.models import Notification
from krijt.reportcards import services
from krijt.reportcards.models import CardLine, ReportCard
from krijt.reportcards.tests.conftest import evaluation, gradebook, score
from krijt.reportcards.tests.test_reportcards import card_url, release
from tests.scenario import Scenario

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Europe/Brussels")
MENTOR_ROLES = frozenset({Role.TEACHER})


def local(y: int, m: int, d: int, h: int, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, h, mi, tzinfo=TZ)


def ready(s: Scenario, student: Any, decision: str = "A") -> None:
    services.card_mentor_update(
        school=s.school,
        actor=s.teachers[0],
        roles=MENTOR_ROLES,
        period=s.periods[-1],
        class_group=s.classes[0],
        student_id=student.pk,
        mentor_comment="A year of hard work.",
        decision=decision,
    )


def test_a_card_never_carries_an_unpublished_score(scenario: Scenario, client: Client, time_machine: Any) -> None:
    s = scenario
    book = gradebook(s)
    student = s.students[0]
    surprise = evaluation(s, book["math"], book["period"], "Surprise test", "20")
    score(s, surprise, student, "5", published=False)
    ready(s, student)
    client.force_login(s.teachers[0])
    page = client.get(card_url(s, student)).content.decode()
    assert "Not on this report card" in page
    assert "Wiskunde: Surprise test" in page
    overview = client.get(s.url(f"/report-cards/periods/{s.periods[-1].pk}/classes/{s.classes[0].pk}/"))
    assert "1 result not published, left off" in overview.content.decode()
    # Wiskunde stays at 70% (15/20 x2, 6/10 x1): the 5/20 counts for nothing, and is not shown.
    assert release(s) == 1
    card = ReportCard.objects.get(student=student)
    math = CardLine.objects.get(card=card, course_name="Wiskunde")
    assert str(math.percentage) == "70.00"
    assert [i["score"] for i in math.scores if i["name"] == "Surprise test"] == [""]
    time_machine.move_to(card.student_visible_at, tick=False)
    client.force_login(student)
    seen = client.get(card_url(s, student)).content.decode()
    assert "Surprise test: not entered" in " ".join(seen.split())
    assert "Surprise test: 5" not in " ".join(seen.split())


def test_a_card_with_a_fail_is_released_like_a_sensitive_result(
    scenario: Scenario, client: Client, time_machine: Any
) -> None:
    s = scenario
    book = gradebook(s)
    failing, passing = s.students[0], s.students[1]
    weak = evaluation(s, book["dutch"], book["period"], "Grammar", "20")
    score(s, weak, failing, "4")  # Nederlands: (8.5/10 + 4/20) / 2 = 52.5%, still a pass
    score(s, weak, passing, "18")
    exam = evaluation(s, book["math"], book["period"], "Final", "20", "4")
    score(s, exam, failing, "2")  # Wiskunde: (15/20 x2 + 6/10 + 2/20 x4) / 7 = 35.7%, a fail
    score(s, exam, passing, "17")
    ready(s, failing)
    ready(s, passing)
    # Monday 21 June 2027, 10:30: class 1A's last lesson started at 10:20; nobody left to talk to today.
    time_machine.move_to(local(2027, 6, 21, 10, 30), tick=False)
    assert release(s) == 2
    sad = ReportCard.objects.get(student=failing)
    glad = ReportCard.objects.get(student=passing)
    assert sad.sensitive
    assert not glad.sensitive
    assert sad.talk_to == s.classes[0].mentor
    assert glad.student_visible_at == local(2027, 6, 21, 10, 30)
    assert sad.student_visible_at == local(2027, 6, 22, 10, 0)  # Tuesday, before the last lesson
    assert sad.parent_visible_at is not None
    assert sad.parent_visible_at >= sad.student_visible_at + dt.timedelta(hours=24)
    note = Notification.objects.get(kind="reportcard", recipient=failing)
    assert note.visible_at == sad.student_visible_at
    assert "your class mentor, is there to talk it through with you" in render(note.kind, note.params, "en").text
    time_machine.move_to(sad.student_visible_at, tick=False)
    client.force_login(failing)
    page = " ".join(client.get(card_url(s, failing)).content.decode().split())
    assert "your class mentor, is there to talk it through with you" in page


def test_a_card_waits_for_the_results_it_carries(scenario: Scenario, time_machine: Any) -> None:
    s = scenario
    book = gradebook(s)
    student = s.students[0]
    late = evaluation(s, book["math"], book["period"], "Late quiz", "10")
    row = score(s, late, student, "7")
    # Published this morning, reaching the student on Wednesday (e.g. a corrected score released again).
    row.student_visible_at = local(2027, 6, 23, 11)
    row.parent_visible_at = local(2027, 6, 24, 11)
    row.save()
    ready(s, student)
    release(s)
    card = ReportCard.objects.get(student=student)
    assert card.student_visible_at is not None
    assert card.parent_visible_at is not None
    assert card.student_visible_at >= local(2027, 6, 23, 11)
    assert card.parent_visible_at >= local(2027, 6, 24, 11)


def test_a_conversation_held_on_friday_evening_releases_the_card_in_school_hours(
    scenario: Scenario, client: Client, time_machine: Any
) -> None:
    s = scenario
    gradebook(s)
    student = s.students[0]
    ready(s, student, decision="C")
    release(s)
    card = ReportCard.objects.get(student=student)
    assert card.sensitive
    # The mentor phoned the student and marks it held on Friday 25 June 2027 at 20:30.
    time_machine.move_to(local(2027, 6, 25, 20, 30), tick=False)
    client.force_login(s.teachers[0])
    response = client.post(s.url(f"/report-cards/cards/{card.pk}/conversation/held/"), follow=True)
    assert "from Monday 28 June 08:25" in response.content.decode()
    card.refresh_from_db()
    assert card.conversation_held_at == local(2027, 6, 25, 20, 30)
    assert card.student_visible_at == local(2027, 6, 28, 8, 25)  # class 1A's first lesson on Monday
    assert card.parent_visible_at is not None
    assert card.parent_visible_at > card.student_visible_at
    assert Notification.objects.get(kind="reportcard", recipient=student).visible_at == local(2027, 6, 28, 8, 25)
    client.force_login(student)
    assert client.get(card_url(s, student)).status_code == 404
    time_machine.move_to(local(2027, 6, 28, 8, 25), tick=False)
    assert client.get(card_url(s, student)).status_code == 200
