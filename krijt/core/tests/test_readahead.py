"""Reading ahead: what a request is sure to read comes in one round trip, is handed out once, never outlives
a change the request makes itself, and a cache that fails only costs the round trips it saved."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from krijt.accounts.session_backend import read_ahead_keys as session_keys
from krijt.core import parts, readahead
from krijt.schools.middleware import read_ahead_keys as school_keys

SCOPE = parts.scope(1, "readahead-test", 3)


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, ...]]:
    """Every read of the cache (one entry per round trip: the keys asked for)."""
    backend = caches["default"]
    seen: list[tuple[str, ...]] = []
    get, get_many = backend.get, backend.get_many

    def counted_get(key: str, *args: Any, **kwargs: Any) -> Any:
        seen.append((key,))
        return get(key, *args, **kwargs)

    def counted_get_many(keys: Any, *args: Any, **kwargs: Any) -> Any:
        keys = list(keys)
        seen.append(tuple(keys))
        return get_many(keys, *args, **kwargs)

    monkeypatch.setattr(backend, "get", counted_get)
    monkeypatch.setattr(backend, "get_many", counted_get_many)
    return seen


def in_request(body: Callable[[], Any]) -> Any:
    """Runs `body` as a view would, inside ReadAheadMiddleware (no provider names a key for this path)."""
    out: list[Any] = []

    def view(request: HttpRequest) -> HttpResponse:
        out.append(body())
        return HttpResponse("ok")

    readahead.ReadAheadMiddleware(view)(RequestFactory().get("/health/"))
    return out[0]


def test_keys_read_ahead_come_in_one_round_trip_and_are_handed_out_once(reads: list[tuple[str, ...]]) -> None:
    cache = caches["default"]
    cache.set("ra-one", "first")

    def body() -> list[Any]:
        readahead.read(["ra-one", "ra-absent"])
        return [readahead.take("ra-one"), readahead.take("ra-one"), readahead.take("ra-absent"),
                readahead.take("ra-never-read")]

    first, again, absent, never = in_request(body)
    assert first == "first"
    assert again is readahead.MISSING  # a second reader goes to the cache itself
    assert absent is None  # read ahead, and the cache had nothing
    assert never is readahead.MISSING
    assert reads == [("ra-one", "ra-absent")]


def test_nothing_is_read_ahead_outside_a_request(reads: list[tuple[str, ...]]) -> None:
    readahead.read(["ra-one"])
    assert readahead.take("ra-one") is readahead.MISSING
    assert not readahead.active()
    assert reads == []


def test_prefetched_parts_cost_no_round_trip_and_are_built_only_when_stale(reads: list[tuple[str, ...]]) -> None:
    built: list[str] = []

    def part(value: str) -> parts.Part:
        def build() -> str:
            built.append(value)
            return value

        return parts.Part(parts.key(1, "readahead-test", 3), (SCOPE,), build)

    parts.fetch([part("first")])  # built and stored
    reads.clear()

    def body() -> list[Any]:
        parts.prefetch([part("unused")])
        return parts.fetch([part("unused")])

    assert in_request(body) == ["first"]
    assert len(reads) == 1  # the prefetch; the fetch took what it read
    assert built == ["first"]


def test_a_version_the_request_bumps_is_not_taken_from_what_it_read_ahead() -> None:
    """A write and then a read of the same part in one request (a form that saves and shows the result)."""
    rows = ["before"]

    def part() -> parts.Part:
        return parts.Part(parts.key(1, "readahead-test", 3), (SCOPE,), lambda: rows[0])

    assert parts.fetch([part()]) == ["before"]

    def body() -> list[Any]:
        parts.prefetch([part()])
        rows[0] = "after"
        parts.bump(SCOPE)
        return parts.fetch([part()])

    assert in_request(body) == ["after"]


def test_a_cache_that_fails_while_reading_ahead_leaves_every_key_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    def down(*args: object, **kwargs: object) -> object:
        raise ConnectionError("redis is down")

    monkeypatch.setattr(caches["default"], "get_many", down)

    def body() -> list[Any]:
        readahead.read(["ra-one"])
        return [readahead.take("ra-one")]

    assert in_request(body) == [None]


def test_only_a_well_formed_session_cookie_and_a_school_address_are_read_ahead() -> None:
    factory = RequestFactory()
    good = factory.get("/s/sint-jan/planner/", HTTP_COOKIE="krijt_session=" + "a1" * 16)
    assert session_keys(good) == ["django.contrib.sessions.cached_db" + "a1" * 16]
    assert school_keys(good) == ["school:slug:sint-jan"]
    odd = factory.get("/health/", HTTP_COOKIE="krijt_session=" + "x" * 5000)
    assert session_keys(odd) == []
    assert school_keys(odd) == []
    assert session_keys(factory.get("/", HTTP_COOKIE="krijt_session=ABC;DEF")) == []


def visit(body: Callable[[], Any], *, cookie: str, method: str = "GET", status: int = 200) -> None:
    def view(request: HttpRequest) -> HttpResponse:
        body()
        return HttpResponse("ok", status=status)

    request = getattr(RequestFactory(), method.lower())("/health/", HTTP_COOKIE=f"krijt_session={cookie}")
    readahead.ReadAheadMiddleware(view)(request)


def test_a_second_visit_reads_ahead_the_parts_the_first_one_read(reads: list[tuple[str, ...]]) -> None:
    readahead.forget_learned()
    built: list[int] = []

    def build() -> str:
        built.append(1)
        return "page"

    page_part = parts.Part(parts.key(1, "readahead-page", 3), (SCOPE,), build)

    def page() -> None:
        assert parts.fetch([page_part]) == ["page"]

    visit(page, cookie="c" * 32)
    reads.clear()
    visit(page, cookie="c" * 32)
    assert len(reads) == 1
    assert page_part.key in reads[0]  # read with the rest, before the page asked
    assert built == [1]
    reads.clear()
    visit(page, cookie="d" * 32)  # another session: nothing learned for it
    assert page_part.key not in reads[0]


def test_only_successful_reads_are_learned_and_the_memory_is_bounded(
    reads: list[tuple[str, ...]], monkeypatch: pytest.MonkeyPatch
) -> None:
    readahead.forget_learned()
    page_part = parts.Part(parts.key(1, "readahead-page", 4), (SCOPE,), lambda: "page")

    def page() -> None:
        parts.fetch([page_part])

    visit(page, cookie="e" * 32, status=404)
    visit(page, cookie="f" * 32, method="POST")
    reads.clear()
    visit(page, cookie="e" * 32)
    visit(page, cookie="f" * 32)
    assert all(page_part.key not in r for r in reads[::2])  # the first read of each visit: nothing learned
    monkeypatch.setattr(readahead, "LEARNED_SIZE", 2)
    for cookie in ("g", "h", "i"):
        visit(page, cookie=cookie * 32)
    assert len(readahead._learned) == 2
