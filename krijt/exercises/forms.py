"""Exercise forms: only parsing; every rule is in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from krijt.core.widgets import DateInput
from krijt.exercises import items as item_types
from krijt.exercises import rules

SOURCE_HELP = _(
    "Choice: one option per line, the correct one with a * in front. True or false: true or false. Text: the "
    "accepted answers, one per line. Number: 3,5 ± 0,1. Choice in a sentence: Brussels is in [*Belgium|France]. "
    "Words in gaps: A [dog] barks, with a last line + cat, cow for extra words. Order: the lines in their "
    "correct order. Pairs: 3 × 4 = 12, one per line. Maths between \\( and \\), e.g. \\(\\frac{3}{4}\\)."
)


class ExerciseForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=150)
    subject = forms.CharField(label=_("Subject"), max_length=100)
    skill = forms.CharField(label=_("Skill"), max_length=100, help_text=_("E.g. tables of 3, past tense."))
    grade = forms.IntegerField(label=_("Grade (optional)"), min_value=1, max_value=12, required=False)
    instructions = forms.CharField(label=_("Instructions for pupils (optional)"), required=False,
                                   widget=forms.Textarea(attrs={"rows": 3}))
    rule_m = forms.IntegerField(label=_("Mastered after this many correct answers"), min_value=1,
                                max_value=rules.MAX_N, initial=rules.DEFAULT_RULE[0])
    rule_n = forms.IntegerField(label=_("among the last answers"), min_value=1, max_value=rules.MAX_N,
                                initial=rules.DEFAULT_RULE[1])


class ItemForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=[(k.value, v) for k, v in item_types.KIND_LABELS.items()])
    prompt = forms.CharField(label=_("Question"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    source = forms.CharField(label=_("Answer"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
                             help_text=SOURCE_HELP)
    feedback_correct = forms.CharField(label=_("Feedback when correct (optional)"), max_length=300, required=False)
    feedback_wrong = forms.CharField(label=_("Feedback when wrong (optional)"), max_length=300, required=False)
    hints = forms.CharField(label=_("Hints (optional, one per line, at most 3)"), required=False,
                            widget=forms.Textarea(attrs={"rows": 2}))


class AssignForm(forms.Form):
    course = forms.TypedChoiceField(label=_("Course"), coerce=int)
    students = forms.TypedMultipleChoiceField(label=_("Pupils (none chosen: the whole class)"), coerce=int,
                                              required=False, widget=forms.CheckboxSelectMultiple)
    group = forms.TypedChoiceField(label=_("Or a group"), coerce=int, required=False, empty_value=None)
    group_name = forms.CharField(label=_("Save the chosen pupils as a group named (optional)"), max_length=80,
                                 required=False)
    due_date = forms.DateField(label=_("Due date (optional: a task in the planner)"), required=False,
                               widget=DateInput())
    minutes = forms.IntegerField(label=_("Minutes of work (for the planner)"), min_value=0, max_value=600,
                                 initial=15, required=False)
    rule_m = forms.IntegerField(label=_("Mastered after this many correct answers"), min_value=1,
                                max_value=rules.MAX_N)
    rule_n = forms.IntegerField(label=_("among the last answers"), min_value=1, max_value=rules.MAX_N)
    override_reason = forms.CharField(label=_("Reason to plan it anyway"), max_length=500, required=False)

    def __init__(self, *args: Any, courses: list[Any], pupils: list[Any], groups: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["course"].choices = [(c.pk, f"{c.name} · {c.class_group.name}") for c in courses]  # type: ignore[attr-defined]
        self.fields["students"].choices = [(p.pk, p.full_name) for p in pupils]  # type: ignore[attr-defined]
        self.fields["group"].choices = [("", _("No group"))] + [(g.pk, g.name) for g in groups]  # type: ignore[attr-defined]
        if not groups:
            del self.fields["group"]


class RuleForm(forms.Form):
    rule_m = forms.IntegerField(label=_("Mastered after this many correct answers"), min_value=1,
                                max_value=rules.MAX_N)
    rule_n = forms.IntegerField(label=_("among the last answers"), min_value=1, max_value=rules.MAX_N)
