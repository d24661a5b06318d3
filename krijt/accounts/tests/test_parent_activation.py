from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client

from krijt.accounts.models import ActivationCode, ParentLink, User
from krijt.accounts.services import parent_letters_issue
from krijt.core.errors import Conflict
from tests.scenario import Scenario, english_client, make_user

pytestmark = pytest.mark.django_db


def letter_codes(scenario: Scenario, student: User) -> list[str]:
    letters = parent_letters_issue(school=scenario.school, students=[student], class_names={student.pk: "1A"})
    return letters[0].codes


def unlinked_student(scenario: Scenario) -> User:
    student = scenario.students[0]
    ParentLink.objects.filter(student=student).delete()
    return student


def activate(client: Client, code: str, username: str = "mama.peeters", password: str = "Een lange zin 42") -> Any:
    return client.post(
        "/accounts/activate/",
        {
            "code": code,
            "create": "1",
            "first_name": "An",
            "last_name": "Peeters",
            "email": "an@example.org",
            "username": username,
            "password": password,
        },
    )


def test_a_letter_has_a_code_for_each_free_parent_slot(scenario: Scenario) -> None:
    student = unlinked_student(scenario)
    assert len(letter_codes(scenario, student)) == 2
    assert len(letter_codes(scenario, scenario.students[1])) == 1  # one parent already linked


def test_reprinting_replaces_unused_codes(client: Client, scenario: Scenario) -> None:
    student = unlinked_student(scenario)
    old = letter_codes(scenario, student)
    new = letter_codes(scenario, student)
    assert set(old).isdisjoint(new)
    assert activate(client, old[0]).status_code == 400
    assert activate(client, new[0]).status_code == 302


def test_parent_activates_an_account_with_a_code(client: Client, scenario: Scenario) -> None:
    student = unlinked_student(scenario)
    code = letter_codes(scenario, student)[0]
    check = client.post("/accounts/activate/", {"code": code.lower().replace("-", " "), "check": "1"})
    assert check.status_code == 200
    assert student.full_name in check.content.decode()
    response = activate(client, code)
    assert response.status_code == 302
    assert response["Location"] == scenario.url("/")
    parent = User.objects.get(username="mama.peeters")
    assert ParentLink.objects.filter(school=scenario.school, parent=parent, student=student).exists()
    assert parent.check_password("Een lange zin 42")
    assert student.full_name in client.get(scenario.url("/")).content.decode()


def test_a_code_works_once(client: Client, scenario: Scenario) -> None:
    code = letter_codes(scenario, unlinked_student(scenario))[0]
    assert activate(client, code).status_code == 302
    response = activate(english_client(), code, username="someone.else")
    assert response.status_code == 400
    assert "not valid" in response.content.decode()


def test_an_expired_code_is_refused(client: Client, scenario: Scenario) -> None:
    code = letter_codes(scenario, unlinked_student(scenario))[0]
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=90)):
        assert activate(client, code).status_code == 400


def test_wrong_code_gets_a_clear_message(client: Client, scenario: Scenario) -> None:
    response = client.post("/accounts/activate/", {"code": "AAAA-BBBB-CCCC", "check": "1"})
    assert response.status_code == 400
    assert "not valid" in response.content.decode()


def test_taken_user_name_and_weak_password_are_explained(client: Client, scenario: Scenario) -> None:
    code = letter_codes(scenario, unlinked_student(scenario))[0]
    taken = activate(client, code, username=scenario.teacher.username)
    assert taken.status_code == 400
    assert "Taken: choose another" in taken.content.decode()
    weak = activate(client, code, password="123")
    assert weak.status_code == 400
    assert "too short" in weak.content.decode()
    # Nothing was used up by the failed attempts.
    assert ActivationCode.objects.filter(student=scenario.students[0], used_at=None, revoked_at=None).count() == 2


def test_a_signed_in_parent_adds_a_child_in_another_school(
    client: Client, scenario: Scenario, other_school: Scenario
) -> None:
    parent = scenario.parent
    other_child = other_school.students[0]
    ParentLink.objects.filter(student=other_child).delete()
    code = parent_letters_issue(school=other_school.school, students=[other_child], class_names={})[0].codes[0]
    client.force_login(parent, backend="krijt.accounts.backends.KrijtBackend")
    response = client.post("/accounts/activate/", {"code": code, "link": "1"})
    assert response.status_code == 302
    assert ParentLink.objects.filter(school=other_school.school, parent=parent, student=other_child).exists()


def test_at_most_two_parents_per_student(scenario: Scenario) -> None:
    from krijt.accounts.services import parent_link_create

    student = scenario.students[0]
    second = make_user("second.parent", "B", "Parent")
    parent_link_create(school=scenario.school, parent=second, student=student)
    third = make_user("third.parent", "C", "Parent")
    with pytest.raises(Conflict):
        parent_link_create(school=scenario.school, parent=third, student=student)
    assert ParentLink.objects.filter(student=student).count() == 2


def test_codes_are_stored_only_as_hashes(scenario: Scenario) -> None:
    code = letter_codes(scenario, unlinked_student(scenario))[0]
    stored = ActivationCode.objects.filter(student=scenario.students[0]).values_list("code_hash", flat=True)
    assert all(code.replace("-", "") not in h for h in stored)
