"""How a score is written as text, in one place.

- `entry_text`: what a teacher types and sees in a gradebook cell ("7,5", "A" for absent, "V" for exempt,
  empty when nothing was entered); `services.parse_entry` reads it back.
- `number_text`: a number as a score is written in a message (decimal comma, no trailing zeros).
- `shown_score`: a score on a report card for its reader: the number in the reader's locale, or the word
  for absent, exempt or not entered.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _

ABSENT, EXEMPT = "absent", "exempt"  # Score.Code values (results/models.py)


def number_text(value: Decimal) -> str:
    return format(value.normalize(), "f").replace(".", ",")


def entry_text(score: Any) -> str:
    """A score (or None) as its gradebook cell shows it."""
    if score is None:
        return ""
    if score.code == ABSENT:
        return "A"
    if score.code == EXEMPT:
        return "V"
    return "" if score.value is None else number_text(score.value)


def stored_text(score: Any) -> str:
    """A score as a report card keeps it (a number with a point, or its code); `shown_score` reads it."""
    if score is None:
        return ""
    if score.code:
        return str(score.code)
    return "" if score.value is None else f"{score.value.normalize():f}"


def shown_score(stored: str) -> str:
    """A report card's kept score for its reader, in the active language."""
    if stored == ABSENT:
        return _("absent")
    if stored == EXEMPT:
        return _("exempt")
    if not stored:
        return _("not entered")
    try:
        return str(formats.number_format(Decimal(stored).normalize(), use_l10n=True))
    except InvalidOperation:
        return stored
