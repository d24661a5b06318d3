"""What a person is in a school is read from the cache on every request, and follows every change at once:
a role granted or taken away, a parent link made or removed."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from krijt.accounts.models import Membership, ParentLink
from krijt.core.roles import Role
from krijt.schooladmin import services as admin_services
from tests.scenario import Scenario, english_client

pytestmark = pytest.mark.django_db


def test_a_role_taken_away_closes_the_pages_on_the_next_request(scenario: Scenario) -> None:
    client = english_client()
    client.force_login(scenario.staff, backend="krijt.accounts.backends.KrijtBackend")
    assert client.get(scenario.url("/manage/")).status_code == 200  # the roles are cached now
    admin_services.person_role_add(school=scenario.school, actor=scenario.admin, user=scenario.staff,
                                   role=Role.ADMIN)
    assert client.get(scenario.url("/manage/people/new/")).status_code == 200
    admin_services.person_role_remove(school=scenario.school, actor=scenario.admin, user=scenario.staff,
                                      role=Role.ADMIN)
    assert client.get(scenario.url("/manage/people/new/")).status_code == 403
    Membership.objects.filter(school=scenario.school, user=scenario.staff).delete()
    assert client.get(scenario.url("/")).status_code == 403


def test_a_removed_parent_link_ends_the_parent_role(scenario: Scenario) -> None:
    client = english_client()
    client.force_login(scenario.parent, backend="krijt.accounts.backends.KrijtBackend")
    assert client.get(scenario.url("/")).status_code == 200
    ParentLink.objects.filter(parent=scenario.parent).delete()
    assert client.get(scenario.url("/")).status_code == 403


def test_roles_are_not_read_from_the_database_once_cached(scenario: Scenario) -> None:
    client = english_client()
    client.force_login(scenario.teacher, backend="krijt.accounts.backends.KrijtBackend")
    client.get(scenario.url("/"))
    with CaptureQueriesContext(connection) as captured:
        client.get(scenario.url("/"))
    assert not [q["sql"] for q in captured.captured_queries if "accounts_membership" in q["sql"]]


# ---------------------------------------------------------------- the person's row from the cache


def _signed_in(user: Any) -> Client:
    client = english_client()
    client.force_login(user, backend="krijt.accounts.backends.KrijtBackend")
    return client


def test_the_persons_row_is_read_from_the_cache_and_follows_every_save(scenario: Scenario) -> None:
    from krijt.accounts.models import User

    client = _signed_in(scenario.student)
    assert client.get(scenario.url("/")).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        client.get(scenario.url("/"))
    assert not [q for q in captured.captured_queries if "accounts_user" in q["sql"]]
    student = User.objects.get(pk=scenario.student.pk)
    student.first_name = "Lotte"
    student.save(update_fields=["first_name"])
    assert "Hello Lotte" in client.get(scenario.url("/")).content.decode()
    student.email = "lotte@example.org"
    student.save(update_fields=["email"])
    with CaptureQueriesContext(connection) as captured:
        response = client.get(scenario.url("/"))
    assert getattr(response.wsgi_request.user, "email", None) == "lotte@example.org"
    assert [q for q in captured.captured_queries if "accounts_user" in q["sql"]]  # read once, cached again


def test_a_deactivated_account_is_signed_out_on_the_next_request(scenario: Scenario) -> None:
    client = _signed_in(scenario.student)
    assert client.get(scenario.url("/")).status_code == 200
    scenario.student.is_active = False
    scenario.student.save()
    response = client.get(scenario.url("/"))
    assert response.status_code == 302
    assert "/accounts/sign-in/" in response["Location"]


def test_a_new_password_elsewhere_ends_this_session_even_with_the_row_cached(scenario: Scenario) -> None:
    client = _signed_in(scenario.student)
    assert client.get(scenario.url("/")).status_code == 200
    scenario.student.set_password("een-nieuw-wachtwoord-42")
    scenario.student.save()
    response = client.get(scenario.url("/"))
    assert response.status_code == 302


def test_a_sign_in_elsewhere_keeps_the_cached_row(scenario: Scenario) -> None:
    """last_login alone changes nothing a request reads: the row stays cached through every sign-in."""
    from django.contrib.auth.models import update_last_login

    client = _signed_in(scenario.student)
    client.get(scenario.url("/"))
    update_last_login(type(scenario.student), scenario.student)
    with CaptureQueriesContext(connection) as captured:
        client.get(scenario.url("/"))
    assert not [q for q in captured.captured_queries if "accounts_user" in q["sql"]]


def test_the_cache_never_holds_the_password_hash_and_saving_the_cached_person_keeps_it(scenario: Scenario) -> None:
    from django.core.cache import cache

    from krijt.accounts.models import User
    from krijt.accounts.selectors import user_part

    password = User.objects.get(pk=scenario.student.pk).password
    client = _signed_in(scenario.student)
    response = client.get(scenario.url("/"))
    assert password not in repr(cache.get(user_part(scenario.student.pk).key))
    person = response.wsgi_request.user
    assert isinstance(person, User)
    person.first_name = "Lotte"
    person.save()  # a full save of the person read from the cache
    again = User.objects.get(pk=scenario.student.pk)
    assert again.password == password
    assert again.first_name == "Lotte"
    assert client.get(scenario.url("/")).status_code == 200  # the session still matches
