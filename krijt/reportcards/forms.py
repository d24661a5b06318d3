from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from krijt.core.widgets import DateTimeInput
from krijt.reportcards.models import ReportCard


class MentorForm(forms.Form):
    mentor_comment = forms.CharField(
        label=_("Mentor's comment"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    decision = forms.ChoiceField(
        label=_("Decision of the class council"), choices=ReportCard.Decision.choices, required=False
    )
    excluded = forms.CharField(
        label=_("Excluded courses or fields of study (certificate B)"), max_length=300, required=False
    )
    decision_note = forms.CharField(label=_("Motivation"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class ScheduleForm(forms.Form):
    at = forms.DateTimeField(
        label=_("Conversation moment"),
        widget=DateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
