"""The live lesson forms: only parsing; every rule is in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.dates import WEEKDAYS
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from krijt.core.widgets import DateInput
from krijt.live.models import Fallback, Provider, VideoServer
from krijt.live.selectors import Choices


class LessonForm(forms.Form):
    when = forms.ChoiceField(label=_("When"), widget=forms.RadioSelect)
    provider = forms.ChoiceField(label=_("How the lesson is given"), choices=Provider.choices)
    link = forms.CharField(label=_("Address of the video lesson (for a link)"), max_length=500, required=False,
                           widget=forms.URLInput(attrs={"inputmode": "url", "autocomplete": "off"}),
                           help_text=_("Students never see it: Krijt sends them there when they join."))
    title = forms.CharField(label=_("Title (optional; the course's name by default)"), max_length=120,
                            required=False)
    ends_on = forms.DateField(label=_("Every week until (empty: the end of the school year)"), required=False,
                              widget=DateInput())
    recording = forms.BooleanField(label=_("Record the lesson (the teacher starts and stops it)"), required=False)

    def __init__(self, *args: Any, choices: Choices | None = None, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["when"]
        elif choices is not None:
            every = _("Every week: %(day)s, lesson %(n)s (%(start)s)")
            slots = [(f"slot:{s.weekday}-{s.lesson_period.number}", every % {
                "day": WEEKDAYS[s.weekday - 1], "n": s.lesson_period.number,
                "start": s.lesson_period.starts_at.strftime("%H:%M")}) for s in choices.slots]
            items = [(f"item:{i.pk}", _("Once: %(title)s, %(day)s") % {
                "title": i.title, "day": date_format(i.due_date, "l j F")}) for i in choices.items]
            self.fields["when"].choices = slots + items  # type: ignore[attr-defined]
        if choices is not None:
            self.fields["provider"].choices = choices.providers  # type: ignore[attr-defined]
            if not choices.recordings:
                del self.fields["recording"]


class ServerForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=[(Provider.BBB, Provider.BBB.label),
                                                        (Provider.JITSI, Provider.JITSI.label)])
    name = forms.CharField(label=_("Name"), max_length=80)
    url = forms.CharField(label=_("Address"), max_length=300, widget=forms.URLInput(attrs={"inputmode": "url"}),
                          help_text=_("BigBlueButton: the API's address, e.g. https://bbb.school.be/bigbluebutton/. "
                                      "Jitsi: the site, e.g. https://meet.school.be/."))
    secret = forms.CharField(label=_("Secret"), max_length=200, required=False,
                             widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                             help_text=_("BigBlueButton's shared secret, or Jitsi's application secret. It is never "
                                         "shown again; leave empty to keep the saved one."))
    app_id = forms.CharField(label=_("Jitsi application id (with a secret)"), max_length=100, required=False)
    use = forms.ChoiceField(label=_("Use"), choices=VideoServer.Use.choices)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class SettingsForm(forms.Form):
    fallback = forms.ChoiceField(label=_("When the video service fails"), choices=Fallback.choices,
                                 widget=forms.RadioSelect)
    fallback_link = forms.CharField(label=_("Address of the other video service"), max_length=500, required=False,
                                    widget=forms.URLInput(attrs={"inputmode": "url"}))
    fallback_note = forms.CharField(label=_("A word for students and teachers (optional)"), max_length=300,
                                    required=False)
    recordings_allowed = forms.BooleanField(label=_("Teachers may record live lessons (BigBlueButton)"),
                                            required=False)
