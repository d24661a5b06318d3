"""Date and time inputs for every form in Krijt.

A browser's `<input type="date">` (and time, datetime-local) takes only ISO values: 2026-11-30, 08:25,
2026-11-30T08:25. It shows them in the reader's own format. Django would otherwise render the value in the
active language's format (30-11-2026 in Dutch), which the browser rejects and shows as empty, so a form
saved in Dutch or French would lose its date. Every form uses these widgets; a test walks all forms.
"""

from __future__ import annotations

from typing import Any

from django import forms

ISO_DATE = "%Y-%m-%d"
ISO_TIME = "%H:%M"
ISO_DATETIME = "%Y-%m-%dT%H:%M"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=ISO_DATE)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=ISO_TIME)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=ISO_DATETIME)
