"""Attendance in plain words: a half day's and a lesson's state as a student or parent reads them."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from krijt.attendance.models import Basis, NotExpected

register = template.Library()


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""


@register.simple_tag
def half_text(half: Any, codes: dict[str, Any]) -> str:
    state = str(half.state)
    if state == "present":
        return _("present, came late") if half.late else _("present")
    if state == "pending":
        return _("register not taken yet")
    if state == "not_expected":
        reason = dict(NotExpected.choices).get(half.reason, "")
        return _("not expected at school: %(why)s") % {"why": reason} if reason else _("not expected at school")
    if state == "absent":
        code = codes.get(half.half)
        if code is not None:
            label = str(code.get_code_display())
            if code.basis:
                label = f"{label} ({str(dict(Basis.choices)[code.basis]).lower()})"
            return _("absent, %(code)s") % {"code": label}
        if half.reported:
            return _("absent, reported by the parents")
        return _("absent, not yet explained")
    return ""


@register.simple_tag
def lesson_text(lesson: Any, reasons: dict[str, Any]) -> str:
    state = str(lesson.state)
    if state == "late":
        minutes = lesson.late_minutes or 0
        return ngettext("late, %(n)d minute", "late, %(n)d minutes", minutes) % {"n": minutes}
    if state == "not_expected":
        reason = reasons.get(lesson.reason, "")
        return _("not expected: %(why)s") % {"why": reason} if reason else _("not expected")
    if state in ("absent", "reported"):
        return _("absent (reported)") if lesson.reported else _("absent")
    return ""


@register.filter
def basis_label(value: str) -> str:
    return str(dict(Basis.choices).get(value, value))


@register.simple_tag
def count_of(row: Any, mark: str) -> int:
    return int(row.count(mark))
