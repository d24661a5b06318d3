"""The report card as a PDF (reportlab). Uncompressed and invariant: the same card gives the same bytes, and
its text can be read back from the content streams (the tests do)."""

from __future__ import annotations

import io
from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from krijt.reportcards.models import ReportCard
from krijt.reportcards.selectors import CardView
from krijt.results.text import shown_score

LEFT, RIGHT, TOP, BOTTOM = 20 * mm, A4[0] - 20 * mm, A4[1] - 20 * mm, 20 * mm
WRAP = 95  # characters per line of comment text


def _pct(value: Decimal | None) -> str:
    return "-" if value is None else f"{formats.number_format(value, 1)}%"


def _wrap(text: str, width: int = WRAP) -> list[str]:
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        current = ""
        for word in paragraph.split():
            if current and len(current) + 1 + len(word) > width:
                lines.append(current)
                current = word
            else:
                current = f"{current} {word}".strip()
        lines.append(current)
    return lines


class _Writer:
    def __init__(self, canvas: Canvas, title: str) -> None:
        self.canvas, self.title, self.y, self.page = canvas, title, TOP, 1
        self._header()

    def _header(self) -> None:
        self.canvas.setFont("Helvetica", 8)
        self.canvas.drawRightString(RIGHT, BOTTOM - 8 * mm, f"{self.title} - {self.page}")

    def need(self, height: float) -> None:
        if self.y - height < BOTTOM:
            self.canvas.showPage()
            self.page += 1
            self.y = TOP
            self._header()

    def text(self, value: str, *, size: float = 10, bold: bool = False, x: float = LEFT, gap: float = 1.4) -> None:
        self.need(size * gap)
        self.canvas.setFont("Helvetica-Bold" if bold else "Helvetica", size)
        self.canvas.drawString(x, self.y - size, value)
        self.y -= size * gap

    def row(self, left: str, right: str, *, bold: bool = False, size: float = 10) -> None:
        self.need(size * 1.4)
        self.canvas.setFont("Helvetica-Bold" if bold else "Helvetica", size)
        self.canvas.drawString(LEFT, self.y - size, left)
        self.canvas.drawRightString(RIGHT, self.y - size, right)
        self.y -= size * 1.4

    def space(self, height: float = 6) -> None:
        self.y -= height


def render(view: CardView, *, school_name: str) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1, pageCompression=0)
    title = _("Report card")
    canvas.setTitle(f"{title} {view.student.full_name} {view.period.name}")
    w = _Writer(canvas, f"{view.student.full_name}, {view.period.name}")
    w.text(school_name, size=9)
    w.text(f"{title}: {view.period.name}", size=16, bold=True)
    w.text(f"{view.student.full_name} - {_('class')} {view.class_group.name}", size=12)
    w.space()
    for line in view.lines:
        w.need(40)
        w.row(line.course_name, _pct(line.percentage), bold=True, size=11)
        if line.teacher_name:
            w.text(line.teacher_name, size=8)
        for item in line.scores:
            score = shown_score(item.score)
            w.row(
                f"    {item.name} ({_('weight')} {formats.number_format(item.weight.normalize())})",
                f"{score} / {formats.number_format(item.maximum.normalize())}",
                size=9,
            )
        for text in _wrap(line.comment) if line.comment else []:
            w.text(text, size=9, x=LEFT + 4 * mm)
        w.space(4)
    w.space()
    w.row(_("Average"), _pct(view.average), bold=True, size=12)
    card = view.card
    if card is not None and card.mentor_comment:
        w.space()
        w.text(_("Class mentor"), bold=True, size=11)
        for text in _wrap(card.mentor_comment):
            w.text(text, size=10)
    if view.year_end and card is not None and card.decision:
        w.space()
        w.text(_("Decision of the class council"), bold=True, size=11)
        w.text(str(ReportCard.Decision(card.decision).label), size=11)
        if card.decision == ReportCard.Decision.B:
            w.text(f"{_('Excluded')}: {card.excluded}", size=10)
        for text in _wrap(card.decision_note) if card.decision_note else []:
            w.text(text, size=10)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
