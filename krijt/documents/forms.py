"""Forms of course folders: only parsing; every rule is in the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from krijt.core.widgets import DateTimeInput


class MomentForm(forms.Form):
    visible_from = forms.DateTimeField(label=_("Visible to students from (empty: now)"), required=False,
                                       widget=DateTimeInput())


class FolderForm(forms.Form):
    name = forms.CharField(label=_("Name of the new folder"), max_length=120)


class LinkForm(MomentForm):
    name = forms.CharField(label=_("Name (optional)"), max_length=200, required=False)
    url = forms.CharField(label=_("Web address"), max_length=500)


class ChangeForm(MomentForm):
    name = forms.CharField(label=_("Name"), max_length=200)
