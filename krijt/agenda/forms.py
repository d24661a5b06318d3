"""The event form: only parsing; every rule is in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from krijt.agenda import recurrence
from krijt.core import days
from krijt.core.widgets import DateInput, TimeInput

REPEATS = [("", _("Does not repeat")), ("weekly", _("Every week")), ("fortnightly", _("Every two weeks")),
           ("monthly", _("Every month")), ("daily", _("Every day")), ("yearly", _("Every year"))]


class EventForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    category = forms.ChoiceField(label=_("Kind of event"))
    starts_on = forms.DateField(label=_("Date"), widget=DateInput())
    ends_on = forms.DateField(label=_("Last day (for an event of several days)"), required=False, widget=DateInput())
    start_time = forms.TimeField(label=_("From (empty: all day)"), required=False, widget=TimeInput())
    end_time = forms.TimeField(label=_("Until"), required=False, widget=TimeInput())
    place = forms.CharField(label=_("Place (optional)"), max_length=200, required=False)
    description = forms.CharField(label=_("Description (optional)"), max_length=5000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    audience = forms.MultipleChoiceField(label=_("For"), widget=forms.CheckboxSelectMultiple, required=False)
    repeat = forms.ChoiceField(label=_("Repeats"), choices=REPEATS, required=False)
    repeat_until = forms.DateField(label=_("Repeats until"), required=False, widget=DateInput())
    rule = forms.CharField(label=_("Or a repeat rule (RFC 5545 RRULE)"), max_length=300, required=False,
                           help_text=_("For example FREQ=MONTHLY;BYDAY=1TU;COUNT=6: the first Tuesday, six times."))
    skip_days_without_school = forms.BooleanField(label=_("Skip holidays and other days without school"),
                                                  required=False, initial=True)
    announcement = forms.IntegerField(required=False, widget=forms.HiddenInput())

    def __init__(self, *args: Any, audience: list[tuple[str, str]], categories: list[tuple[str, str]],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["audience"].choices = audience  # type: ignore[attr-defined]
        self.fields["category"].choices = categories  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("starts_on", "ends_on", "repeat_until"):
            if data.get(name) is not None and not days.in_range(data[name]):
                self.add_error(name, _("Choose a day between 1900 and 2999."))
        if data.get("repeat") and not data.get("rule") and data.get("repeat_until") is None:
            self.add_error("repeat_until", _("Say until when the event repeats."))
        return data

    def rule_text(self) -> str:
        data = self.cleaned_data
        if data.get("rule"):
            return str(data["rule"])
        if data.get("repeat"):
            return recurrence.simple_rule(frequency=data["repeat"], until=data["repeat_until"])
        return ""
