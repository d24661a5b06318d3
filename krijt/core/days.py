"""Days people may ask for: years 1900 to 2999. Outside them, week and month arithmetic would run off
Python's calendar (year 1 or 9999), so a day from a URL or a form is checked here first."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from krijt.core.errors import ValidationFailed

EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2999, 12, 31)


def in_range(day: dt.date) -> bool:
    return EARLIEST <= day <= LATEST


def out_of_range(name: str) -> ValidationFailed:
    return ValidationFailed(fields={name: [_("Choose a day between 1900 and 2999.")]})


def checked(day: dt.date, name: str = "date") -> dt.date:
    """`day` itself, or ValidationFailed (a 400) when it lies outside 1900-2999."""
    if not in_range(day):
        raise out_of_range(name)
    return day


def day_param(value: str | None, name: str, default: dt.date) -> dt.date:
    """A YYYY-MM-DD parameter: `default` when absent or unreadable, a 400 when outside 1900-2999."""
    try:
        day = dt.date.fromisoformat(value or "")
    except ValueError:
        return default
    return checked(day, name)
