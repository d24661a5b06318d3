"""How a message reads in the notification centre, in e-mail and in push: the subject, from whom."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import translation

from krijt.messaging.subjects import for_reader

KIND = "message"


def render_message(params: Mapping[str, Any], language: str) -> Any:
    from krijt.notifications.kinds import Rendered

    with translation.override(language or None):
        title = for_reader(str(params.get("subject", "")))
    return Rendered(title=title, text=str(params.get("sender", "")))


def register_kind() -> None:
    try:
        from krijt.notifications import kinds
    except ImportError:  # the engine is optional for this module's own pages
        return
    kinds.register(KIND, render_message)
