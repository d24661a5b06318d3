"""Fixtures shared by every test: the scenario school and login_as(role)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client

from tests.scenario import Scenario, build_school, clear_cache, english_client


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    from krijt.ops.degraded import breaker_reset

    clear_cache()
    breaker_reset()  # a degraded-mode pause of an earlier test must not reach into this one


@pytest.fixture(autouse=True)
def _english_outside_requests() -> Iterator[None]:
    """Code run by a test outside a request (services, tasks, parsers) speaks English; requests still
    choose their language as users' browsers do, and tests of Dutch or French ask for it explicitly."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def client() -> Client:
    """A test client that reads English: assertions on text stay readable whatever the default language."""
    return english_client()


@pytest.fixture
def scenario(db: None) -> Scenario:
    return build_school("alpha")


@pytest.fixture
def other_school(db: None) -> Scenario:
    return build_school("beta", "Atheneum Beta")


@pytest.fixture
def login_as(client: Client, scenario: Scenario) -> Callable[..., Client]:
    """login_as("teacher") signs the test client in as the scenario's teacher (no password hash)."""

    def _login(role: str, *, user: Any = None) -> Client:
        # Another person on the same browser: as a real sign-in does, the last person's notes are not carried
        # over (krijt.accounts.signals; force_login has no response to clear them with).
        client.cookies.pop("messages", None)
        client.force_login(user or scenario.user_for(role), backend="krijt.accounts.backends.KrijtBackend")
        return client

    return _login


@pytest.fixture
def fragment_renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The templates krijt.core.fragments renders from here on (a fragment found in a cache is not
    rendered), starting from an empty process cache."""
    from krijt.core import fragments

    fragments.forget_local()
    rendered: list[str] = []
    original = fragments.render_to_string

    def counting(name: str, context: Any = None, *args: Any, **kwargs: Any) -> str:
        rendered.append(name)
        return original(name, context, *args, **kwargs)

    monkeypatch.setattr(fragments, "render_to_string", counting)
    return rendered
