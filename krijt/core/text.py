"""Plain text as people type it, made safe to store: what every free-text field of a service goes through."""

from __future__ import annotations

import re

_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(raw: str | None) -> str:
    """Line endings unified, control characters (NUL included) dropped, outer blank space trimmed."""
    text = (raw or "").replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL_RE.sub("", text).strip()
