from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.test import Client

from krijt.accounts.models import Membership
from krijt.core.roles import Role
from tests.scenario import Scenario

pytestmark = pytest.mark.django_db

MONDAY = "2026-11-23 07:30 +0100"  # a school day
SATURDAY = "2026-11-28 10:00 +0100"
CHRISTMAS = "2026-12-23 10:00 +0100"  # inside the scenario's Christmas holiday


def test_anonymous_visitor_is_sent_to_sign_in(client: Client, scenario: Scenario) -> None:
    response = client.get(scenario.url("/"))
    assert response.status_code == 302
    assert response["Location"] == scenario.url("/accounts/sign-in/")


def test_student_sees_todays_lessons_from_the_timetable(
    login_as: Callable[..., Client], scenario: Scenario, django_assert_max_num_queries: Any
) -> None:
    client = login_as(Role.STUDENT)
    # Cold: every part is built (a warm page reads none: test_today.py); the news adds three (the reader's
    # audience, the announcements for it, what they read and answered), the new documents of the class one, the
    # class's live lessons of the day one.
    with time_machine.travel(MONDAY, tick=False), django_assert_max_num_queries(21):
        response = client.get(scenario.url("/"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Today&#x27;s lessons" in html or "Today's lessons" in html
    assert "08:25" in html
    assert "Wiskunde" in html
    assert "Nederlands" in html
    assert "1A" in html


def test_on_a_weekend_the_student_sees_the_next_school_day(login_as: Callable[..., Client], scenario: Scenario) -> None:
    client = login_as(Role.STUDENT)
    with time_machine.travel(SATURDAY, tick=False):
        html = client.get(scenario.url("/")).content.decode()
    assert "Next school day" in html
    assert "Monday 30 November" in html


def test_in_a_holiday_the_next_school_day_is_after_it(login_as: Callable[..., Client], scenario: Scenario) -> None:
    client = login_as(Role.STUDENT)
    with time_machine.travel(CHRISTMAS, tick=False):
        html = client.get(scenario.url("/")).content.decode()
    assert "Monday 4 January" in html


def test_teacher_sees_lessons_and_classes(
    login_as: Callable[..., Client], scenario: Scenario, django_assert_max_num_queries: Any
) -> None:
    client = login_as(Role.TEACHER)
    # Cold: each part is built once (the lessons, the classes, hand-ins, results, the inbox, the registers,
    # the news: the reader's audience, the announcements for it, what they read and answered, the live lessons).
    with time_machine.travel(MONDAY, tick=False), django_assert_max_num_queries(20):
        html = client.get(scenario.url("/")).content.decode()
    assert "My lessons today" in html
    assert "take the register" in html
    assert "<strong>Wiskunde</strong> · 1A" in html
    assert "<strong>Wiskunde</strong> · 2A" in html
    assert "My classes" in html
    assert "mentor" in html


def test_parent_sees_their_children(login_as: Callable[..., Client], scenario: Scenario) -> None:
    client = login_as(Role.PARENT)
    html = client.get(scenario.url("/")).content.decode()
    assert f'<h2 id="child-{scenario.student.pk}-h">{scenario.student.full_name}' in html
    assert scenario.students[1].full_name not in html


def test_parent_sees_children_in_two_schools(client: Client, scenario: Scenario, other_school: Scenario) -> None:
    from krijt.accounts.models import ParentLink

    parent = scenario.parent
    ParentLink.objects.create(school=other_school.school, parent=parent, student=other_school.students[0])
    client.force_login(parent, backend="krijt.accounts.backends.KrijtBackend")
    html = client.get(scenario.url("/")).content.decode()
    assert scenario.student.full_name in html
    assert other_school.students[0].full_name in html
    assert other_school.school.name in html


def test_administrator_sees_the_school_overview(login_as: Callable[..., Client], scenario: Scenario) -> None:
    html = login_as(Role.ADMIN).get(scenario.url("/")).content.decode()
    assert "School overview" in html
    assert "2026-2027" in html


def test_a_person_with_two_roles_sees_both(client: Client, scenario: Scenario) -> None:
    Membership.objects.create(school=scenario.school, user=scenario.teacher, role=Role.ADMIN)
    client.force_login(scenario.teacher, backend="krijt.accounts.backends.KrijtBackend")
    with time_machine.travel(MONDAY, tick=False):
        html = client.get(scenario.url("/")).content.decode()
    assert "School overview" in html
    assert "My lessons today" in html


def test_a_user_of_another_school_has_no_access(client: Client, scenario: Scenario, other_school: Scenario) -> None:
    client.force_login(other_school.student, backend="krijt.accounts.backends.KrijtBackend")
    response = client.get(scenario.url("/"))
    assert response.status_code == 403
    assert scenario.student.full_name not in response.content.decode()


def test_unknown_school_is_404(client: Client, scenario: Scenario) -> None:
    assert client.get("/s/no-such-school/").status_code == 404


def test_platform_root_lists_schools_and_sends_signed_in_users_to_theirs(client: Client, scenario: Scenario) -> None:
    assert scenario.school.name in client.get("/").content.decode()
    client.force_login(scenario.student, backend="krijt.accounts.backends.KrijtBackend")
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == scenario.url("/")


def test_language_switch(client: Client, scenario: Scenario) -> None:
    client.force_login(scenario.student, backend="krijt.accounts.backends.KrijtBackend")
    response = client.post(scenario.url("/i18n/setlang/"), {"language": "fr", "next": scenario.url("/")})
    assert response.status_code == 302
    html = client.get(scenario.url("/")).content.decode()
    assert '<html lang="fr">' in html
    client.post(scenario.url("/i18n/setlang/"), {"language": "en", "next": scenario.url("/")})
    assert '<html lang="en">' in client.get(scenario.url("/")).content.decode()


def test_dutch_is_the_default_language(scenario: Scenario) -> None:
    html = Client().get(scenario.url("/accounts/sign-in/")).content.decode()
    assert '<html lang="nl">' in html


def test_pages_are_built_for_phones_and_keyboards(client: Client, scenario: Scenario) -> None:
    html = client.get(scenario.url("/accounts/sign-in/")).content.decode()
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in html
    assert 'class="skip-link" href="#main"' in html
    assert 'for="id_username"' in html
