from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from krijt.handin.services import MAX_FEEDBACK_CHARS
from krijt.handin.uploads import ACCEPT, MAX_FILE_BYTES, MAX_FILES, MAX_TEXT_CHARS


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input: a phone's picker can choose photos and documents together."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class HandInForm(forms.Form):
    attachments = MultipleFileField(
        label=_("Files"),
        required=False,
    )
    text = forms.CharField(
        label=_("Text"),
        required=False,
        max_length=MAX_TEXT_CHARS,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Or write your answer here."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Interpolated per request, in the reader's language.
        self.fields["attachments"].help_text = _(
            "PDF, Word, Excel, PowerPoint, OpenDocument, text or a photo; up to %(n)d files of %(size)s each."
        ) % {"n": MAX_FILES, "size": filesizeformat(MAX_FILE_BYTES)}
        self.fields["attachments"].widget.attrs.update(
            {
                "accept": ACCEPT,
                "data-max-bytes": str(MAX_FILE_BYTES),
                "data-too-big": _("Too big (at most %(size)s): %%s") % {"size": filesizeformat(MAX_FILE_BYTES)},
                "aria-describedby": "id_attachments_help id_attachments_size",
            }
        )
        self.fields["text"].widget.attrs.update({"aria-describedby": "id_text_help"})


class FeedbackForm(forms.Form):
    feedback = forms.CharField(
        label=_("Feedback"), required=False, max_length=MAX_FEEDBACK_CHARS, widget=forms.Textarea(attrs={"rows": 5})
    )
