"""Forms of the administration pages. Choices come from the asking school only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.db.models import QuerySet
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from krijt.accounts.models import User
from krijt.core import clock
from krijt.core.roles import MEMBERSHIP_ROLES, Role
from krijt.core.widgets import DateInput, DateTimeInput, TimeInput
from krijt.schools.models import CalendarEntry, ClassGroup, Course, LessonPeriod, School, SchoolYear
from krijt.schools.selectors import lesson_periods


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.last_name} {obj.first_name} ({obj.username})".strip()


class YearChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


def _role_choices(roles: Iterable[str]) -> list[tuple[str, Any]]:
    return [(r, Role(r).label) for r in roles]


# ---------------------------------------------------------------- classes


class ClassForm(forms.Form):
    school_year = YearChoiceField(label=_("School year"), queryset=SchoolYear.objects.none(), empty_label=None)
    name = forms.CharField(label=_("Name"), max_length=40, help_text=_("For example 1A or 3 Latin."))
    grade = forms.IntegerField(label=_("Grade"), min_value=1, max_value=12)
    mentor = PersonChoiceField(label=_("Class mentor"), queryset=User.objects.none(), required=False,
                               empty_label=_("No mentor yet"))

    def __init__(self, *args: Any, teachers: QuerySet[User], years: QuerySet[SchoolYear] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if years is None:  # a class stays in its school year once made
            del self.fields["school_year"]
        else:
            self.fields["school_year"].queryset = years  # type: ignore[attr-defined]
        self.fields["mentor"].queryset = teachers  # type: ignore[attr-defined]


# ---------------------------------------------------------------- people


class PersonForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    birth_date = forms.DateField(label=_("Birth date"), required=False, widget=DateInput())

    def __init__(self, *args: Any, school: School, locked: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.school = school
        if locked:  # an account that also serves another school: shown, not changed here
            for field in self.fields.values():
                field.disabled = True

    def clean_birth_date(self) -> Any:
        value = self.cleaned_data.get("birth_date")
        if value is not None and value > clock.local_today(self.school.time_zone):
            raise forms.ValidationError(_("A birth date cannot be in the future."))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("first_name") or "").strip() and not (data.get("last_name") or "").strip() \
                and "last_name" not in self.errors:
            self.add_error("last_name", _("Enter a first or last name."))
        return data


class PersonCreateForm(PersonForm):
    username = forms.CharField(
        label=_("User name"), max_length=64,
        help_text=_("2 to 64 characters: lower-case letters, digits, dots, hyphens and underscores."),
        widget=forms.TextInput(attrs={"autocapitalize": "none", "autocomplete": "off", "spellcheck": "false"}),
    )
    role = forms.ChoiceField(label=_("Role"))
    class_group = forms.ModelChoiceField(label=_("Class"), queryset=ClassGroup.objects.none(), required=False,
                                         help_text=_("Required for a student."), empty_label=_("No class"))
    child = forms.CharField(label=_("Child's user name"), max_length=64, required=False,
                            help_text=_("Required for a parent: the user name of their child at this school."),
                            widget=forms.TextInput(attrs={"autocapitalize": "none", "spellcheck": "false"}))

    field_order = ["username", "first_name", "last_name", "email", "birth_date", "role", "class_group", "child"]

    def __init__(self, *args: Any, classes: QuerySet[ClassGroup], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = _role_choices([*MEMBERSHIP_ROLES, Role.PARENT])  # type: ignore[attr-defined]
        self.fields["class_group"].queryset = classes  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        role = data.get("role")
        if role == Role.STUDENT and not data.get("class_group") and "class_group" not in self.errors:
            self.add_error("class_group", _("Choose a class for a student."))
        if role != Role.STUDENT and data.get("class_group"):
            self.add_error("class_group", _("Only students can be put in a class."))
        if role == Role.PARENT and not (data.get("child") or "").strip():
            self.add_error("child", _("A parent is linked to a student: enter the child's user name."))
        return data


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args: Any, roles: Iterable[str] = MEMBERSHIP_ROLES, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # No role is chosen for the administrator: a student must not become a teacher by one careless click.
        self.fields["role"].choices = [("", _("Choose a role")), *_role_choices(roles)]  # type: ignore[attr-defined]


class EnrolForm(forms.Form):
    class_group = forms.ModelChoiceField(label=_("Class"), queryset=ClassGroup.objects.none(), required=False,
                                         empty_label=_("No class"))

    def __init__(self, *args: Any, classes: QuerySet[ClassGroup], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["class_group"].queryset = classes  # type: ignore[attr-defined]


# ---------------------------------------------------------------- courses and timetable


class CourseForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    code = forms.CharField(label=_("Code"), max_length=20, required=False, help_text=_("A short code, e.g. WIS."))
    class_group = forms.ModelChoiceField(label=_("Class"), queryset=ClassGroup.objects.none(), empty_label=None)
    teacher = PersonChoiceField(label=_("Teacher"), queryset=User.objects.none(), required=False,
                                empty_label=_("No teacher yet"))
    hours_per_week = forms.IntegerField(label=_("Hours per week"), min_value=0, max_value=40, initial=1)

    def __init__(self, *args: Any, classes: QuerySet[ClassGroup], teachers: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["class_group"].queryset = classes  # type: ignore[attr-defined]
        self.fields["teacher"].queryset = teachers  # type: ignore[attr-defined]


class LessonPeriodForm(forms.Form):
    number = forms.IntegerField(label=_("Number"), min_value=1, max_value=20)
    starts_at = forms.TimeField(label=_("Starts at"), widget=TimeInput())
    ends_at = forms.TimeField(label=_("Ends at"), widget=TimeInput())


WEEKDAY_NAMES = {n: capfirst(name) for n, name in enumerate(
    (_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"), _("Sunday")),
    start=1)}


class SlotForm(forms.Form):
    course = forms.ModelChoiceField(label=_("Course"), queryset=Course.objects.none(), empty_label=None)
    weekday = forms.TypedChoiceField(label=_("Day"), coerce=int)
    lesson_period = forms.ModelChoiceField(label=_("Lesson period"), queryset=LessonPeriod.objects.none(),
                                           empty_label=None)
    room = forms.CharField(label=_("Room"), max_length=40, required=False)

    def __init__(self, *args: Any, school: School, courses: QuerySet[Course], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = courses  # type: ignore[attr-defined]
        self.fields["weekday"].choices = [(d, WEEKDAY_NAMES[d]) for d in school.weekdays]  # type: ignore[attr-defined]
        self.fields["lesson_period"].queryset = lesson_periods(school=school)  # type: ignore[attr-defined]


# ---------------------------------------------------------------- calendar


class DateRangeForm(forms.Form):
    starts_on = forms.DateField(label=_("From"), widget=DateInput())
    ends_on = forms.DateField(label=_("Until (inclusive)"), widget=DateInput())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("starts_on"), data.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("The end must be after the start."))
        return data


class SchoolYearForm(DateRangeForm):
    name = forms.CharField(label=_("Name"), max_length=20, help_text=_("For example 2026-2027."))
    field_order = ["name", "starts_on", "ends_on"]


class _InYearForm(DateRangeForm):
    school_year = YearChoiceField(label=_("School year"), queryset=SchoolYear.objects.none(), empty_label=None)

    def __init__(self, *args: Any, school: School, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school_year"].queryset = SchoolYear.objects.filter(school=school).order_by("-starts_on")  # type: ignore[attr-defined]


class PeriodForm(_InYearForm):
    name = forms.CharField(label=_("Name"), max_length=60, help_text=_("For example Trimester 1."))
    field_order = ["school_year", "name", "starts_on", "ends_on"]


class CalendarEntryForm(_InYearForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=CalendarEntry.Kind.choices)
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("For example Christmas holidays."))
    field_order = ["school_year", "kind", "name", "starts_on", "ends_on"]


class IdentityForm(forms.Form):
    name = forms.CharField(label=_("School name"), max_length=200)
    accent_color = forms.CharField(
        label=_("Colour"), max_length=7, required=False,
        help_text=_("As # and six hexadecimal digits, e.g. #1f5fbf. Links and buttons take this colour; it must "
                    "be dark enough to read on white. Leave empty for Krijt's blue."),
        widget=forms.TextInput(attrs={"placeholder": "#1f5fbf", "autocapitalize": "none", "spellcheck": "false"}))
    logo = forms.FileField(label=_("Logo"), required=False,
                           help_text=_("PNG, JPEG or WebP, at most 512 KB; shown small beside the name."),
                           widget=forms.ClearableFileInput(attrs={"accept": ".png,.jpg,.jpeg,.webp"}))
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)


class NoticeForm(forms.Form):
    notice = forms.CharField(label=_("Notice for everyone"), max_length=300, required=False,
                             help_text=_("Shown at the top of every page of the school, e.g. \"The Wi-Fi is down: "
                                         "today's tests are on paper.\" Leave empty to remove it."),
                             widget=forms.Textarea(attrs={"rows": 2}))
    notice_until = forms.DateTimeField(label=_("Shown until"), required=False, input_formats=["%Y-%m-%dT%H:%M"],
                                       widget=DateTimeInput())

    def __init__(self, *args: Any, tz: str = "Europe/Brussels", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tz = ZoneInfo(tz)

    def clean_notice_until(self) -> dt.datetime | None:
        value: dt.datetime | None = self.cleaned_data.get("notice_until")
        # The administrator types the school's wall-clock time.
        return value.replace(tzinfo=None).replace(tzinfo=self.tz) if value is not None else None
