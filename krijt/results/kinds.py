"""How a new result reads in notifications: the course only, never the score."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext

KIND = "result"
# Results and report cards: what an adult student may keep from their parents.
TOPIC = "results"


def render_result(params: Mapping[str, Any], language: str) -> Any:
    from krijt.notifications.kinds import Rendered

    course = str(params.get("course", ""))
    text = str(params.get("student", "")) if params.get("student") else ""
    return Rendered(title=gettext("A new result in %(course)s") % {"course": course}, text=text)


def register_kind() -> None:
    from krijt.notifications import kinds
    from krijt.results.selectors import hidden_from_parents

    kinds.register(KIND, render_result, topic=TOPIC)
    kinds.register_parent_gate(TOPIC, lambda school, ids: hidden_from_parents(school=school, student_ids=ids))
