"""How exercises reach people, registered with the notification engine: a pupil hears of new practice (never in
quiet hours, by the engine's rules); parents read that their child reached mastery only in the family digest, and
only as far as the results' sharing lets them (an adult pupil decides). There are no reminders, streaks or
nudges."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext

ASSIGNED = "exercise_assigned"
MASTERED = "exercise_mastered"


def render_assigned(params: Mapping[str, Any], language: str) -> Any:
    from krijt.notifications.kinds import Rendered

    return Rendered(title=gettext("New practice: %(title)s") % {"title": params.get("title", "")},
                    text=str(params.get("course", "")))


def render_mastered(params: Mapping[str, Any], language: str) -> Any:
    from krijt.notifications.kinds import Rendered

    return Rendered(title=gettext("%(name)s mastered %(title)s") % {"name": params.get("name", ""),
                                                                    "title": params.get("title", "")},
                    text=str(params.get("course", "")))


def register_kinds() -> None:
    from krijt.notifications import kinds

    kinds.register(ASSIGNED, render_assigned)
    # Practice is part of a pupil's results: an adult pupil who keeps their results from their parents keeps this
    # from them too (the results' parent gate).
    kinds.register(MASTERED, render_mastered, topic="results", parents_digest_only=True)
