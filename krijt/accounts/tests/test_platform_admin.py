"""The platform administration signs in through Krijt's sign-in and lives on the platform host only."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from krijt.accounts.models import User
from tests.scenario import TEST_PASSWORD, Scenario, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(scenario: Scenario) -> User:
    return make_user("platform.op", "Olga", "Operator", is_staff=True, is_superuser=True)


def test_the_admin_sign_in_is_krijts_own(client: Client, operator: User) -> None:
    response = client.get("/platform-admin/login/?next=/platform-admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/sign-in/?next=")
    # Django's own form is gone: posting a password to it signs nobody in.
    response = client.post("/platform-admin/login/", {"username": operator.username, "password": TEST_PASSWORD})
    assert "_auth_user_id" not in client.session
    # Through Krijt's sign-in the operator reaches the administration.
    response = client.post("/accounts/sign-in/?next=/platform-admin/",
                           {"username": operator.username, "password": TEST_PASSWORD, "next": "/platform-admin/"})
    assert response.status_code == 302
    assert response["Location"] == "/platform-admin/"
    assert client.get("/platform-admin/").status_code == 200


def test_guessing_an_operators_password_meets_the_sign_in_limits(client: Client, operator: User) -> None:
    limit, _window = settings.KRIJT_LOGIN_LIMITS["address_account"]
    for _ in range(limit):
        client.post("/accounts/sign-in/?next=/platform-admin/", {"username": operator.username, "password": "x"})
    response = client.post("/accounts/sign-in/?next=/platform-admin/",
                           {"username": operator.username, "password": TEST_PASSWORD})
    assert response.status_code == 429


def test_a_signed_in_non_operator_is_refused_not_looped(login_as, scenario: Scenario) -> None:  # type: ignore[no-untyped-def]
    client = login_as("admin")
    assert client.get("/platform-admin/login/?next=/platform-admin/").status_code == 403


def test_never_under_a_school_prefix_or_sub_domain(client: Client, scenario: Scenario, operator: User) -> None:
    client.force_login(operator, backend="krijt.accounts.backends.KrijtBackend")
    assert client.get("/platform-admin/").status_code == 200
    assert client.get("/s/alpha/platform-admin/").status_code == 404
    assert client.get("/s/alpha/platform-admin/login/").status_code == 404
    assert client.get("/platform-admin/", HTTP_HOST="alpha.krijt.test").status_code == 404
