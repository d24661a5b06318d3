"""The attendance forms: only parsing; every rule is in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from krijt.attendance.models import Basis, Code, ProofKind, ReportReason
from krijt.core.widgets import DateInput, TimeInput


class ReportForm(forms.Form):
    student = forms.TypedChoiceField(label=_("Who"), coerce=int)
    starts_on = forms.DateField(label=_("Absent from"), widget=DateInput())
    until_further_notice = forms.BooleanField(label=_("Until further notice"), required=False)
    ends_on = forms.DateField(label=_("Until (inclusive)"), required=False, widget=DateInput())
    from_period = forms.TypedChoiceField(label=_("On the first day, only from lesson (optional)"), coerce=int,
                                         required=False, empty_value=None)
    reason = forms.ChoiceField(label=_("Reason"), choices=ReportReason.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note for the school (optional)"), required=False, max_length=500,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, students: list[tuple[int, str]], periods: list[tuple[int, str]],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["student"].choices = students  # type: ignore[attr-defined]
        self.fields["from_period"].choices = [("", _("The whole day")), *periods]  # type: ignore[attr-defined]
        if len(students) == 1:
            self.fields["student"].initial = students[0][0]
            self.fields["student"].widget = forms.HiddenInput()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("until_further_notice"):
            data["ends_on"] = None
        elif not data.get("ends_on") and data.get("starts_on"):
            data["ends_on"] = data["starts_on"]  # one day
        return data


class EndReportForm(forms.Form):
    back_on = forms.DateField(label=_("Back at school on"), widget=DateInput())


class CodeForm(forms.Form):
    code = forms.ChoiceField(label=_("Code"), choices=[("", _("No code yet (unknown)")), *Code.choices],
                             required=False, widget=forms.RadioSelect)
    basis = forms.ChoiceField(label=_("The illness rests on"), choices=[("", "—"), *Basis.choices],
                              required=False)
    local_code = forms.TypedChoiceField(label=_("Sub-code (optional)"), coerce=int, required=False, empty_value=None)
    proof = forms.TypedChoiceField(label=_("Proof (optional)"), coerce=int, required=False, empty_value=None)
    why = forms.CharField(label=_("Why (needed when a code changes)"), required=False, max_length=300)

    def __init__(self, *args: Any, local_codes: list[tuple[int, str]], proofs: list[tuple[int, str]],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["local_code"].choices = [("", "—"), *local_codes]  # type: ignore[attr-defined]
        self.fields["proof"].choices = [("", "—"), *proofs]  # type: ignore[attr-defined]


class ProofForm(forms.Form):
    kind = forms.ChoiceField(label=_("What it is"), choices=ProofKind.choices)
    file = forms.FileField(label=_("File (PDF or photo)"))


class SharingForm(forms.Form):
    parents_may_see = forms.BooleanField(label=_("My parents may see my attendance"), required=False)


class FollowUpForm(forms.Form):
    done = forms.CharField(label=_("What was done"), required=False, max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 4}))
    contacts = forms.CharField(label=_("Contacts (with whom, when)"), required=False, max_length=5000,
                               widget=forms.Textarea(attrs={"rows": 4}))
    agreements = forms.CharField(label=_("Agreements"), required=False, max_length=5000,
                                 widget=forms.Textarea(attrs={"rows": 4}))


class SettingsForm(forms.Form):
    afternoon_from = forms.TimeField(label=_("The afternoon starts at"), widget=TimeInput())
    counting_periods = forms.TypedMultipleChoiceField(
        label=_("Lessons that count for the half-day register"), coerce=int, required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: the first lesson a student has in each half day."))
    parent_statement_days = forms.IntegerField(label=_("Illness on the parents' statement: at most days in a row"))
    parent_statement_times = forms.IntegerField(label=_("... and at most times a school year"))
    review_school_days = forms.IntegerField(label=_("An unexplained absence is looked into within (school days)"))
    contact_parents_from = forms.IntegerField(label=_("Task to contact the parents from (problematic half days)"))
    care_case_from = forms.IntegerField(label=_("Care case from (problematic half days)"))

    def __init__(self, *args: Any, periods: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["counting_periods"].choices = periods  # type: ignore[attr-defined]


class LocalCodeForm(forms.Form):
    code = forms.ChoiceField(label=_("Under the legal code"), choices=Code.choices)
    name = forms.CharField(label=_("Name of the sub-code"), max_length=60)
