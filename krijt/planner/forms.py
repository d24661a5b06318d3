from __future__ import annotations

from typing import Any

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from krijt.core.widgets import DateInput, TimeInput
from krijt.planner.models import Level, PlannerItem, WorkloadPolicy
from krijt.planner.services import TASK_ATTACHMENT
from krijt.schools.models import Course, LessonPeriod


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class CourseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.class_group.name} · {obj.name}"


class ItemForm(forms.Form):
    course = CourseChoiceField(label=_("Class and course"), queryset=Course.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=PlannerItem.Kind.choices, initial=PlannerItem.Kind.TASK)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    due_date = forms.DateField(label=_("Date"), widget=DateInput())
    lesson_period = forms.ModelChoiceField(
        label=_("Lesson period"), queryset=LessonPeriod.objects.none(), required=False, empty_label=_("Any time")
    )
    minutes = forms.IntegerField(
        label=_("Estimated minutes of work"), min_value=0, max_value=600, initial=0, help_text=_("For the student.")
    )
    files = MultipleFileField(  # type: ignore[assignment]
        label=_("Attachments"), required=False,
        widget=MultipleFileInput(attrs={"accept": TASK_ATTACHMENT.accept}),
    )
    override_reason = forms.CharField(
        label=_("Reason for planning anyway"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, courses: Any, lesson_periods: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = gettext("Documents and images (%(kinds)s), at most %(size)s each.") % {
            "kinds": TASK_ATTACHMENT.kinds, "size": filesizeformat(TASK_ATTACHMENT.max_bytes)}
        self.fields["course"].queryset = courses  # type: ignore[attr-defined]
        self.fields["lesson_period"].queryset = lesson_periods  # type: ignore[attr-defined]
        if editing:
            self.fields["course"].disabled = True
        for name in ("course", "kind", "due_date"):
            self.fields[name].widget.attrs["aria-controls"] = "load"


class PolicyForm(forms.ModelForm):
    class Meta:
        model = WorkloadPolicy
        fields = [
            "max_tests_per_day",
            "tests_per_day_level",
            "max_tests_per_week",
            "tests_per_week_level",
            "min_notice_days",
            "notice_level",
            "evening_cutoff",
            "morning_start",
            "after_hours_level",
            "holiday_level",
            "admins_override_block",
        ]
        labels = {
            "tests_per_day_level": _("Tests per day: rule"),
            "tests_per_week_level": _("Tests per week: rule"),
            "notice_level": _("Minimum notice: rule"),
            "after_hours_level": _("Tasks published after hours for the next school day: rule"),
            "holiday_level": _("Due dates on days without school: rule"),
        }
        widgets = {
            "evening_cutoff": TimeInput(),
            "morning_start": TimeInput(),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name.endswith("_level"):
                field.widget = forms.Select(choices=Level.choices)
