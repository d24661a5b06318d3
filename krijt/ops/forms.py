from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from krijt.ops.models import Impact, IncidentStatus

OPEN_STATUSES = [c for c in IncidentStatus.choices if c[0] != IncidentStatus.RESOLVED]


class IncidentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    impact = forms.ChoiceField(label=_("Impact"), choices=Impact.choices)
    status = forms.ChoiceField(label=_("Status"), choices=OPEN_STATUSES, initial=IncidentStatus.INVESTIGATING)
    message = forms.CharField(label=_("What is happening"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))


class IncidentUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=IncidentStatus.choices)
    message = forms.CharField(label=_("Update"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
