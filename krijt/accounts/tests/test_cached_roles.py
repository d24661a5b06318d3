"""What a person is in a school is read from the cache on every request, and follows every change at once:
a role granted or taken away, a parent link made or removed."""

from __future__ import annotations

import pytest
from django.db import connection
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
