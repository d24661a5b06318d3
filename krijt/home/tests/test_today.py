"""Today per role, built from cached parts: what each role sees, that a change shows on the next page (no
stale part), that a warm page reads no part from the database, and that parts never cross people or
schools."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from krijt.core.roles import Role
from krijt.handin import services as handin_services
from krijt.messaging import services as messaging_services
from krijt.planner import services as planner_services
from krijt.planner.models import PlannerItem
from krijt.planner.tests.factories import make_item
from krijt.results import services as results_services
from krijt.results.models import Evaluation
from krijt.schools.models import CalendarEntry, TimetableSlot
from tests.scenario import Scenario, english_client

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Europe/Brussels")
# Monday 23 November 2026, 08:40: the first lesson (maths, 08:25-09:15) is on; Dutch follows at 10:20.
MONDAY = dt.datetime(2026, 11, 23, 8, 40, tzinfo=TZ)
TEACHER_ROLES = frozenset({Role.TEACHER})
# The tables the parts are built from: a warm page reads none of them.
PART_TABLES = ("schools_", "planner_", "results_", "messaging_", "handin_", "announcements_", "documents_")
CSRF = re.compile(r'"X-CSRFToken": "\w+"|name="csrfmiddlewaretoken" value="\w+"')


@pytest.fixture(autouse=True)
def monday() -> Iterator[Any]:
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


def signed_in(scenario: Scenario, role: str, user: Any = None) -> Client:
    client = english_client()
    client.force_login(user or scenario.user_for(role), backend="krijt.accounts.backends.KrijtBackend")
    return client


def today(client: Client, scenario: Scenario) -> str:
    response = client.get(scenario.url("/"))
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def send(scenario: Scenario, *, to: str, subject: str) -> None:
    message = messaging_services.message_send(
        school=scenario.school, sender=scenario.admin, roles=frozenset({Role.ADMIN}), to=[to], subject=subject,
        body="Tekst.")
    messaging_services.message_fanout(message_id=message.pk, generation=message.generation)


def announce(scenario: Scenario, title: str, audience: str = "school", **extra: Any) -> Any:
    from krijt.announcements import services as news

    return news.announcement_post(school=scenario.school, author=scenario.admin, roles=frozenset({Role.ADMIN}),
                                  data=news.AnnouncementIn(title=title, body="Tekst.", audience=[audience], **extra))


def evaluation(scenario: Scenario, name: str = "Toets breuken") -> Evaluation:
    return results_services.evaluation_create(
        school=scenario.school, actor=scenario.teacher, roles=TEACHER_ROLES, course=scenario.courses[0],
        period=scenario.periods[0], name=name, date=dt.date(2026, 11, 20), maximum=Decimal(20))


# ---------------------------------------------------------------- what each role sees


def test_the_student_sees_now_and_next_their_coming_work_new_results_and_messages(scenario: Scenario) -> None:
    course = scenario.courses[0]
    test = make_item(course, day=dt.date(2026, 11, 25), title="Breuken", visible_from=MONDAY - dt.timedelta(days=3))
    task = make_item(course, kind="task", day=dt.date(2026, 11, 24), title="Oefeningen",
                     visible_from=MONDAY - dt.timedelta(days=3))
    make_item(course, day=dt.date(2026, 11, 26), title="Nog geheim", visible_from=MONDAY + dt.timedelta(hours=9))
    planner_services.done_mark_set(school=scenario.school, student=scenario.student, item=task, done=True)
    page = today(signed_in(scenario, Role.STUDENT), scenario)
    assert "Now: Wiskunde until 09:15" in page
    assert "Next: Nederlands at 10:20" in page
    assert "Breuken" in page
    assert f"/planner/item/{test.pk}/" in page
    assert f"/hand-in/tasks/{task.pk}/" in page
    assert "Nog geheim" not in page  # visible only from this evening on
    assert "No new results in the last two weeks." in page
    assert "No unread messages." in page


def test_a_task_becomes_visible_on_its_moment_without_any_write(scenario: Scenario, monday: Any) -> None:
    make_item(scenario.courses[0], day=dt.date(2026, 11, 26), title="Later zichtbaar",
              visible_from=MONDAY + dt.timedelta(hours=2))
    client = signed_in(scenario, Role.STUDENT)
    assert "Later zichtbaar" not in today(client, scenario)
    monday.shift(dt.timedelta(hours=3))
    assert "Later zichtbaar" in today(client, scenario)


def test_the_teacher_sees_lessons_work_waiting_and_this_weeks_tests(scenario: Scenario) -> None:
    course = scenario.courses[0]
    task = make_item(course, kind="task", day=dt.date(2026, 11, 20), title="Verslag",
                     visible_from=MONDAY - dt.timedelta(days=7))
    handin_services.submission_hand_in(school=scenario.school, student=scenario.student, item=task, text="Klaar")
    make_item(course, day=dt.date(2026, 11, 26), title="Toets meetkunde")
    graded = evaluation(scenario)
    results_services.score_set(school=scenario.school, actor=scenario.teacher, evaluation=graded,
                               student_id=scenario.student.pk, entry="15")
    page = today(signed_in(scenario, Role.TEACHER), scenario)
    assert "My lessons today" in page
    assert "Wiskunde</strong> · 1A" in page
    assert "Verslag (1A): 1 hand-in waits for feedback" in page
    assert f"/hand-in/tasks/{task.pk}/submissions/" in page
    assert "Toets breuken (Wiskunde, 1A): 1 score not published" in page
    assert "Tests in my classes this week" in page
    assert "Wiskunde" in page
    assert f"/planner/class/{scenario.classes[0].pk}/" in page


def test_the_parent_sees_a_card_per_child_with_today_tomorrow_and_results_after_the_child(
    scenario: Scenario, monday: Any
) -> None:
    make_item(scenario.courses[0], day=dt.date(2026, 11, 23), title="Dictee vandaag",
              visible_from=MONDAY - dt.timedelta(days=7))
    make_item(scenario.courses[0], day=dt.date(2026, 11, 24), title="Toets morgen",
              visible_from=MONDAY - dt.timedelta(days=7))
    graded = evaluation(scenario)
    results_services.score_set(school=scenario.school, actor=scenario.teacher, evaluation=graded,
                               student_id=scenario.student.pk, entry="16")
    results_services.evaluation_publish(school=scenario.school, actor=scenario.teacher, evaluation=graded)
    client = signed_in(scenario, Role.PARENT)
    page = today(client, scenario)
    child = scenario.student
    assert child.full_name in page
    assert "Dictee vandaag" in page
    assert "Toets morgen" in page
    assert "16/20" not in page  # the child reads it first
    assert f"A new result for {child.first_name} appears on" in page
    monday.shift(dt.timedelta(days=3))
    assert "16/20" in today(client, scenario)


def test_the_office_sees_what_to_act_on_today(scenario: Scenario) -> None:
    page = today(signed_in(scenario, Role.ADMIN), scenario)
    assert "School overview" in page
    assert "Today in the office" in page
    assert "No workload rule was overridden today." in page
    assert "No urgent message was sent today." in page


# ---------------------------------------------------------------- no stale part after a change


def test_a_published_result_shows_on_the_next_page_from_its_release_moment(scenario: Scenario, monday: Any) -> None:
    client = signed_in(scenario, Role.STUDENT)
    assert "No new results" in today(client, scenario)  # the parts are cached now
    graded = evaluation(scenario)
    results_services.score_set(school=scenario.school, actor=scenario.teacher, evaluation=graded,
                               student_id=scenario.student.pk, entry="14,5")
    results_services.evaluation_publish(school=scenario.school, actor=scenario.teacher, evaluation=graded)
    score = graded.scores.get()
    assert score.student_visible_at is not None
    if score.student_visible_at > MONDAY:
        assert "14,5" not in today(client, scenario)  # not before the release moment
        monday.move_to(score.student_visible_at)
    page = today(client, scenario)
    assert "Toets breuken" in page
    assert "14,5" in page


def test_a_new_message_and_reading_it_show_on_the_next_page(scenario: Scenario) -> None:
    client = signed_in(scenario, Role.STUDENT)
    assert "No unread messages." in today(client, scenario)
    send(scenario, to=f"user:{scenario.student.pk}", subject="Sportdag")
    page = today(client, scenario)
    assert "1 unread message" in page
    assert "Sportdag" in page
    thread = messaging_services.Message.objects.get(subject="Sportdag").thread_id
    messaging_services.message_mark_read(school=scenario.school, user=scenario.student, thread_id=thread)
    assert "No unread messages." in today(client, scenario)


def test_a_moved_and_a_cancelled_test_show_on_the_next_page(scenario: Scenario) -> None:
    item = make_item(scenario.courses[0], day=dt.date(2026, 11, 25), title="Breuken",
                     visible_from=MONDAY - dt.timedelta(days=7))
    client = signed_in(scenario, Role.STUDENT)
    assert "Wed 25 Nov" in today(client, scenario)
    planner_services.item_update(school=scenario.school, actor=scenario.teacher, roles=TEACHER_ROLES, item=item,
                                 kind="test", title="Breuken", due_date=dt.date(2026, 11, 27), minutes=30,
                                 override_reason="Verplaatst op vraag van de klas")
    page = today(client, scenario)
    assert "Fri 27 Nov" in page
    assert "Wed 25 Nov" not in page
    planner_services.item_cancel(school=scenario.school, actor=scenario.teacher, roles=TEACHER_ROLES,
                                 item=PlannerItem.objects.get(pk=item.pk))
    assert "Breuken" not in today(client, scenario)


def test_an_announcement_and_reading_it_show_on_the_next_page(scenario: Scenario) -> None:
    from krijt.announcements import services as news

    client = signed_in(scenario, Role.PARENT)
    assert "Studiedag" not in today(client, scenario)
    item = announce(scenario, "Studiedag", audience=f"parents-class:{scenario.classes[0].pk}")
    announce(scenario, "Examenperiode", audience="parents", pinned_until=dt.date(2026, 11, 27))
    page = today(client, scenario)
    assert "Studiedag" in page
    assert "Examenperiode" in page
    news.announcement_opened(school=scenario.school, user=scenario.parent, announcement_id=item.pk)
    news.announcement_opened(school=scenario.school, user=scenario.parent,
                             announcement_id=news.Announcement.objects.get(title="Examenperiode").pk)
    page = today(client, scenario)
    assert "Studiedag" not in page  # read: on the news page, no longer on Today
    assert "Examenperiode" in page  # pinned until Friday
    other = signed_in(scenario, Role.PARENT, user=scenario.parents[-1])  # a parent of 2A
    assert "Studiedag" not in today(other, scenario)


def test_a_done_mark_shows_on_the_next_page(scenario: Scenario) -> None:
    task = make_item(scenario.courses[0], kind="task", day=dt.date(2026, 11, 25), title="Oefeningen",
                     visible_from=MONDAY - dt.timedelta(days=7))
    client = signed_in(scenario, Role.STUDENT)
    assert 'class="done"' not in today(client, scenario)
    planner_services.done_mark_set(school=scenario.school, student=scenario.student, item=task, done=True)
    assert 'class="done"' in today(client, scenario)


def test_a_timetable_change_shows_on_the_next_page(scenario: Scenario) -> None:
    client = signed_in(scenario, Role.STUDENT)
    assert "room Z99" not in today(client, scenario)
    TimetableSlot.objects.create(school=scenario.school, school_year=scenario.year, course=scenario.courses[1],
                                 weekday=1, lesson_period=scenario.lesson_periods[5], room="Z99")
    assert "room Z99" in today(client, scenario)


def test_a_holiday_added_shows_on_the_next_page(scenario: Scenario) -> None:
    client = signed_in(scenario, Role.STUDENT)
    assert "Today's lessons" in today(client, scenario)
    CalendarEntry.objects.create(school=scenario.school, school_year=scenario.year, name="Pedagogische studiedag",
                                 starts_on=dt.date(2026, 11, 23), ends_on=dt.date(2026, 11, 23))
    page = today(client, scenario)
    assert "Next school day: Tuesday 24 November" in page


def test_a_hand_in_and_its_feedback_show_on_the_teachers_next_page(scenario: Scenario) -> None:
    task = make_item(scenario.courses[0], kind="task", day=dt.date(2026, 11, 20), title="Verslag",
                     visible_from=MONDAY - dt.timedelta(days=7))
    client = signed_in(scenario, Role.TEACHER)
    assert "No hand-ins wait for feedback" in today(client, scenario)
    submission = handin_services.submission_hand_in(school=scenario.school, student=scenario.student, item=task,
                                                    text="Klaar")
    assert "1 hand-in waits for feedback" in today(client, scenario)
    handin_services.submission_feedback_give(school=scenario.school, reviewer=scenario.teacher, roles=TEACHER_ROLES,
                                             submission=submission, feedback="Goed.", return_to_student=True)
    assert "No hand-ins wait for feedback" in today(client, scenario)


def test_publishing_clears_the_teachers_unpublished_list(scenario: Scenario) -> None:
    graded = evaluation(scenario)
    client = signed_in(scenario, Role.TEACHER)
    assert "score not published" not in today(client, scenario)
    results_services.score_set(school=scenario.school, actor=scenario.teacher, evaluation=graded,
                               student_id=scenario.student.pk, entry="12")
    assert "1 score not published" in today(client, scenario)
    results_services.evaluation_publish(school=scenario.school, actor=scenario.teacher, evaluation=graded)
    assert "score not published" not in today(client, scenario)


def test_an_adult_childs_choice_and_a_removed_link_show_on_the_parents_next_page(scenario: Scenario) -> None:
    from krijt.accounts.models import ParentLink, User

    child = scenario.student
    User.objects.filter(pk=child.pk).update(birth_date=dt.date(2007, 1, 1))
    child.refresh_from_db()
    graded = evaluation(scenario)
    results_services.score_set(school=scenario.school, actor=scenario.teacher, evaluation=graded,
                               student_id=child.pk, entry="16")
    results_services.evaluation_publish(school=scenario.school, actor=scenario.teacher, evaluation=graded)
    client = signed_in(scenario, Role.PARENT)
    assert "keeps their results to themselves" not in today(client, scenario)
    results_services.sharing_update(school=scenario.school, student=child, parents_may_see=False)
    assert "keeps their results to themselves" in today(client, scenario)
    sibling = scenario.students[1]
    ParentLink.objects.create(school=scenario.school, parent=scenario.parent, student=sibling)
    assert sibling.full_name in today(client, scenario)
    ParentLink.objects.filter(parent=scenario.parent, student=child).delete()
    page = today(client, scenario)
    assert child.full_name not in page
    assert sibling.full_name in page


# ---------------------------------------------------------------- warm pages and isolation


@pytest.mark.parametrize("role", [Role.STUDENT, Role.TEACHER, Role.PARENT])
def test_a_warm_page_reads_no_part_from_the_database(scenario: Scenario, role: str) -> None:
    make_item(scenario.courses[0], day=dt.date(2026, 11, 24), title="Toets", visible_from=MONDAY - dt.timedelta(days=1))
    send(scenario, to=f"user:{scenario.user_for(role).pk}", subject="Hallo")
    announce(scenario, "Schoolfoto")
    client = signed_in(scenario, role)
    first = today(client, scenario)
    assert "Schoolfoto" in first
    with CaptureQueriesContext(connection) as captured:
        again = today(client, scenario)
    assert CSRF.sub("", again) == CSRF.sub("", first)
    read = [q["sql"] for q in captured.captured_queries if any(t in q["sql"] for t in PART_TABLES)]
    assert not read, read
    # Nothing at all: the session, the person's row, their roles and the parts all come from the cache.
    assert captured.captured_queries == []


@pytest.mark.parametrize("role", [Role.STUDENT, Role.TEACHER, Role.PARENT])
def test_a_warm_page_reads_the_cache_in_one_round_trip_and_writes_nothing(
    scenario: Scenario, role: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The session, the school, the person, their roles and the page's parts in one read: each round trip
    is CPU in the client. The first visit learns which parts the page reads (krijt.core.readahead)."""
    client = signed_in(scenario, role)
    first = today(client, scenario)
    backend = caches["default"]
    calls: list[str] = []
    def counted(name: str, original: Any) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            calls.append(name)
            return original(*args, **kwargs)

        return call

    for name in ("get", "get_many", "set", "set_many", "add", "delete", "delete_many", "incr"):
        monkeypatch.setattr(backend, name, counted(name, getattr(backend, name)))
    again = today(client, scenario)
    assert CSRF.sub("", again) == CSRF.sub("", first)
    assert calls == ["get_many"]


def test_what_a_page_read_last_time_never_hides_a_change(scenario: Scenario) -> None:
    """The parts read ahead come with their versions from the same read: a message sent since the last
    visit, or a test planned in the same request's school, shows at once."""
    client = signed_in(scenario, Role.STUDENT)
    assert "Nieuw bericht" not in today(client, scenario)
    today(client, scenario)
    send(scenario, to=f"user:{scenario.student.pk}", subject="Nieuw bericht")
    make_item(scenario.courses[0], day=dt.date(2026, 11, 24), title="Toets breuken",
              visible_from=MONDAY - dt.timedelta(days=1))
    page = today(client, scenario)
    assert "Nieuw bericht" in page
    assert "Toets breuken" in page


def test_parts_never_cross_people_or_schools(scenario: Scenario, other_school: Scenario) -> None:
    """Two students with the same place in two schools, and two classmates: each sees only their own."""
    send(scenario, to=f"user:{scenario.student.pk}", subject="Alleen voor jou")
    mine = signed_in(scenario, Role.STUDENT)
    classmate = signed_in(scenario, Role.STUDENT, user=scenario.students_by_class[scenario.classes[0].pk][1])
    stranger = signed_in(other_school, Role.STUDENT)
    make_item(other_school.courses[0], day=dt.date(2026, 11, 24), title="Elders",
              visible_from=MONDAY - dt.timedelta(days=1))
    assert "Alleen voor jou" in today(mine, scenario)
    assert "Alleen voor jou" not in today(classmate, scenario)
    assert "Alleen voor jou" not in today(stranger, other_school)
    assert "Elders" in today(stranger, other_school)
    assert "Elders" not in today(mine, scenario)


def test_classmates_share_one_render_of_the_lessons_and_each_keeps_their_own_work(
    scenario: Scenario, fragment_renders: list[str]
) -> None:
    """At a lesson change the lessons of a class are rendered once for the whole class; what is a
    student's own (their done marks) is never taken from a classmate's page."""
    rendered = fragment_renders
    course = scenario.courses[0]
    item = make_item(course, day=dt.date(2026, 11, 24), title="Oefeningen breuken",
                     visible_from=MONDAY - dt.timedelta(days=1))
    first, second = scenario.students_by_class[course.class_group_id][:2]
    planner_services.done_mark_set(school=scenario.school, student=first, item=item, done=True)
    mine = today(signed_in(scenario, Role.STUDENT, user=first), scenario)
    theirs = today(signed_in(scenario, Role.STUDENT, user=second), scenario)
    assert rendered.count("home/_student_lessons.html") == 1
    assert rendered.count("home/_student_rest.html") == 2
    assert re.search(r'<li class="done">.*?Oefeningen breuken', mine, re.S)
    assert "Oefeningen breuken" in theirs
    assert not re.search(r'<li class="done">.*?Oefeningen breuken', theirs, re.S)


# ---------------------------------------------------------------- the database down


@pytest.mark.parametrize("role", [Role.STUDENT, Role.TEACHER, Role.PARENT])
def test_while_the_database_is_down_today_is_served_from_the_parts(
    scenario: Scenario, role: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from krijt.ops.tests.test_degraded import database_down

    make_item(scenario.courses[0], day=dt.date(2026, 11, 24), title="Toets morgen",
              visible_from=MONDAY - dt.timedelta(days=1))
    shown = "Tue 24 Wiskunde" if role == Role.TEACHER else "Toets morgen"  # a teacher sees the class's load
    client = signed_in(scenario, role)
    client.raise_request_exception = False
    assert shown in today(client, scenario)
    with database_down(monkeypatch):
        # Nothing Today shows needs the database: until a request finds it down, the page is simply served.
        unnoticed = client.get(scenario.url("/"))
        # A page that needs the database finds it down and opens the breaker ...
        assert client.get(scenario.url("/messages/sent/")).status_code == 503
        # ... and from then on Today says it is read-only.
        response = client.get(scenario.url("/"))
    assert unnoticed.status_code == 200
    assert shown in html.unescape(unnoticed.content.decode())
    assert "X-Krijt-Degraded" not in unnoticed
    page = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert response["X-Krijt-Degraded"] == "1"
    assert "Read-only: Krijt is catching up." in page
    assert shown in page
    assert f"Hello {scenario.user_for(role).first_name}" in page


def test_a_session_signed_out_everywhere_sees_no_cached_today(
    scenario: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    from krijt.ops.tests.test_degraded import database_down

    old = signed_in(scenario, Role.STUDENT)
    old.raise_request_exception = False
    assert today(old, scenario)
    other = signed_in(scenario, Role.STUDENT)
    assert other.post(scenario.url("/accounts/sign-out-everywhere/")).status_code == 302
    with database_down(monkeypatch):
        response = old.get(scenario.url("/"))
    assert response.status_code == 503


def test_quiet_hours_hold_messages_back_but_never_the_page(scenario: Scenario, monday: Any) -> None:
    """At 21:30 a message sent to a student waits for the morning; Today itself still shows the next day."""
    make_item(scenario.courses[0], day=dt.date(2026, 11, 24), title="Toets morgen",
              visible_from=MONDAY - dt.timedelta(days=1))
    monday.move_to(dt.datetime(2026, 11, 23, 21, 30, tzinfo=TZ))
    send(scenario, to=f"user:{scenario.student.pk}", subject="Late bericht")
    client = signed_in(scenario, Role.STUDENT)
    page = today(client, scenario)
    assert "Next school day: Tuesday 24 November" in page
    assert "Toets morgen" in page
    assert "Late bericht" not in page
    monday.move_to(dt.datetime(2026, 11, 24, 8, 0, tzinfo=TZ))
    assert "Late bericht" in today(client, scenario)


def test_a_hard_result_on_today_names_who_to_talk_to_as_the_results_page_does(scenario: Scenario, monday: Any) -> None:
    graded = evaluation(scenario)
    results_services.score_set(school=scenario.school, actor=scenario.teacher, evaluation=graded,
                               student_id=scenario.student.pk, entry="4", comment="We bekijken dit samen.")
    results_services.evaluation_publish(school=scenario.school, actor=scenario.teacher, evaluation=graded)
    score = graded.scores.get()
    assert score.sensitive
    monday.move_to(score.student_visible_at)
    page = today(signed_in(scenario, Role.STUDENT), scenario)
    assert "<strong>4</strong>/20" in page
    assert f"Would you like to talk about this result? {scenario.teacher.full_name} is there for you" in page
