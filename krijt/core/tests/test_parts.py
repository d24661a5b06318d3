"""Cached parts stay right by versions, never by expiry: built once, rebuilt after a bump, never kept under a
version a concurrent writer has already replaced, and built from the database when the cache fails."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache

from krijt.core import parts

SCOPE = parts.scope(1, "test-scope", 7)


def counting(value: Any) -> tuple[list[int], Callable[[], Any]]:
    calls: list[int] = []

    def build() -> Any:
        calls.append(1)
        return value

    return calls, build


def part(build: Callable[[], Any], name: str = "p") -> parts.Part:
    return parts.Part(parts.key(1, name, 7), (SCOPE,), build)


def test_a_part_is_built_once_and_then_read_from_the_cache() -> None:
    calls, build = counting({"a": 1})
    assert parts.fetch([part(build)]) == [{"a": 1}]
    assert parts.fetch([part(build)]) == [{"a": 1}]
    assert len(calls) == 1


def test_a_bump_makes_every_part_of_the_scope_stale() -> None:
    values = iter(["old", "new"])
    calls, _ = counting(None)

    def build() -> str:
        calls.append(1)
        return next(values)

    other_calls, other = counting("other")
    unrelated = parts.Part(parts.key(1, "q", 7), (parts.scope(1, "another", 7),), other)
    assert parts.fetch([part(build), unrelated]) == ["old", "other"]
    parts.bump(SCOPE)
    assert parts.fetch([part(build), unrelated]) == ["new", "other"]
    assert len(calls) == 2
    assert len(other_calls) == 1


def test_a_part_built_while_a_writer_bumps_is_not_kept_as_current() -> None:
    """The reader read the version before the writer's bump: what it stores carries that old version."""
    rows = ["before"]

    def build() -> str:
        value = rows[0]
        rows[0] = "after"  # the writer changes the rows and bumps while this reader builds
        parts.bump(SCOPE)
        return value

    assert parts.fetch([part(build)]) == ["before"]
    assert parts.fetch([part(lambda: rows[0])]) == ["after"]


def test_an_evicted_version_never_lets_an_old_part_through() -> None:
    calls, build = counting("value")
    parts.fetch([part(build)])
    cache.delete(SCOPE)  # evicted under memory pressure
    parts.fetch([part(build)])
    assert len(calls) == 2
    parts.fetch([part(build)])
    assert len(calls) == 2  # the new version holds from then on


def test_a_failing_cache_costs_speed_not_correctness(monkeypatch: pytest.MonkeyPatch) -> None:
    calls, build = counting("from the database")

    def down(*args: Any, **kwargs: Any) -> Any:
        raise ConnectionError("redis is down")

    monkeypatch.setattr(cache, "get_many", down)
    assert parts.fetch([part(build), part(build, "other")]) == ["from the database", "from the database"]
    assert len(calls) == 2
    monkeypatch.setattr(cache, "set_many", down)
    parts.bump(SCOPE)  # a bump that cannot be written drops the versions instead of failing the write


@pytest.mark.django_db(transaction=True)
def test_a_bump_inside_a_transaction_bumps_again_at_commit() -> None:
    from django.db import transaction

    with transaction.atomic():
        parts.bump(SCOPE)
        during = cache.get(SCOPE)
        assert during is not None
    assert cache.get(SCOPE) not in (None, during)
