from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from krijt.accounts.models import User
from krijt.api import services
from tests.scenario import Scenario


class Api:
    """Calls the API of a school the way a client program does, and decodes the JSON answer."""

    def __init__(self, client: Client, prefix: str, token: str | None = None) -> None:
        self.client = client
        self.prefix = prefix
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"{self.prefix}/api/v1{path}", params, headers=self.headers)

    def post(self, path: str, data: Any, **headers: str) -> Any:
        return self.client.post(f"{self.prefix}/api/v1{path}", json.dumps(data), content_type="application/json",
                                headers={**self.headers, **headers})

    def put(self, path: str, data: Any, **headers: str) -> Any:
        return self.client.put(f"{self.prefix}/api/v1{path}", json.dumps(data), content_type="application/json",
                               headers={**self.headers, **headers})

    def post_form(self, path: str, data: dict[str, Any], **headers: str) -> Any:
        """multipart/form-data, as a client sends files."""
        return self.client.post(f"{self.prefix}/api/v1{path}", data, headers={**self.headers, **headers})

    def delete(self, path: str, **headers: str) -> Any:
        return self.client.delete(f"{self.prefix}/api/v1{path}", headers={**self.headers, **headers})


@pytest.fixture
def api_as(login_as: Callable[..., Client], scenario: Scenario) -> Callable[..., Api]:
    """api_as("teacher") is an API client signed in with a browser session as the scenario's teacher."""

    def _api(role: str, *, user: User | None = None) -> Api:
        return Api(login_as(role, user=user), f"/s/{scenario.school.slug}")

    return _api


@pytest.fixture
def anonymous_api(client: Client, scenario: Scenario) -> Api:
    return Api(client, f"/s/{scenario.school.slug}")


@pytest.fixture
def token_for() -> Callable[[User], str]:
    def _token(user: User) -> str:
        return services.api_token_create(user=user, name="test").secret

    return _token


def error_of(response: Any) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"}, body
    assert {"code", "message"} <= set(body["error"]), body
    return body["error"]  # type: ignore[no-any-return]
