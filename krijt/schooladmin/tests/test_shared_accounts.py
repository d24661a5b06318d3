"""An account that also belongs to another school is its owner's: no school edits its account details."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from krijt.accounts.models import ParentLink
from krijt.accounts.services import account_details_set
from krijt.core.errors import Conflict
from krijt.core.worker import run_pending_tasks
from tests.scenario import Scenario

pytestmark = pytest.mark.django_db


def _teacher_of_beta_as_parent_in_alpha(scenario: Scenario, other_school: Scenario) -> None:
    """Beta's teacher redeemed a parent letter of alpha: a parent in alpha, a teacher in beta."""
    ParentLink.objects.create(school=scenario.school, parent=other_school.teacher, student=scenario.student)


def test_admin_of_one_school_cannot_change_the_email_of_another_schools_teacher(
        scenario: Scenario, other_school: Scenario, login_as: Callable[..., Client]) -> None:
    _teacher_of_beta_as_parent_in_alpha(scenario, other_school)
    victim = other_school.teacher
    before = victim.email
    client = login_as("admin")
    url = scenario.url(f"/manage/people/{victim.pk}/edit/")
    page = client.get(url).content.decode()
    assert "also used in another school" in page
    assert 'class="primary">Save' not in page
    response = client.post(url, {"first_name": victim.first_name, "last_name": victim.last_name,
                                 "email": "attacker@alpha.example", "birth_date": ""})
    victim.refresh_from_db()
    assert victim.email == before
    assert response.status_code in (200, 302, 400)
    # The detail page offers no edit, and says why.
    detail = client.get(scenario.url(f"/manage/people/{victim.pk}/")).content.decode()
    assert f"/manage/people/{victim.pk}/edit/" not in detail
    assert "also used in another school" in detail


def test_the_service_refuses_account_details_of_a_shared_account_whoever_calls_it(
        scenario: Scenario, other_school: Scenario) -> None:
    _teacher_of_beta_as_parent_in_alpha(scenario, other_school)
    victim = other_school.teacher
    for change in ({"email": "attacker@alpha.example"}, {"first_name": "Someone"}, {"birth_date": None}):
        values: dict[str, Any] = {"first_name": victim.first_name, "last_name": victim.last_name,
                                  "email": "x@y.example", "birth_date": victim.birth_date, **change}
        with pytest.raises(Conflict):
            account_details_set(school=scenario.school, actor=scenario.admin, user=victim, **values)
    # Saving the same values again changes nothing and is not an error (a form saved without edits).
    account_details_set(school=scenario.school, actor=scenario.admin, user=victim, first_name=victim.first_name,
                        last_name=victim.last_name, email=victim.email, birth_date=victim.birth_date)
    # The owner may change their own details.
    account_details_set(school=scenario.school, actor=victim, user=victim, first_name="Tina",
                        last_name=victim.last_name, email="tina@beta.example", birth_date=None)
    victim.refresh_from_db()
    assert (victim.first_name, victim.email) == ("Tina", "tina@beta.example")


def test_platform_staff_are_never_edited_by_a_school(scenario: Scenario) -> None:
    scenario.teacher.is_staff = True
    scenario.teacher.save(update_fields=["is_staff"])
    with pytest.raises(Conflict):
        account_details_set(school=scenario.school, actor=scenario.admin, user=scenario.teacher,
                            first_name="X", last_name="Y", email="x@alpha.example", birth_date=None)


def test_a_person_of_this_school_alone_is_edited_and_the_old_address_hears_of_a_new_one(
        scenario: Scenario, login_as: Callable[..., Client]) -> None:
    teacher = scenario.teacher
    teacher.email = "old@alpha.example"
    teacher.save(update_fields=["email"])
    client = login_as("admin")
    response = client.post(scenario.url(f"/manage/people/{teacher.pk}/edit/"), {
        "first_name": teacher.first_name, "last_name": teacher.last_name, "email": "new@alpha.example",
        "birth_date": ""})
    assert response.status_code == 302
    teacher.refresh_from_db()
    assert teacher.email == "new@alpha.example"
    run_pending_tasks()
    notices = [m for m in mail.outbox if m.to == ["old@alpha.example"]]
    assert len(notices) == 1
    assert teacher.username in notices[0].body
    assert "new@alpha.example" in notices[0].body
    # A change of the name only sends nothing.
    mail.outbox.clear()
    client.post(scenario.url(f"/manage/people/{teacher.pk}/edit/"), {
        "first_name": "Tom", "last_name": teacher.last_name, "email": "new@alpha.example", "birth_date": ""})
    run_pending_tasks()
    assert mail.outbox == []


def test_an_owner_changing_their_own_address_is_not_warned_by_mail(scenario: Scenario) -> None:
    teacher = scenario.teacher
    teacher.email = "old@alpha.example"
    teacher.save(update_fields=["email"])
    account_details_set(school=scenario.school, actor=teacher, user=teacher, first_name=teacher.first_name,
                        last_name=teacher.last_name, email="mine@alpha.example", birth_date=None)
    run_pending_tasks()
    assert mail.outbox == []
