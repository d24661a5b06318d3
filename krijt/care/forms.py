"""The note form: only parsing; every rule is in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from krijt.care.models import CareTeamMember, Kind, Phase, Visibility
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


class CorrectForm(forms.Form):
    """A correction: the note's text and who reads it, with the reason (kept in the history)."""

    what_happened = NoteForm.base_fields["what_happened"]
    situation = NoteForm.base_fields["situation"]
    done_so_far = NoteForm.base_fields["done_so_far"]
    next_step = NoteForm.base_fields["next_step"]
    visibility = NoteForm.base_fields["visibility"]
    phase = NoteForm.base_fields["phase"]
    review_on = NoteForm.base_fields["review_on"]
    restricted = NoteForm.base_fields["restricted"]
    reason = forms.CharField(label=_("Why the correction"), max_length=300)


class ConsentForm(forms.Form):
    given_by = forms.CharField(label=_("Given by (who, and how)"), max_length=200)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class SettingsForm(forms.Form):
    parent_delay_school_hours = forms.IntegerField(
        label=_("Parents read a note this many school hours after the student"), min_value=1, max_value=40)
    keep_after_leaving_days = forms.IntegerField(
        label=_("Keep a leaver's record this many days"), min_value=30, max_value=1825)


class TeamForm(forms.Form):
    user = forms.TypedChoiceField(label=_("Staff member"), coerce=int)
    function = forms.ChoiceField(label=_("Function"), choices=CareTeamMember.Function.choices)

    def __init__(self, *args: Any, staff: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = staff  # type: ignore[attr-defined]


class SharingForm(forms.Form):
    parents_may_see = forms.BooleanField(label=_("My parents see the notes about me meant for them"),
                                         required=False)
    parents_see_views = forms.BooleanField(label=_("My parents also see who read those notes"), required=False)
