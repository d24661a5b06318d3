from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from krijt.core.widgets import DateInput, TimeInput
from krijt.results.models import Evaluation


class LocalDecimalField(forms.DecimalField):
    """Accepts a decimal comma as well as a point."""

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = value.replace(",", ".").strip()
        return super().to_python(value)


class EvaluationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    date = forms.DateField(label=_("Date"), widget=DateInput())
    period = forms.TypedChoiceField(label=_("Period"), coerce=int)
    maximum = LocalDecimalField(
        label=_("Maximum"),
        max_digits=6,
        decimal_places=2,
        min_value=Decimal("0.01"),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    weight = LocalDecimalField(
        label=_("Weight"),
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0"),
        initial=Decimal("1"),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    category = forms.ChoiceField(label=_("Category"), choices=Evaluation.Category.choices)
    planner_item = forms.TypedChoiceField(label=_("Planned test or task"), coerce=int, required=False, empty_value=None)
    sensitive_threshold = LocalDecimalField(
        label=_("Sensitive below (percent)"),
        required=False,
        max_digits=5,
        decimal_places=2,
        help_text=_("Leave empty to use the school's threshold."),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )

    def __init__(self, *args: Any, periods: list[Any], items: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [(p.pk, p.name) for p in periods]  # type: ignore[attr-defined]
        self.fields["planner_item"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (i.pk, f"{i.title} ({i.due_date:%d/%m})") for i in items
        ]


class ScoreDetailForm(forms.Form):
    value = forms.CharField(label=_("Score"), required=False, max_length=20)
    comment = forms.CharField(
        label=_("Comment for the student"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    marked_sensitive = forms.BooleanField(label=_("Sensitive: release only during school hours"), required=False)


class PolicyForm(forms.Form):
    window_start = forms.TimeField(
        label=_("Results are published from"), widget=TimeInput()
    )
    window_end = forms.TimeField(label=_("until"), widget=TimeInput())
    sensitive_start = forms.TimeField(label=_("Sensitive results from"), widget=TimeInput())
    sensitive_end = forms.TimeField(label=_("until"), widget=TimeInput())
    avoid_last_lesson = forms.BooleanField(label=_("Not during the last lesson period"), required=False)
    parent_delay_hours = forms.IntegerField(
        label=_("Parents see results this many hours after the student"), min_value=0
    )
    sensitive_threshold = LocalDecimalField(
        label=_("Sensitive below (percent of the maximum)"), max_digits=5, decimal_places=2
    )
    publish_on_save = forms.BooleanField(label=_("Publish each score when it is saved"), required=False)


class SharingForm(forms.Form):
    parents_may_see = forms.BooleanField(label=_("My parents may see my results"), required=False)
