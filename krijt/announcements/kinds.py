"""How announcements reach people, registered with the engine: parents only in their family digest unless the
announcement is urgent (the engine's urgent rule), everyone else by their own choices, never in quiet hours."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext

KIND = "announcement"
REMINDER = "announcement_reminder"


def _title(params: Mapping[str, Any], language: str) -> str:
    return str((params.get("titles") or {}).get(language) or params.get("title", ""))


def render(params: Mapping[str, Any], language: str) -> Any:
    from krijt.notifications.kinds import Rendered

    return Rendered(title=gettext("News: %(title)s") % {"title": _title(params, language)},
                    text=gettext("From %(author)s") % {"author": params.get("author", "")})


def render_reminder(params: Mapping[str, Any], language: str) -> Any:
    from krijt.notifications.kinds import Rendered

    return Rendered(title=gettext("Still waiting for your answer: %(title)s") % {"title": _title(params, language)},
                    text=gettext("%(author)s asks for your answer.") % {"author": params.get("author", "")})


def register_kinds() -> None:
    from krijt.notifications import kinds

    kinds.register(KIND, render, parents_digest_only=True)
    kinds.register(REMINDER, render_reminder, parents_digest_only=True)
