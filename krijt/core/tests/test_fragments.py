"""Remembered fragments: rendered once per content, language and release; never from another content."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import translation

from krijt.core import fragments
from krijt.core.fragments import Fragment


@pytest.fixture(autouse=True)
def _empty_local() -> Iterator[None]:
    fragments.forget_local()
    yield
    fragments.forget_local()


@pytest.fixture
def renders(fragment_renders: list[str]) -> list[str]:
    return fragment_renders


LESSONS: dict[str, Any] = {"s": {
    "days": {"is_today": True}, "place": {"class_id": 1, "class_name": "1A"}, "current": None, "upcoming": None,
    "lessons": [{"starts": "08:25", "ends": "09:15", "course": "Wiskunde", "room": "B1", "teacher": "Els",
                 "url": "/x/"}],
}}


def test_a_fragment_is_rendered_once_and_then_remembered_here_and_in_the_shared_cache(renders: list[str]) -> None:
    fragment = Fragment("home/_student_lessons.html", LESSONS)
    with translation.override("en"):
        first = fragments.render_many({"a": fragment})["a"]
        again = fragments.render_many({"a": fragment})["a"]
        assert renders == ["home/_student_lessons.html"]
        fragments.forget_local()  # another web process: the shared cache has it
        elsewhere = fragments.render_many({"a": fragment})["a"]
    assert renders == ["home/_student_lessons.html"]
    assert first == again == elsewhere
    assert "Wiskunde" in first


def test_other_content_or_language_is_another_fragment(renders: list[str]) -> None:
    changed = {"s": {**LESSONS["s"], "lessons": [{**LESSONS["s"]["lessons"][0], "course": "Frans"}]}}
    with translation.override("en"):
        english = fragments.render_many({"a": Fragment("home/_student_lessons.html", LESSONS)})["a"]
        other = fragments.render_many({"a": Fragment("home/_student_lessons.html", changed)})["a"]
    with translation.override("nl"):
        dutch = fragments.render_many({"a": Fragment("home/_student_lessons.html", LESSONS)})["a"]
    assert len(renders) == 3
    assert "Frans" in other
    assert "Wiskunde" not in other
    assert "Today's lessons" in english
    assert "Today's lessons" not in dutch


def test_a_new_release_of_the_templates_never_serves_the_old_html(
    renders: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fragment = Fragment("home/_student_lessons.html", LESSONS)
    fragments.render_many({"a": fragment})
    fragments.forget_local()
    monkeypatch.setattr(fragments, "_release", "another-release")
    fragments.render_many({"a": fragment})
    assert len(renders) == 2


def test_without_the_shared_cache_fragments_are_rendered(renders: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    def down(*args: Any, **kwargs: Any) -> Any:
        raise ConnectionError("redis is down")

    monkeypatch.setattr(cache, "get_many", down)
    monkeypatch.setattr(cache, "set_many", down)
    html = fragments.render_many({"a": Fragment("home/_student_lessons.html", LESSONS)})["a"]
    assert "Wiskunde" in html
    assert renders == ["home/_student_lessons.html"]


def test_the_process_keeps_a_bounded_number(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fragments, "LOCAL_SIZE", 3)
    for n in range(5):
        context = {"s": {**LESSONS["s"], "place": {"class_id": n, "class_name": f"{n}A"}}}
        fragments.render_many({"a": Fragment("home/_student_lessons.html", context)})
    assert len(fragments._local) == 3


def test_equal_content_is_one_key_whatever_objects_it_shares() -> None:
    """A part just built shares objects between its rows; read back from the cache it does not. Both are
    the same content, so both must find the same fragment (found when classmates rendered twice)."""
    one = "".join(["1", "A"])
    shared: dict[str, Any] = {"s": {"place": {"class_name": one}, "lessons": [{"class_name": one}]}}
    separate: dict[str, Any] = {
        "s": {"place": {"class_name": "".join(["1", "A"])}, "lessons": [{"class_name": "".join(["1", "A"])}]},
    }
    assert shared["s"]["place"]["class_name"] is shared["s"]["lessons"][0]["class_name"]
    assert separate["s"]["place"]["class_name"] is not separate["s"]["lessons"][0]["class_name"]
    template = "home/_student_lessons.html"
    assert fragments.key_for(Fragment(template, shared)) == fragments.key_for(Fragment(template, separate))
