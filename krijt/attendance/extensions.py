"""Hooks through which other modules add to the register without attendance importing them.

`register_suggestion(source)`: source(school=, course_id=, day=, period=) returns a `Suggestion` for that lesson
or None. The register page offers each one to the teacher, who may take it over into the form and still has to
check it and save: a suggestion never marks anyone by itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Suggestion:
    key: str  # names the suggestion in the page's address (?suggest=<key>)
    label: str  # what it is drawn from, e.g. "the live lesson"
    present: frozenset[int]  # the students it counts as present; everyone else of the class is suggested absent


Source = Callable[..., Suggestion | None]
_sources: list[Source] = []


def register_suggestion(source: Source) -> None:
    if source not in _sources:
        _sources.append(source)


def suggestions(*, school: Any, course_id: int, day: dt.date, period: int) -> list[Suggestion]:
    found = []
    for source in _sources:
        suggestion = source(school=school, course_id=course_id, day=day, period=period)
        if suggestion is not None:
            found.append(suggestion)
    return found
