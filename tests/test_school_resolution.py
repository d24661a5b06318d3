"""A school is reached by its sub-domain or its /s/<slug>/ prefix, and links stay inside it."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.scenario import Scenario

pytestmark = pytest.mark.django_db


def test_path_prefix_selects_the_school_and_links_keep_it(client: Client, scenario: Scenario) -> None:
    html = client.get("/s/alpha/accounts/sign-in/").content.decode()
    assert scenario.school.name in html
    assert 'href="/s/alpha/accounts/password-reset/"' in html


def test_sub_domain_selects_the_school_and_links_have_no_prefix(client: Client, scenario: Scenario) -> None:
    response = client.get("/accounts/sign-in/", HTTP_HOST="alpha.krijt.test")
    html = response.content.decode()
    assert response.status_code == 200
    assert scenario.school.name in html
    assert 'href="/accounts/password-reset/"' in html


def test_sub_domain_home_for_a_signed_in_student(client: Client, scenario: Scenario) -> None:
    client.force_login(scenario.student, backend="krijt.accounts.backends.KrijtBackend")
    response = client.get("/", HTTP_HOST="alpha.krijt.test")
    assert response.status_code == 200
    assert "Stu1" in response.content.decode()


def test_unknown_sub_domain_is_404(client: Client, scenario: Scenario) -> None:
    assert client.get("/", HTTP_HOST="nope.krijt.test").status_code == 404


def test_unknown_school_under_the_api_answers_in_the_api_shape(client: Client, scenario: Scenario) -> None:
    response = client.get("/s/nope/api/v1/me")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_error_pages_speak_the_users_language(scenario: Scenario) -> None:
    dutch = Client()
    dutch.force_login(scenario.student, backend="krijt.accounts.backends.KrijtBackend")
    response = dutch.get("/s/alpha/manage/")
    assert response.status_code == 403
    assert '<html lang="nl">' in response.content.decode()
