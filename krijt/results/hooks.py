"""How results add to a student's follow-up timeline (krijt.care.extensions): the results the student has
been shown, of the courses the reader may read under results' own rules; one below half is a signal. The
look is logged like any look at the student's results."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from krijt.care.extensions import Entry
from krijt.core.errors import NotFound
from krijt.results import selectors, services
from krijt.results.permissions import viewer_role
from krijt.results.selectors import STUDENT
from krijt.results.text import shown_score, stored_text


def care_timeline(*, school: Any, user: Any, roles: frozenset[str], student: Any, start: dt.date,
                  end: dt.date) -> list[Entry]:
    try:
        access = selectors.results_access_for(school=school, user=user, roles=roles, student_id=student.pk)
    except NotFound:
        return []
    if access.audience != "teacher":
        return []
    scores = [s for s in selectors.scores_of_student(school=school, student=student, audience=STUDENT)
              if start <= s.evaluation.date <= end
              and (access.courses is None or s.evaluation.course_id in access.courses)]
    if not scores:
        return []
    services.result_view_log(school=school, student=student, viewer=user, role=viewer_role(roles))
    url = reverse("results:student", kwargs={"student_id": student.pk})
    entries = []
    for score in scores:
        share = selectors.percentage(score)
        if share is None:
            detail = score.get_code_display() or _("no result")
        else:
            detail = f"{shown_score(stored_text(score))}/{shown_score(f'{score.evaluation.maximum.normalize():f}')}"
        entries.append(Entry(day=score.evaluation.date, source=_("Results"),
                             title=f"{score.evaluation.course.name}: {score.evaluation.name}", detail=detail, url=url,
                             signal=share is not None and share < 50))
    return entries
