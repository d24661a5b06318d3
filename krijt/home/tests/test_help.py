"""The help pages explain the humane rules with the school's own values, for each role."""

from __future__ import annotations

import datetime as dt

import pytest

from krijt.core.roles import Role
from krijt.notifications.models import NotificationPolicy
from krijt.planner.models import WorkloadPolicy
from krijt.results.models import ResultsPolicy
from tests.scenario import Scenario, english_client

pytestmark = pytest.mark.django_db


def help_page(scenario: Scenario, role: str, path: str = "/help/") -> str:
    client = english_client()
    client.force_login(scenario.user_for(role), backend="krijt.accounts.backends.KrijtBackend")
    response = client.get(scenario.url(path))
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.mark.parametrize(("role", "heading"), [
    (Role.STUDENT, "Why you see your results before your parents"),
    (Role.PARENT, "Why results come later for parents"),
    (Role.TEACHER, "Planning tests and tasks"),
    (Role.ADMIN, "The school's rules, and where to set them"),
])
def test_each_role_opens_on_its_own_help(scenario: Scenario, role: str, heading: str) -> None:
    assert heading in help_page(scenario, role)


def test_the_help_says_the_schools_own_times_and_limits(scenario: Scenario) -> None:
    default = help_page(scenario, Role.PARENT)
    assert "between 19:00 and 07:00" in default
    assert "24 hours later" in default
    NotificationPolicy.objects.update_or_create(school=scenario.school, defaults={
        "parent_quiet_start": dt.time(20, 30), "parent_quiet_end": dt.time(7, 30), "digest_time": dt.time(17, 0)})
    ResultsPolicy.objects.update_or_create(school=scenario.school, defaults={"parent_delay_hours": 48})
    WorkloadPolicy.objects.update_or_create(school=scenario.school, defaults={"max_tests_per_day": 1})
    from krijt.notifications.selectors import forget_policy

    forget_policy(scenario.school.pk)
    changed = help_page(scenario, Role.PARENT)
    assert "between 20:30 and 07:30" in changed
    assert "around 17:00" in changed
    assert "48 hours later" in changed
    assert "at most 1 test a day" in changed


def test_anyone_of_the_school_may_read_every_roles_help(scenario: Scenario) -> None:
    for topic, text in (("student", "Why your phone stays quiet"), ("parent", "One e-mail a day"),
                        ("teacher", "Publishing results"), ("staff", "where to set them")):
        assert text in help_page(scenario, Role.STUDENT, f"/help/{topic}/")


def test_an_unknown_topic_is_not_found_and_a_stranger_signs_in_first(scenario: Scenario) -> None:
    client = english_client()
    client.force_login(scenario.student, backend="krijt.accounts.backends.KrijtBackend")
    assert client.get(scenario.url("/help/nothing/")).status_code == 404
    assert english_client().get(scenario.url("/help/")).status_code == 302


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_the_help_is_translated(scenario: Scenario, language: str) -> None:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(scenario.parent, backend="krijt.accounts.backends.KrijtBackend")
    html = client.get(scenario.url("/help/")).content.decode()
    assert "Why results come later for parents" not in html
    assert f'<html lang="{language}">' in html


def test_the_manifest_installs_the_school(scenario: Scenario) -> None:
    import json

    from django.contrib.staticfiles import finders

    response = english_client().get(scenario.url("/manifest.webmanifest"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    data = json.loads(response.content)
    assert data["name"].startswith(scenario.school.name)
    assert data["start_url"] == data["scope"] == scenario.url("/")
    assert data["display"] == "standalone"
    assert {icon["sizes"] for icon in data["icons"]} >= {"192x192", "512x512"}
    for icon in data["icons"]:
        assert finders.find(icon["src"].split("/static/", 1)[1]), icon["src"]
