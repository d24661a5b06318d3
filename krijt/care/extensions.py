"""How other modules add to a student's follow-up timeline without the follow-up record importing them.

A source (registered by attendance, results, ...) gets the reading staff member, their roles and one
student over a span of days, applies its own module's rules of who may see what, and returns entries:
nothing when the reader may not see that part of the student. The care pages merge them with the notes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Entry:
    day: dt.date
    source: str  # what the entry is about, as shown: "Attendance", "Results"
    title: str
    detail: str = ""
    url: str = ""
    signal: bool = False  # worth attention: an unexplained absence, a result below half


Source = Callable[..., list[Entry]]  # source(school=, user=, roles=, student=, start=, end=)
_sources: dict[str, Source] = {}


def register_timeline_source(name: str, source: Source) -> None:
    _sources[name] = source


def timeline_entries(*, school: Any, user: Any, roles: frozenset[str], student: Any, start: dt.date,
                     end: dt.date) -> list[Entry]:
    entries: list[Entry] = []
    for _name, source in sorted(_sources.items()):
        entries.extend(source(school=school, user=user, roles=roles, student=student, start=start, end=end))
    return entries
