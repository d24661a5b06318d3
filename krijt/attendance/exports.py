"""A class's half-day register for a period: a table of students by half days (the legal code, "?" for an
absence not yet coded, "/" for not expected, "." for present), as XLSX, CSV and PDF; and the list of coded
half days per student as CSV for the school's administration software. Counts per code close each row."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from django.utils import formats
from django.utils.text import slugify
from django.utils.translation import gettext as _
from openpyxl import Workbook

from krijt.accounts.models import User
from krijt.attendance import rules, selectors
from krijt.attendance.models import Code
from krijt.core.spreadsheets import safe_cell
from krijt.schools.models import ClassGroup, Period, School

PRESENT, UNCODED, AWAY = ".", "?", "/"
CODES = [c.value for c in Code]


@dataclass
class StudentRow:
    student: User
    cells: dict[tuple[dt.date, str], str] = field(default_factory=dict)
    late: int = 0

    def count(self, mark: str) -> int:
        return sum(1 for value in self.cells.values() if value == mark)


@dataclass
class ClassRegister:
    school: School
    class_group: ClassGroup
    period: Period
    halves: list[tuple[dt.date, str]]  # the half days with lessons, in order
    rows: list[StudentRow]
    coded: list[tuple[User, dt.date, str, str, str, str]]  # student, day, half, code, basis, sub-code

    @property
    def totals(self) -> dict[str, int]:
        return {mark: sum(r.count(mark) for r in self.rows) for mark in [*CODES, UNCODED]}


def _cell(half: rules.HalfDay, code: object | None) -> str:
    if half.state == rules.HalfState.ABSENT:
        return str(getattr(code, "code", "")) or UNCODED
    if half.state == rules.HalfState.NOT_EXPECTED:
        return AWAY
    if half.state == rules.HalfState.PRESENT:
        return PRESENT
    return ""


def class_register(*, school: School, class_group: ClassGroup, period: Period, until: dt.date) -> ClassRegister:
    """The half-day register of a class for a period, up to `until` (today): a fixed number of queries."""
    students = list(selectors.students_of_class(school=school, class_group=class_group))
    end = min(period.ends_on, until)
    lines = selectors.days_of_students(school=school, student_ids=[s.pk for s in students], start=period.starts_on,
                                       end=end) if end >= period.starts_on else {}
    halves: set[tuple[dt.date, str]] = set()
    rows, coded = [], []
    for student in students:
        row = StudentRow(student)
        for line in lines.get(student.pk, []):
            row.late += sum(1 for lesson in line.lessons if lesson.state == rules.LessonState.LATE)
            for half in line.halves:
                if half.state == rules.HalfState.NONE:
                    continue
                halves.add((line.day, half.half))
                code = line.codes.get(half.half)
                row.cells[(line.day, half.half)] = _cell(half, code)
                if code is not None and half.state == rules.HalfState.ABSENT:
                    coded.append((student, line.day, half.half, code.code, code.basis,
                                  code.local_code.name if code.local_code_id and code.local_code else ""))
        rows.append(row)
    return ClassRegister(school=school, class_group=class_group, period=period, halves=sorted(halves), rows=rows,
                         coded=coded)


def _half_label(half: str) -> str:
    return _("am") if half == "am" else _("pm")


def _header(register: ClassRegister) -> list[str]:
    # ISO days: a spreadsheet or a program reads them the same in every language.
    days = [f"{day.isoformat()} {_half_label(half)}" for day, half in register.halves]
    return [_("Student"), _("User name"), *days, *CODES, _("Not coded"), _("Times late")]


def _rows(register: ClassRegister) -> list[list[str | int]]:
    return [[row.student.full_name, row.student.username,
             *(row.cells.get(h, "") for h in register.halves),
             *(row.count(c) for c in CODES), row.count(UNCODED), row.late] for row in register.rows]


def _safe(value: object) -> str | int:
    return value if isinstance(value, int) else safe_cell(value)


def legend() -> list[str]:
    return [_(". present"), _("? absent, not coded yet"), _("/ not expected (an activity elsewhere)"),
            *[str(c.label) for c in Code]]


def to_csv(register: ClassRegister) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_safe(h) for h in _header(register)])
    for row in _rows(register):
        writer.writerow([_safe(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(register: ClassRegister) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Half-day register")[:31]
    sheet.append([f"{register.class_group.name} · {register.period.name}"])
    sheet.append([_safe(h) for h in _header(register)])
    for row in _rows(register):
        sheet.append([_safe(v) for v in row])
    sheet.append([])
    for line in legend():
        sheet.append([line])
    sheet.freeze_panes = "C3"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def codes_csv(register: ClassRegister) -> bytes:
    """One line per coded half day, for the school's administration software."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["username", "last_name", "first_name", "class", "date", "half", "code", "basis", "sub_code"])
    for student, day, half, code, basis, sub in register.coded:
        writer.writerow([_safe(student.username), _safe(student.last_name), _safe(student.first_name),
                         _safe(register.class_group.name), day.isoformat(), half.upper(), code, basis, _safe(sub)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_pdf(register: ClassRegister) -> bytes:
    """Landscape A4, a table per school week: students by half days, with the period's counts at the end."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from krijt.reportcards.pdf import BOLD, REGULAR, register_fonts

    register_fonts()
    title = ParagraphStyle("t", fontName=BOLD, fontSize=13, leading=16)
    small = ParagraphStyle("s", fontName=REGULAR, fontSize=8, leading=10)
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm,
                            topMargin=12 * mm, bottomMargin=12 * mm,
                            title=f"{register.class_group.name} {register.period.name}")
    story: list[object] = [Paragraph(f"{register.school.name} · {register.class_group.name} · "
                                     f"{register.period.name}", title), Spacer(1, 4 * mm)]
    weeks: dict[dt.date, list[tuple[dt.date, str]]] = {}
    for day, half in register.halves:
        weeks.setdefault(day - dt.timedelta(days=day.weekday()), []).append((day, half))
    style = TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), REGULAR), ("FONTSIZE", (0, 0), (-1, -1), 7),
        ("FONTNAME", (0, 0), (-1, 0), BOLD), ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#c9ced8")),
        ("ALIGN", (1, 0), (-1, -1), "CENTER"), ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f5")),
    ])
    for monday, halves in sorted(weeks.items()):
        header = [formats.date_format(monday, "j N Y"),
                  *(f"{formats.date_format(d, 'D j')} {_half_label(h)}" for d, h in halves)]
        body = [[row.student.full_name, *(row.cells.get(h, "") for h in halves)] for row in register.rows]
        story += [Table([header, *body], style=style, repeatRows=1, colWidths=[55 * mm] + [19 * mm] * len(halves)),
                  Spacer(1, 5 * mm)]
    story.append(PageBreak())
    counts: list[list[object]] = [[_("Student"), *CODES, _("Not coded"), _("Times late")],
              *[[row.student.full_name, *(row.count(c) for c in CODES), row.count(UNCODED), row.late]
                for row in register.rows]]
    story += [Paragraph(_("Counts per code"), title), Spacer(1, 3 * mm),
              Table(counts, style=style, repeatRows=1, colWidths=[55 * mm] + [16 * mm] * (len(CODES) + 2)),
              Spacer(1, 4 * mm), *[Paragraph(line, small) for line in legend()]]
    doc.build(story)  # type: ignore[arg-type]
    return out.getvalue()


def filename(register: ClassRegister, suffix: str) -> str:
    name = slugify(f"{register.class_group.name}-{register.period.name}-{suffix}")
    return name or "register"
