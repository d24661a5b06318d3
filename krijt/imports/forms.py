from django import forms
from django.utils.translation import gettext_lazy as _

from krijt.imports.models import ImportJob


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What does the file hold?"), choices=ImportJob.Kind.choices)
    file = forms.FileField(
        label=_("File (.csv or .xlsx)"),
        help_text=_("The first row holds the column names, in English or Dutch."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv,"
                                               "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                                               "aria-describedby": "id_file_helptext"}),
    )
