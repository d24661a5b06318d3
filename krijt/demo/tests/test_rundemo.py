"""rundemo: migrate, seed only when the demo school is missing, start the worker, serve on 127.0.0.1."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from krijt.demo.management.commands import rundemo
from krijt.demo.services import DEMO_PASSWORD
from tests.scenario import build_school

pytestmark = pytest.mark.django_db


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, tuple[Any, ...], dict[str, Any]]]:
    """Records the commands rundemo runs instead of running migrate, the seed and the server."""
    recorded: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def fake_call_command(name: str, *args: Any, **kwargs: Any) -> None:
        recorded.append((name, args, kwargs))
        if name == "demo_seed":
            build_school("demo", "Sint-Lutgardiscollege")

    monkeypatch.setattr(rundemo, "call_command", fake_call_command)
    # rundemo points e-mail links at its own port; the next test gets the address back.
    monkeypatch.setattr(settings, "KRIJT_SITE_URL", settings.KRIJT_SITE_URL)
    monkeypatch.setattr(rundemo, "start_background_worker", lambda: recorded.append(("worker", (), {})))
    return recorded


def run(*args: str) -> str:
    out = StringIO()
    call_command("rundemo", *args, stdout=out)
    return out.getvalue()


def test_rundemo_seeds_a_missing_demo_then_serves(calls: list[Any]) -> None:
    output = run()
    assert [c[0] for c in calls] == ["migrate", "demo_seed", "worker", "runserver"]
    assert calls[-1][1] == ("127.0.0.1:8000",)
    assert calls[-1][2] == {"use_reloader": False, "use_threading": True}
    assert "http://127.0.0.1:8000/s/demo/" in output
    assert f'password "{DEMO_PASSWORD}"' in output
    for role in ("student", "teacher", "parent", "administrator"):
        assert f"  {role} " in output
    assert "demo.admin" in output
    assert "demo.student1 " in output
    assert "demo.parent1 " in output


def test_rundemo_uses_an_existing_demo_and_the_given_port(calls: list[Any]) -> None:
    build_school("demo")
    output = run("--port", "8123")
    assert [c[0] for c in calls] == ["migrate", "worker", "runserver"]
    assert calls[-1][1] == ("127.0.0.1:8123",)
    assert "http://127.0.0.1:8123/s/demo/" in output


def test_links_in_e_mails_follow_the_demos_port(calls: list[Any], monkeypatch: pytest.MonkeyPatch) -> None:
    from krijt.notifications.emails import absolute_url
    from krijt.schools.models import School

    monkeypatch.delenv("KRIJT_SITE_URL", raising=False)
    build_school("demo")
    run("--port", "8123")
    school = School.objects.get(slug="demo")
    assert absolute_url(school, "/planner/") == "http://127.0.0.1:8123/s/demo/planner/"


def test_a_site_address_set_for_the_demo_is_kept(calls: list[Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KRIJT_SITE_URL", "https://demo.example.org")
    monkeypatch.setattr(settings, "KRIJT_SITE_URL", "https://demo.example.org")
    build_school("demo")
    run("--port", "8123")
    assert settings.KRIJT_SITE_URL == "https://demo.example.org"


def test_rundemo_refuses_a_bad_port(calls: list[Any]) -> None:
    with pytest.raises(CommandError):
        run("--port", "70000")
    assert calls == []
