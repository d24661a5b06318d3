"""How a hand-in notification reads (feedback returned on a task), registered with the engine."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext

KIND = "handin_feedback"


def render_feedback(params: Mapping[str, Any], language: str) -> Any:
    from krijt.notifications.kinds import Rendered

    title = gettext("Feedback on %(title)s") % {"title": params.get("title", "")}
    text = gettext("%(teacher)s returned your work for %(course)s.") % {
        "teacher": params.get("teacher", ""), "course": params.get("course", "")}
    return Rendered(title=title, text=text)


def register_kind() -> None:
    from krijt.notifications import kinds

    kinds.register(KIND, render_feedback)
