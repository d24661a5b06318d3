"""Degraded mode: the home page from cache while PostgreSQL fails, 503 for the rest, recovery."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.db import OperationalError, connection
from django.db.backends.utils import CursorWrapper
from django.test import Client
from django.test.utils import CaptureQueriesContext

from krijt.core.roles import Role
from krijt.ops import degraded as degraded_module
from tests.scenario import Scenario, clear_cache

pytestmark = pytest.mark.django_db

MONDAY = "2026-11-23 07:30 +0100"


@contextmanager
def database_down(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")

    with monkeypatch.context() as patch:
        patch.setattr(CursorWrapper, "execute", fail)
        patch.setattr(CursorWrapper, "executemany", fail)
        yield


def test_student_sees_the_days_lessons_from_cache_while_the_database_is_down(
    login_as: Callable[..., Client], scenario: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = login_as(Role.STUDENT)
    client.raise_request_exception = False
    with time_machine.travel(MONDAY, tick=False):
        first = client.get(scenario.url("/"))
        assert first.status_code == 200
        assert "read-only-banner" not in first.content.decode()
        with database_down(monkeypatch):
            unnoticed = client.get(scenario.url("/"))  # all from the cache: served as usual
            assert client.get(scenario.url("/messages/sent/")).status_code == 503  # finds the database down
            degraded = client.get(scenario.url("/"))
        assert unnoticed.status_code == 200
        assert "read-only-banner" not in unnoticed.content.decode()
        html = degraded.content.decode()
        assert degraded.status_code == 200
        assert degraded["X-Krijt-Degraded"] == "1"
        assert "Read-only: Krijt is catching up." in html
        assert "08:25" in html
        assert "Wiskunde" in html
        assert "1A" in html
        # Back without a restart: the next request is served from the database again.
        degraded_module.breaker_reset()  # the breaker's pause is over
        back = client.get(scenario.url("/"))
    assert back.status_code == 200
    assert "read-only-banner" not in back.content.decode()
    assert "Wiskunde" in back.content.decode()


def test_without_a_snapshot_the_home_page_is_a_503_message_not_a_trace(
    login_as: Callable[..., Client], scenario: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = login_as(Role.STUDENT)
    client.raise_request_exception = False
    clear_cache()  # this run's keys only: cache.clear() would flush the Redis database other workers share
    with time_machine.travel(MONDAY, tick=False), database_down(monkeypatch):
        response = client.get(scenario.url("/"))
    assert response.status_code == 503
    assert 5 <= int(response["Retry-After"]) <= 20
    assert "Catching up" in response.content.decode()
    assert "Traceback" not in response.content.decode()


def test_a_snapshot_is_not_shown_to_another_session_of_another_user(
    login_as: Callable[..., Client], scenario: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = login_as(Role.STUDENT)
    client.raise_request_exception = False
    with time_machine.travel(MONDAY, tick=False):
        assert client.get(scenario.url("/")).status_code == 200
        other = Client(raise_request_exception=False)
        other.force_login(scenario.teacher, backend="krijt.accounts.backends.KrijtBackend")
        with database_down(monkeypatch):
            response = other.get(scenario.url("/"))
    assert response.status_code == 503


def test_a_write_while_the_database_is_down_says_nothing_was_saved(
    login_as: Callable[..., Client], scenario: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = login_as(Role.STUDENT)
    client.raise_request_exception = False
    with database_down(monkeypatch):
        response = client.post(scenario.url("/accounts/sign-out-everywhere/"))
        api = client.get(scenario.url("/api/v1/me"))
    assert response.status_code == 503
    html = response.content.decode()
    assert "Nothing was saved" in html
    assert "Traceback" not in html
    assert response["Retry-After"]
    assert api.status_code == 503
    assert api.json()["error"]["code"] == "database_unavailable"


def test_signed_in_home_page_reads_the_session_from_cache_once_and_never_from_the_database(
    login_as: Callable[..., Client], scenario: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import connection

    from krijt.accounts.session_backend import SessionStore

    client = login_as(Role.STUDENT)
    with time_machine.travel(MONDAY, tick=False):
        client.get(scenario.url("/"))  # warm: school and session in Redis
        reads: list[str] = []
        backend = type(cache._cache) if hasattr(cache, "_cache") else None
        assert backend is not None
        original_get, original_get_many = backend.get, backend.get_many

        def counting_get(self: Any, key: str, *args: Any, **kwargs: Any) -> Any:
            reads.append(key)
            return original_get(self, key, *args, **kwargs)

        def counting_get_many(self: Any, keys: Any, *args: Any, **kwargs: Any) -> Any:
            keys = list(keys)
            reads.extend(keys)
            return original_get_many(self, keys, *args, **kwargs)

        monkeypatch.setattr(backend, "get", counting_get)
        monkeypatch.setattr(backend, "get_many", counting_get_many)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(scenario.url("/"))
    assert response.status_code == 200
    session_reads = [k for k in reads if SessionStore.cache_key_prefix in k]
    assert len(session_reads) == 1
    assert not [q for q in queries.captured_queries if "krijt_session" in q["sql"]]
    # The user, the roles and the day's lessons; the same bound as the home page's own test.
    assert len(queries) <= 12
    assert not [q for q in queries.captured_queries if "password" in q["sql"] and "UPDATE" in q["sql"]]


def test_the_planner_is_shown_from_cache_while_the_database_is_down(
    login_as: Callable[..., Client], scenario: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    import datetime as dt

    from krijt.planner.models import PlannerItem

    course = scenario.courses[0]
    PlannerItem.objects.create(
        school=scenario.school,
        school_year=scenario.year,
        class_group=course.class_group,
        course=course,
        teacher=course.teacher,
        kind="test",
        title="Breuken",
        description="",
        due_date=dt.date(2026, 11, 25),
        minutes=30,
        visible_from=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
    )
    client = login_as(Role.STUDENT)
    client.raise_request_exception = False
    with time_machine.travel(MONDAY, tick=False):
        first = client.get(scenario.url("/planner/me/"))
        assert first.status_code == 200
        assert "Breuken" in first.content.decode()
        with database_down(monkeypatch):
            # A week never shown before needs the database: a clear message, and the breaker opens.
            other_page = client.get(scenario.url("/planner/me/?week=2026-12-07"))
            degraded = client.get(scenario.url("/planner/me/"))
        assert degraded.status_code == 200
        assert degraded["X-Krijt-Degraded"] == "1"
        html = degraded.content.decode()
        assert "read-only-banner" in html
        assert "Breuken" in html
        assert other_page.status_code == 503  # never shown before: no snapshot, a clear message
        degraded_module.breaker_reset()
        back = client.get(scenario.url("/planner/me/"))
    assert back.status_code == 200
    assert "read-only-banner" not in back.content.decode()


def test_a_planner_snapshot_is_not_shown_to_another_user(
    login_as: Callable[..., Client], scenario: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    student = login_as(Role.STUDENT)
    with time_machine.travel(MONDAY, tick=False):
        assert student.get(scenario.url("/planner/me/")).status_code == 200
        other = Client(raise_request_exception=False)
        other.force_login(scenario.students[1], backend="krijt.accounts.backends.KrijtBackend")
        with database_down(monkeypatch):
            response = other.get(scenario.url("/planner/me/"))
    assert response.status_code == 503


def test_after_a_failure_snapshots_are_served_without_waiting_on_the_database(
    login_as: Callable[..., Client], scenario: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The breaker: for a short pause after a database error, snapshot pages skip the database (each
    try would hold an admission slot for the pool's connection timeout)."""
    client = login_as(Role.STUDENT)
    client.raise_request_exception = False
    with time_machine.travel(MONDAY, tick=False):
        assert client.get(scenario.url("/")).status_code == 200
        assert client.get(scenario.url("/planner/me/")).status_code == 200
        with database_down(monkeypatch):
            # A page that needs the database trips the breaker (Today and this week come from the cache).
            assert client.get(scenario.url("/planner/me/?week=2027-03-01")).status_code == 503
        with CaptureQueriesContext(connection) as queries:
            home = client.get(scenario.url("/"))
            planner = client.get(scenario.url("/planner/me/"))
        assert home["X-Krijt-Degraded"] == "1"
        assert planner["X-Krijt-Degraded"] == "1"
        assert len(queries) == 0
        degraded_module.breaker_reset()
        assert "X-Krijt-Degraded" not in client.get(scenario.url("/"))


def test_an_unchanged_page_is_not_copied_again_on_every_render(
    login_as: Callable[..., Client], scenario: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The planner's read-only copy is written when the page changes (or every REWRITE_SECONDS), not on
    each of a lesson change's many reloads."""
    import datetime as dt

    from krijt.planner import services as planner_services

    written: list[str] = []
    real_set = cache.set

    def counting_set(key: str, *args: Any, **kwargs: Any) -> Any:
        written.append(key)
        return real_set(key, *args, **kwargs)

    monkeypatch.setattr(cache, "set", counting_set)
    client = login_as(Role.STUDENT)
    with time_machine.travel(MONDAY, tick=False):
        for _ in range(3):
            assert client.get(scenario.url("/planner/me/")).status_code == 200
        assert len([k for k in written if "ops:page:" in k]) == 1
        planner_services.item_plan(school=scenario.school, actor=scenario.teacher,
                                   roles=frozenset({Role.TEACHER}), course=scenario.courses[0], kind="task",
                                   title="Nieuwe taak", due_date=dt.date(2026, 11, 25), minutes=10,
                                   override_reason="test")
        assert "Nieuwe taak" in client.get(scenario.url("/planner/me/")).content.decode()
    assert len([k for k in written if "ops:page:" in k]) == 2
