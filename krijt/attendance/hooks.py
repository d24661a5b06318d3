"""How attendance adds to a student's follow-up timeline (krijt.care.extensions): absent half days with their
code (an unexplained or problematic one is a signal), lateness, and the follow-ups problematic absence set in
motion. Only for a reader who may see the student's register under attendance's own rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from krijt.attendance import rules, selectors
from krijt.attendance.models import Code, FollowUp
from krijt.care.extensions import Entry
from krijt.core.errors import NotFound
from krijt.core.roles import Role


def care_timeline(*, school: Any, user: Any, roles: frozenset[str], student: Any, start: dt.date,
                  end: dt.date) -> list[Entry]:
    if not roles & {Role.TEACHER, Role.STAFF, Role.ADMIN}:
        return []
    try:
        selectors.student_for_user(school=school, user=user, roles=roles, student_id=student.pk)
    except NotFound:
        return []
    url = reverse("attendance:student", kwargs={"student_id": student.pk})
    source = _("Attendance")
    names = {rules.MORNING: _("morning"), rules.AFTERNOON: _("afternoon")}
    entries = []
    for line in selectors.days_of_students(school=school, student_ids=[student.pk], start=start,
                                           end=end).get(student.pk, []):
        absent = [half for half in line.halves if half.state == rules.HalfState.ABSENT]
        if absent:
            parts, signal = [], False
            for half in absent:
                code = line.codes.get(half.half)
                if code is None:
                    signal = True
                    parts.append(_("%(half)s: not explained yet") % {"half": names[half.half]} if not half.reported
                                 else _("%(half)s: reported by the parents") % {"half": names[half.half]})
                else:
                    signal = signal or code.code == Code.B
                    parts.append(f"{names[half.half]}: {code.get_code_display()}")
            entries.append(Entry(day=line.day, source=source, title=_("Absent"), detail="; ".join(parts), url=url,
                                 signal=signal))
        late = [lesson for lesson in line.lessons if lesson.state == rules.LessonState.LATE]
        if late:
            detail = ", ".join(_("%(course)s (%(minutes)s min)") % {"course": lesson.course,
                                                                     "minutes": lesson.late_minutes or "?"}
                               for lesson in late)
            entries.append(Entry(day=line.day, source=source, title=_("Late"), detail=detail, url=url))
    for follow_up in FollowUp.objects.filter(school=school, student=student, created_at__date__gte=start,
                                             created_at__date__lte=end):
        detail = _("after %(n)d problematic half days") % {"n": follow_up.problematic_halves}
        if follow_up.closed_at:
            detail += " · " + _("closed on %(day)s") % {"day": date_format(follow_up.closed_at.date(), "j F")}
        entries.append(Entry(day=follow_up.created_at.date(), source=source, title=follow_up.get_kind_display(),
                             detail=detail, url=reverse("attendance:follow_up", kwargs={"follow_up_id": follow_up.pk}),
                             signal=follow_up.closed_at is None))
    return entries
