"""The note form: only parsing; every rule is in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from krijt.care.models import Kind, Phase, Visibility
from krijt.core.widgets import DateInput, DateTimeInput


class NoteForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of note"), choices=Kind.choices, widget=forms.RadioSelect)
    concerned = forms.TypedMultipleChoiceField(label=_("About"), coerce=int, widget=forms.CheckboxSelectMultiple)
    witnesses = forms.TypedMultipleChoiceField(label=_("Witnesses (optional)"), coerce=int, required=False,
                                               widget=forms.CheckboxSelectMultiple)
    what_happened = forms.CharField(label=_("What happened"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    situation = forms.CharField(label=_("The situation"), max_length=5000, required=False,
                                widget=forms.Textarea(attrs={"rows": 2}))
    done_so_far = forms.CharField(label=_("Already done"), max_length=5000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    next_step = forms.CharField(label=_("The next step"), max_length=5000, required=False,
                                widget=forms.Textarea(attrs={"rows": 2}))
    talk_with = forms.TypedChoiceField(label=_("Invite to talk with"), coerce=int, required=False, empty_value=None)
    talk_at = forms.DateTimeField(label=_("When (optional, in school hours)"), required=False,
                                  widget=DateTimeInput())
    visibility = forms.TypedChoiceField(label=_("Who may read it"), coerce=int, choices=Visibility.choices,
                                        initial=Visibility.MENTOR)
    phase = forms.TypedChoiceField(label=_("Care phase"), coerce=int, required=False, empty_value=None,
                                   choices=[("", "—"), *Phase.choices])
    review_on = forms.DateField(label=_("Review on"), required=False, widget=DateInput())
    restricted = forms.CharField(label=_("Medical or family matters (the care team only)"), max_length=5000,
                                 required=False, widget=forms.Textarea(attrs={"rows": 2}))
    to_student = forms.BooleanField(label=_("The student reads it (at school, first)"), required=False)
    to_parents = forms.BooleanField(label=_("The parents read it (later, in their digest)"), required=False)

    def __init__(self, *args: Any, students: list[tuple[int, str]], staff: list[tuple[int, str]],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["concerned"].choices = students  # type: ignore[attr-defined]
        self.fields["witnesses"].choices = students  # type: ignore[attr-defined]
        self.fields["talk_with"].choices = [("", "—"), *staff]  # type: ignore[attr-defined]
