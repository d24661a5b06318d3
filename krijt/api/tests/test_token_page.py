"""The personal API tokens page: create (the secret shown once), list, revoke."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from krijt.accounts.models import ApiToken
from krijt.api import services
from krijt.api.tests.conftest import Api
from krijt.core.errors import Conflict
from tests.scenario import Scenario

pytestmark = pytest.mark.django_db

QueryCount = Callable[..., Any]


def test_the_page_needs_a_signed_in_person(client: Client, scenario: Scenario) -> None:
    response = client.get(scenario.url("/api/tokens/"))
    assert response.status_code == 302
    assert "/accounts/sign-in/" in response["Location"]


def test_creating_a_token_shows_the_secret_once(login_as: Callable[..., Client], scenario: Scenario) -> None:
    client = login_as("teacher")
    response = client.post(scenario.url("/api/tokens/"), {"name": "Agenda op mijn telefoon"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get(user=scenario.teacher)
    secret = response.context["new_secret"]
    assert secret.startswith("krijt_")
    assert len(secret) > 40
    assert secret in response.content.decode()
    assert token.name == "Agenda op mijn telefoon"
    assert token.prefix == secret[:8]
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in (token.prefix, token.key_hash)

    again = client.get(scenario.url("/api/tokens/"))
    assert secret not in again.content.decode()
    assert "Agenda op mijn telefoon" in again.content.decode()

    # The secret works for the API.
    assert Api(Client(), "/s/alpha", secret).get("/me").status_code == 200


def test_a_token_needs_a_name(login_as: Callable[..., Client], scenario: Scenario) -> None:
    response = login_as("teacher").post(scenario.url("/api/tokens/"), {"name": "   "})
    assert response.status_code == 400
    assert response.context["name_error"]
    assert 'aria-invalid="true"' in response.content.decode()
    assert not ApiToken.objects.exists()
    response = login_as("teacher").post(scenario.url("/api/tokens/"), {"name": "x" * 101})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_the_number_of_active_tokens_is_limited(scenario: Scenario) -> None:
    for n in range(services.MAX_ACTIVE_TOKENS):
        services.api_token_create(user=scenario.teacher, name=f"t{n}")
    with pytest.raises(Conflict):
        services.api_token_create(user=scenario.teacher, name="one too many")
    services.api_token_revoke(user=scenario.teacher, token_id=ApiToken.objects.filter(user=scenario.teacher)[0].pk)
    services.api_token_create(user=scenario.teacher, name="room again")


def test_revoking_a_token_stops_it(login_as: Callable[..., Client], scenario: Scenario) -> None:
    created = services.api_token_create(user=scenario.teacher, name="script")
    api = Api(Client(), "/s/alpha", created.secret)
    assert api.get("/me").status_code == 200
    client = login_as("teacher")
    response = client.post(scenario.url(f"/api/tokens/{created.token.pk}/revoke/"))
    assert response.status_code == 302
    assert response["Location"] == scenario.url("/api/tokens/")
    created.token.refresh_from_db()
    assert created.token.revoked_at is not None
    assert api.get("/me").status_code == 401
    page = client.get(scenario.url("/api/tokens/")).content.decode()
    assert "revoked" in page or "ingetrokken" in page


def test_revoking_needs_post(login_as: Callable[..., Client], scenario: Scenario) -> None:
    created = services.api_token_create(user=scenario.teacher, name="script")
    response = login_as("teacher").get(scenario.url(f"/api/tokens/{created.token.pk}/revoke/"))
    assert response.status_code == 405
    created.token.refresh_from_db()
    assert created.token.revoked_at is None


def test_nobody_revokes_someone_elses_token(login_as: Callable[..., Client], scenario: Scenario) -> None:
    created = services.api_token_create(user=scenario.admin, name="admin script")
    response = login_as("teacher").post(scenario.url(f"/api/tokens/{created.token.pk}/revoke/"), follow=True)
    assert response.status_code == 200
    created.token.refresh_from_db()
    assert created.token.revoked_at is None
    assert "admin script" not in response.content.decode()


def test_the_page_lists_only_my_tokens_in_a_fixed_number_of_queries(
    login_as: Callable[..., Client], scenario: Scenario, django_assert_max_num_queries: QueryCount
) -> None:
    services.api_token_create(user=scenario.admin, name="not mine")
    client = login_as("teacher")
    url = scenario.url("/api/tokens/")
    client.get(url)
    with django_assert_max_num_queries(4) as before:
        client.get(url)
    for n in range(15):
        services.api_token_create(user=scenario.teacher, name=f"mine {n}")
    with django_assert_max_num_queries(len(before.captured_queries)):
        page = client.get(url).content.decode()
    assert "mine 14" in page
    assert "not mine" not in page


def test_the_page_also_works_outside_a_school(login_as: Callable[..., Client]) -> None:
    client = login_as("student")
    assert client.get("/api/tokens/").status_code == 200
