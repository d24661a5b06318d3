"""The session store: a sign-in costs one INSERT and one cache write, and nothing is lost on the way."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.sessions.backends.base import UpdateError
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from krijt.accounts import session_backend
from krijt.accounts.models import DeviceSession as Session
from krijt.accounts.session_backend import SessionStore
from tests.scenario import TEST_PASSWORD, Scenario

pytestmark = pytest.mark.django_db


class CacheCalls:
    """Counts the Redis round trips of Django's cache API (each method below is one)."""

    METHODS = ("get", "set", "add", "delete", "get_many", "delete_many", "incr", "has_key", "set_many")

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[str] = []
        backend = type(cache._cache) if hasattr(cache, "_cache") else None  # type: ignore[attr-defined]
        assert backend is not None
        for name in self.METHODS:
            original = getattr(backend, name)
            monkeypatch.setattr(backend, name, self._counting(name, original))

    def _counting(self, name: str, original: Any) -> Any:
        def counted(inner: Any, *args: Any, **kwargs: Any) -> Any:
            self.calls.append(name)
            return original(inner, *args, **kwargs)

        return counted


@pytest.mark.django_db(transaction=True)  # in autocommit, as in production: no test transaction around it
def test_a_sign_in_writes_its_session_with_one_insert_and_few_round_trips(
    client: Client, scenario: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    client.get(scenario.url("/accounts/sign-in/"))  # the school in the cache, as on a real morning
    calls = CacheCalls(monkeypatch)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            scenario.url("/accounts/sign-in/"),
            {"username": scenario.student.username, "password": TEST_PASSWORD, "keep_signed_in": "on"},
        )
    assert response.status_code == 302
    sql = [q["sql"] for q in queries.captured_queries]
    session_sql = [s for s in sql if "krijt_session" in s]
    assert len(session_sql) == 1
    assert session_sql[0].startswith("INSERT")
    assert not [s for s in sql if s in ("BEGIN", "COMMIT") or s.startswith("SAVEPOINT")]
    # The user, last_login, the roles for the redirect, the session: nothing that grows.
    assert len(sql) <= 4
    # Limits read in one round trip; no reset when nothing was counted; roles (versions, part, store); session.
    assert calls.calls.count("get_many") <= 3
    assert "delete_many" not in calls.calls
    assert len(calls.calls) <= 6
    home = client.get(scenario.url("/"))
    assert home.status_code == 200
    assert home.wsgi_request.user == scenario.student


def test_session_keys_are_32_characters_of_the_session_alphabet_and_differ() -> None:
    from django.contrib.sessions.backends.base import VALID_KEY_CHARS

    keys = {session_backend.new_session_key() for _ in range(2000)}
    assert len(keys) == 2000
    assert all(len(k) == 32 and set(k) <= set(VALID_KEY_CHARS) for k in keys)
    # Every position uses the whole alphabet (no character stuck by the conversion).
    for position in (0, 15, 31):
        assert len({k[position] for k in keys}) == len(VALID_KEY_CHARS)


def test_a_new_session_is_not_written_until_it_is_saved() -> None:
    store = SessionStore()
    with CaptureQueriesContext(connection) as queries:
        store.create()
    assert store.session_key
    assert len(store.session_key) == 32
    assert not queries.captured_queries
    store["note"] = "hallo"
    store.save()
    assert SessionStore(store.session_key)["note"] == "hallo"
    assert Session.objects.filter(session_key=store.session_key).count() == 1


def test_a_key_drawn_twice_is_drawn_again_and_nothing_is_overwritten(monkeypatch: pytest.MonkeyPatch) -> None:
    taken = SessionStore()
    taken["owner"] = "first"
    taken.save()
    draws = iter([taken.session_key, "b" * 32])
    monkeypatch.setattr(session_backend, "new_session_key", lambda: next(draws))
    store = SessionStore()
    store["owner"] = "second"
    store.save()
    assert store.session_key == "b" * 32
    assert SessionStore(taken.session_key)["owner"] == "first"
    assert SessionStore("b" * 32)["owner"] == "second"


def test_a_key_drawn_twice_inside_a_transaction_does_not_break_it(monkeypatch: pytest.MonkeyPatch) -> None:
    taken = SessionStore()
    taken.save()
    draws = iter([taken.session_key, "c" * 32])
    monkeypatch.setattr(session_backend, "new_session_key", lambda: next(draws))
    with transaction.atomic():
        store = SessionStore()
        store["x"] = 1
        store.save()
        assert Session.objects.filter(session_key="c" * 32).exists()  # the transaction still works


def test_an_existing_session_is_updated_and_a_vanished_one_is_an_update_error() -> None:
    store = SessionStore()
    store["n"] = 1
    store.save()
    again = SessionStore(store.session_key)
    again["n"] = 2
    with CaptureQueriesContext(connection) as queries:
        again.save()
    statements = [q["sql"].split()[0] for q in queries.captured_queries]
    # The test's own transaction puts a savepoint around it; in autocommit it is the UPDATE alone.
    assert [s for s in statements if s not in ("SAVEPOINT", "RELEASE")] == ["UPDATE"]
    assert SessionStore(store.session_key)["n"] == 2
    Session.objects.filter(session_key=store.session_key).delete()
    gone = SessionStore(store.session_key)
    gone._session_cache = {"n": 3}
    with pytest.raises(UpdateError):
        gone.save()
