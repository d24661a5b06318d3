from __future__ import annotations

import pytest
from django.test import Client

from krijt.core.testing import TEST_PASSWORD, Scenario


@pytest.mark.django_db
def test_sign_in_right_password_reaches_home(client: Client, scenario: Scenario) -> None:
    response = client.post(scenario.url("/accounts/sign-in/"),
                           {"username": scenario.student.username.upper(), "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == scenario.url("/")
    home = client.get(scenario.url("/"))
    assert home.status_code == 200
    assert "Wiskunde" in home.content.decode() or "No lessons" in home.content.decode() or home.status_code == 200


@pytest.mark.django_db
def test_sign_in_wrong_password_is_refused(client: Client, scenario: Scenario) -> None:
    response = client.post(scenario.url("/accounts/sign-in/"),
                           {"username": scenario.student.username, "password": "wrong"})
    assert response.status_code == 400
    assert not client.session.get("_auth_user_id")
