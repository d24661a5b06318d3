"""How a message reads in the notification centre, in e-mail and in push: the subject, from whom."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

KIND = "message"


def render_message(params: Mapping[str, Any], language: str) -> Any:
    from krijt.notifications.kinds import Rendered

    return Rendered(title=str(params.get("subject", "")), text=str(params.get("sender", "")))


def register_kind() -> None:
    try:
        from krijt.notifications import kinds
    except ImportError:  # the engine is optional for this module's own pages
        return
    kinds.register(KIND, render_message)
