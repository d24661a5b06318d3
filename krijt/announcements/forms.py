"""The announcement form: only parsing; every rule is in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from krijt.announcements.models import Announcement
from krijt.core.widgets import DateInput, DateTimeInput


class AnnouncementForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text"), max_length=50_000, widget=forms.Textarea(attrs={"rows": 8}),
                           help_text=_("**bold**, _italic_, lists with -, links as [text](https://...)"))
    language = forms.ChoiceField(label=_("Written in"), choices=settings.LANGUAGES)
    audience = forms.MultipleChoiceField(label=_("For"), widget=forms.CheckboxSelectMultiple)
    publish_at = forms.DateTimeField(label=_("Publish at (empty: now)"), required=False, widget=DateTimeInput())
    pinned_until = forms.DateField(label=_("Pin on top until (optional)"), required=False, widget=DateInput())
    expires_at = forms.DateTimeField(label=_("Expires at (optional)"), required=False, widget=DateTimeInput())
    reply = forms.ChoiceField(label=_("Ask for an answer"), choices=Announcement.Reply.choices,
                              widget=forms.RadioSelect, initial=Announcement.Reply.NONE)
    slip_question = forms.CharField(label=_("Question of the reply slip"), max_length=300, required=False)
    slip_options = forms.CharField(label=_("Answers to choose from, one per line"), required=False, max_length=2000,
                                   widget=forms.Textarea(attrs={"rows": 3}))
    answer_by = forms.DateField(label=_("Answers by (optional)"), required=False, widget=DateInput())
    urgent = forms.BooleanField(label=_("Urgent: tell parents at once, not in their digest"), required=False)
    urgent_reason = forms.CharField(label=_("Why it is urgent"), max_length=300, required=False)

    def __init__(self, *args: Any, audience: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["audience"].choices = audience  # type: ignore[attr-defined]
        for code, name in settings.LANGUAGES:
            self.fields[f"title_{code}"] = forms.CharField(label=_("Title in %(language)s") % {"language": name},
                                                           max_length=200, required=False)
            self.fields[f"body_{code}"] = forms.CharField(
                label=_("Text in %(language)s") % {"language": name}, max_length=50_000, required=False,
                widget=forms.Textarea(attrs={"rows": 4}))

    def translations(self) -> dict[str, tuple[str, str]]:
        data = self.cleaned_data
        return {code: (data.get(f"title_{code}") or "", data.get(f"body_{code}") or "")
                for code, _name in settings.LANGUAGES}

    def options(self) -> list[str]:
        return [line.strip() for line in (self.cleaned_data.get("slip_options") or "").splitlines() if line.strip()]
