"""A class's results for one course as CSV or XLSX: a row per student, a column per evaluation."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal

from django.utils.text import slugify
from django.utils.translation import gettext as _
from openpyxl import Workbook

from krijt.core.spreadsheets import safe_cell
from krijt.results import selectors
from krijt.results.models import Score
from krijt.schools.models import Course, School


@dataclass
class Table:
    header: list[str]
    rows: list[list[str | Decimal | None]]


def _cell(score: Score | None) -> str | Decimal | None:
    if score is None:
        return None
    if score.code:
        return str(score.get_code_display())
    return score.value


def course_table(*, school: School, course: Course) -> Table:
    grid = selectors.grid(school=school, course=course)
    header = [_("Student"), _("User name")]
    header += [f"{e.name} ({e.period.name}, /{e.maximum.normalize():f})" for e in grid.evaluations]
    header.append(_("Average (%)"))
    rows: list[list[str | Decimal | None]] = []
    for student in grid.students:
        row: list[str | Decimal | None] = [student.full_name, student.username]
        row += [_cell(grid.cells.get((student.pk, e.pk))) for e in grid.evaluations]
        row.append(grid.student_averages.get(student.pk))
        rows.append(row)
    return Table(header, rows)


def to_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(h) for h in table.header])
    for row in table.rows:
        writer.writerow([safe_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(table: Table) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Results")[:31]
    sheet.append([safe_cell(h) for h in table.header])
    for row in table.rows:
        sheet.append([float(v) if isinstance(v, Decimal) else safe_cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def filename(course: Course) -> str:
    return slugify(f"{course.class_group.name}-{course.name}") or "results"
