"""How report card notifications read: that a card is there and with whom to talk, never what is on it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext

KIND = "reportcard"


def render_reportcard(params: Mapping[str, Any], language: str) -> Any:
    from krijt.notifications.kinds import Rendered

    values = {
        "period": params.get("period", ""),
        "student": params.get("student", ""),
        "mentor": params.get("mentor", ""),
        "name": params.get("talk_to", ""),
    }
    if params.get("audience") == "parent":
        title = gettext("Report card of %(student)s for %(period)s") % values
        return Rendered(title=title, text=gettext("You can read it in Krijt."))
    title = gettext("Your report card for %(period)s") % values
    if params.get("invite") and values["name"] and not params.get("talk_to_is_mentor", True):
        text = gettext("%(name)s is there to talk it through with you.") % values
    elif params.get("invite"):
        text = gettext("%(mentor)s, your class mentor, is there to talk it through with you.") % values
    else:
        text = gettext("You can read it in Krijt.")
    return Rendered(title=title, text=text)


def register_kind() -> None:
    from krijt.notifications import kinds
    from krijt.results.kinds import TOPIC

    kinds.register(KIND, render_reportcard, topic=TOPIC)
