"""How follow-up notes reach people, registered with the engine: the student inside their school hours,
the parents only in their digest (never a push of its own), both under the topic an adult student controls."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext

FOR_STUDENT = "care_note_student"
FOR_PARENTS = "care_note_parents"
TOPIC = "care"


def render_student(params: Mapping[str, Any], language: str) -> Any:
    from krijt.notifications.kinds import Rendered

    text = gettext("%(author)s wrote a note about you. You can read it and add your side.") % {
        "author": params.get("author", "")}
    if params.get("talk_with"):
        text += " " + gettext("%(person)s would like to talk with you about it.") % {"person": params["talk_with"]}
    return Rendered(title=gettext("A note about you: %(kind)s") % {"kind": params.get("kind_label", "")}, text=text)


def render_parents(params: Mapping[str, Any], language: str) -> Any:
    from krijt.notifications.kinds import Rendered

    return Rendered(title=gettext("A note about %(child)s") % {"child": params.get("child", "")},
                    text=gettext("The school wrote a note about %(child)s, who read it first. You can read it and "
                                 "add your side.") % {"child": params.get("child", "")})


def register_kinds() -> None:
    from krijt.care.selectors import hidden_from_parents
    from krijt.notifications import kinds

    kinds.register(FOR_STUDENT, render_student)
    kinds.register(FOR_PARENTS, render_parents, topic=TOPIC, parents_digest_only=True)
    kinds.register_parent_gate(TOPIC, hidden_from_parents)
