"""How attendance notifications read, registered with the engine.

- A reason request: the school has no reason for a child's absence yet. Parents get it once a day at most
  per child, only in their daily digest (never as a push of its own), and it is taken back when the absence
  is explained before the digest leaves.
- A follow-up: problematic absence reached a threshold; for the class mentor or the care team.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils import formats
from django.utils.translation import gettext

REASON = "attendance_reason"
FOLLOW_UP = "attendance_followup"
TOPIC = "attendance"


def _day(value: Any) -> str:
    try:
        return str(formats.date_format(dt.date.fromisoformat(str(value)), "l j F"))
    except ValueError:
        return str(value)


def render_reason(params: Mapping[str, Any], language: str) -> Any:
    from krijt.notifications.kinds import Rendered

    title = gettext("A reason for %(child)s's absence?") % {"child": params.get("child", "")}
    text = gettext("%(child)s was not in class on %(day)s and the school has no reason yet. You can report it "
                   "in Krijt, or tell the class mentor.") % {"child": params.get("child", ""),
                                                             "day": _day(params.get("day"))}
    return Rendered(title=title, text=text)


def render_follow_up(params: Mapping[str, Any], language: str) -> Any:
    from krijt.notifications.kinds import Rendered

    values = {"student": params.get("student", ""), "n": params.get("halves", 0)}
    if params.get("kind") == "care":
        return Rendered(title=gettext("Care case: %(student)s") % values,
                        text=gettext("%(student)s has %(n)s problematic half days this school year: a care case "
                                     "is open, with a guidance file to share with the CLB.") % values)
    return Rendered(title=gettext("Contact the parents of %(student)s") % values,
                    text=gettext("%(student)s has a problematic absence this school year (%(n)s half days). "
                                 "Please contact the parents.") % values)


def register_kinds() -> None:
    from krijt.attendance.selectors import hidden_from_parents
    from krijt.notifications import kinds

    kinds.register(REASON, render_reason, topic=TOPIC, parents_digest_only=True)
    kinds.register(FOLLOW_UP, render_follow_up)
    kinds.register_parent_gate(TOPIC, hidden_from_parents)
