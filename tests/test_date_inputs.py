"""Every date and time input in Krijt carries an ISO value, whatever the reader's language: a browser's
date, time and datetime-local inputs accept nothing else and would show a localized value as empty."""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
from typing import Any

from django import forms
from django.utils import translation

import krijt
from krijt.core.widgets import ISO_DATE, ISO_DATETIME, ISO_TIME

EXPECTED = {"date": ISO_DATE, "time": ISO_TIME, "datetime-local": ISO_DATETIME}


def _all_forms() -> list[type[forms.BaseForm]]:
    for module in pkgutil.walk_packages(krijt.__path__, "krijt."):
        if module.name.rsplit(".", 1)[-1] in {"forms", "views"} and ".tests" not in module.name:
            importlib.import_module(module.name)
    found: list[type[forms.BaseForm]] = []
    todo: list[type[Any]] = [forms.Form, forms.ModelForm]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("krijt."):
                found.append(sub)
    return found


def test_every_date_and_time_input_renders_iso_values_in_dutch_and_french() -> None:
    checked = 0
    for form in _all_forms():
        for name, field in form.base_fields.items():  # type: ignore[attr-defined]
            widget = field.widget
            if not isinstance(widget, forms.DateInput | forms.TimeInput | forms.DateTimeInput):
                continue
            where = f"{form.__module__}.{form.__name__}.{name}"
            assert widget.input_type in EXPECTED, f"{where}: a {widget.input_type!r} input; use krijt.core.widgets"
            assert widget.format == EXPECTED[widget.input_type], f"{where}: renders {widget.format!r}"
            value = {"date": dt.date(2026, 11, 30), "time": dt.time(8, 25)}.get(
                widget.input_type, dt.datetime(2026, 11, 30, 8, 25)
            )
            for language in ("nl", "fr"):
                with translation.override(language):
                    html = widget.render(name, value)
                expected = value.strftime(EXPECTED[widget.input_type])  # type: ignore[attr-defined]
                assert f'value="{expected}"' in html, f"{where} in {language}: {html}"
            checked += 1
    assert checked >= 10  # the walk found the forms (evaluations, planner, calendar, messages, policies ...)
