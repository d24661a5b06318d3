from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.utils.translation import gettext_lazy as _

from krijt.core.widgets import DateTimeInput as LocalDateTimeInput
from krijt.messaging.models import MessagingPolicy

DATETIME_INPUT = "%Y-%m-%dT%H:%M"


class ComposeForm(forms.Form):
    """The text fields of a message; recipients and attachments are read from the request by the view."""

    # Required, but said by the service (messaging.services), so the page and the API give the same message.
    subject = forms.CharField(label=_("Subject"), max_length=200, required=False,
                              widget=forms.TextInput(attrs={"required": True}))
    body = forms.CharField(
        label=_("Message"), max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 10, "required": True, "data-link-text": _("link text")}),
        required=False,
        help_text=_("Write as in an e-mail; a blank line starts a new paragraph. The buttons above mark text as "
                    "**bold**, _italic_, a list (lines starting with \"- \") or a [link](https://...)."),
    )
    send_at = forms.DateTimeField(
        label=_("Send at"), required=False, input_formats=[DATETIME_INPUT], widget=LocalDateTimeInput(),
        help_text=_("Leave empty to send now. You can change or cancel a scheduled message until then."),
    )
    urgent = forms.BooleanField(label=_("Urgent: deliver at once, also in quiet hours"), required=False)
    urgent_reason = forms.CharField(label=_("Why can this not wait?"), required=False, max_length=300)

    def __init__(self, *args: Any, tz: str = "Europe/Brussels", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tz = ZoneInfo(tz)

    def clean_send_at(self) -> dt.datetime | None:
        value: dt.datetime | None = self.cleaned_data.get("send_at")
        if value is None:
            return None
        # The sender types the school's wall-clock time, whatever zone the server runs in.
        return value.replace(tzinfo=None).replace(tzinfo=self.tz)


class RescheduleForm(ComposeForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["urgent"]
        del self.fields["urgent_reason"]
        self.fields["send_at"].required = True
        self.fields["send_at"].help_text = _("The message stays in your scheduled messages until then.")


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Reply"), widget=forms.Textarea(attrs={"rows": 5}), max_length=50_000)


class PolicyForm(forms.ModelForm):
    class Meta:
        model = MessagingPolicy
        fields = [
            "students_to_teachers",
            "students_to_students",
            "parents_to_teachers",
            "teachers_to_own_classes",
            "teachers_to_all_classes",
        ]
