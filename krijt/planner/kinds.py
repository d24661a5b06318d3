"""How planner notifications read (a new, changed or cancelled task or test), registered with the engine."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils import formats
from django.utils.translation import gettext

KIND = "planner"


def render_planner(params: Mapping[str, Any], language: str) -> Any:
    from krijt.notifications.kinds import Rendered

    kind = gettext("Test") if params.get("kind") == "test" else gettext("Task")
    due = params.get("due_date")
    due_text = formats.date_format(dt.date.fromisoformat(due), "l j F") if due else ""
    change = params.get("change", "new")
    if change == "cancelled":
        title = gettext("Cancelled: %(kind)s %(course)s") % {"kind": kind.lower(), "course": params.get("course", "")}
    elif change == "changed":
        title = gettext("Changed: %(kind)s %(course)s") % {"kind": kind.lower(), "course": params.get("course", "")}
    else:
        title = gettext("New %(kind)s for %(course)s") % {"kind": kind.lower(), "course": params.get("course", "")}
    text = gettext("%(title)s, on %(date)s") % {"title": params.get("title", ""), "date": due_text}
    return Rendered(title=title, text=text)


def register_kind() -> None:
    from krijt.notifications import kinds

    kinds.register(KIND, render_planner)
