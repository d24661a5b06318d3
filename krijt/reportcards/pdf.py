"""The report card as a PDF (reportlab), laid out as a school's report: the school and its logo, the
student, a grid with a row per course (daily work, exams, total and the class average), the teachers'
comments, the mentor's word, the class council's decision and signature blocks. One card is one period.

Set in DejaVu Sans, embedded, so every name prints as written (ł, ş, Ž, ğ ...): reportlab's built-in
Helvetica knows only Latin-1. Invariant: the same card gives the same bytes.
"""

from __future__ import annotations

import io
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Image, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from krijt.reportcards.models import ReportCard
from krijt.reportcards.selectors import CardView, Line, part_percentage
from krijt.results.text import shown_score

FONTS = Path(__file__).resolve().parent / "fonts"
REGULAR, BOLD = "KrijtSans", "KrijtSans-Bold"
INK = colors.HexColor("#1d2330")
MUTED = colors.HexColor("#505a6b")
RULE = colors.HexColor("#c9ced8")
SHADE = colors.HexColor("#eef1f5")
MARGIN = 18 * mm


@cache
def register_fonts() -> None:
    """Krijt's PDF fonts (DejaVu Sans): every PDF that prints names uses them."""
    pdfmetrics.registerFont(TTFont(REGULAR, str(FONTS / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(FONTS / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR, boldItalic=BOLD)


def _style(size: float, *, bold: bool = False, color: Any = INK, align: Any = 0, leading: float = 0) -> ParagraphStyle:
    return ParagraphStyle(f"s{size}{bold}{align}", fontName=BOLD if bold else REGULAR, fontSize=size,
                          leading=leading or size * 1.3, textColor=color, alignment=align)


def _text(value: str) -> str:
    """Paragraph markup from plain text: escaped, line breaks kept."""
    from xml.sax.saxutils import escape

    return escape(value).replace("\n", "<br/>")


def _pct(value: Decimal | None) -> str:
    return "–" if value is None else f"{formats.number_format(value, 1)}%"


def _number(value: Decimal) -> str:
    return str(formats.number_format(value.normalize()))


def _evaluations(line: Line) -> str:
    parts = [f"{_text(item.name)} {shown_score(item.score)}/{_number(item.maximum)}" for item in line.scores]
    return " · ".join(parts)


def _course_rows(view: CardView, averages: dict[str, Decimal | None]) -> list[list[Any]]:
    small, cell = _style(7.5, color=MUTED), _style(9.5)
    right, right_bold = _style(9.5, align=TA_RIGHT), _style(9.5, bold=True, align=TA_RIGHT)
    rows: list[list[Any]] = [[
        Paragraph(_("Course"), _style(8, bold=True)),
        Paragraph(_("Daily work"), _style(8, bold=True, align=TA_RIGHT)),
        Paragraph(_("Exams"), _style(8, bold=True, align=TA_RIGHT)),
        Paragraph(_("Total"), _style(8, bold=True, align=TA_RIGHT)),
        Paragraph(_("Class average"), _style(8, bold=True, align=TA_RIGHT)),
    ]]
    for line in view.lines:
        name = f"<b>{_text(line.course_name)}</b>"
        if line.teacher_name:
            name += f"<br/><font size='7.5' color='#505a6b'>{_text(line.teacher_name)}</font>"
        rows.append([
            Paragraph(name, cell),
            Paragraph(_pct(part_percentage(line, exams=False)), right),
            Paragraph(_pct(part_percentage(line, exams=True)), right),
            Paragraph(_pct(line.percentage), right_bold),
            Paragraph(_pct(averages.get(line.course_name)), _style(9.5, color=MUTED, align=TA_RIGHT)),
        ])
        details = _evaluations(line)
        if line.comment:
            details += ("<br/>" if details else "") + f"<i>{_text(line.comment)}</i>"
        if details:
            rows.append([Paragraph(details, small), "", "", "", ""])
    rows.append([
        Paragraph(f"<b>{_('Average')}</b>", cell), "", "",
        Paragraph(_pct(view.average), right_bold), "",
    ])
    return rows


def _grid(view: CardView, averages: dict[str, Decimal | None], width: float) -> Table:
    rows = _course_rows(view, averages)
    table = Table(rows, colWidths=[width * 0.44, width * 0.14, width * 0.14, width * 0.14, width * 0.14],
                  repeatRows=1, hAlign="LEFT")
    style: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, 0), 1, INK),
        ("BACKGROUND", (0, -1), (-1, -1), SHADE),
        ("LINEABOVE", (0, -1), (-1, -1), 1, INK),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    for index, row in enumerate(rows[1:-1], start=1):
        if row[1] == "":  # a details row: under its course, across the grid
            style += [("SPAN", (0, index), (-1, index)), ("TOPPADDING", (0, index), (-1, index), 0),
                      ("LINEBELOW", (0, index), (-1, index), 0.4, RULE)]
        elif index + 1 < len(rows) - 1 and rows[index + 1][1] != "":
            style.append(("LINEBELOW", (0, index), (-1, index), 0.4, RULE))
    table.setStyle(TableStyle(style))
    return table


def _signatures(width: float) -> Table:
    label = _style(8, color=MUTED)
    names = [_("Class mentor"), _("Director"), _("Parent or guardian")]
    gap, box = width * 0.05, width * 0.3
    table = Table([[Paragraph(names[0], label), "", Paragraph(names[1], label), "", Paragraph(names[2], label)],
                   ["", "", "", "", ""]], colWidths=[box, gap, box, gap, box], rowHeights=[None, 16 * mm],
                  hAlign="LEFT")
    table.setStyle(TableStyle([
        *(("LINEBELOW", (c, 1), (c, 1), 0.6, INK) for c in (0, 2, 4)),
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
    ]))
    return table


def _logo(data: bytes | None) -> Flowable | None:
    if not data:
        return None
    try:
        image = Image(io.BytesIO(data))
    except Exception:  # a logo reportlab cannot read leaves the card without one, never without a card
        return None
    scale = (16 * mm) / max(image.imageHeight, 1)
    image.drawHeight, image.drawWidth = 16 * mm, image.imageWidth * scale
    return image


def render(view: CardView, *, school_name: str, averages: dict[str, Decimal | None] | None = None,
           logo: bytes | None = None, school_year: str = "") -> bytes:
    register_fonts()
    buffer = io.BytesIO()
    title = _("Report card")
    footer = f"{view.student.full_name} · {view.period.name}"

    def decorate(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(REGULAR, 7.5)
        canvas.setFillColor(MUTED)
        canvas.drawString(MARGIN, 10 * mm, f"{school_name} · {footer}")
        canvas.drawRightString(A4[0] - MARGIN, 10 * mm, str(doc.page))
        canvas.restoreState()

    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                            bottomMargin=18 * mm, title=f"{title} {view.student.full_name} {view.period.name}",
                            author=school_name, invariant=1)
    width = A4[0] - 2 * MARGIN
    heading = [Paragraph(_text(school_name), _style(10, bold=True)),
               Paragraph(f"{title} · {_text(view.period.name)}" + (f" · {_text(school_year)}" if school_year else ""),
                         _style(16, bold=True, leading=20))]
    picture = _logo(logo)
    story: list[Flowable] = list(heading)
    if picture is not None:
        top = Table([[picture, heading]], colWidths=[24 * mm, width - 24 * mm], hAlign="LEFT")
        top.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
        story = [top]
    story += [
        Spacer(1, 4 * mm),
        Paragraph(f"<b>{_text(view.student.full_name)}</b> · {_('class')} {_text(view.class_group.name)}",
                  _style(11.5)),
        Spacer(1, 5 * mm),
        _grid(view, averages or {}, width),
    ]
    card = view.card
    if card is not None and card.mentor_comment:
        story.append(KeepTogether([Spacer(1, 6 * mm), Paragraph(_("Class mentor"), _style(10.5, bold=True)),
                                   Paragraph(_text(card.mentor_comment), _style(9.5))]))
    if view.year_end and card is not None and card.decision:
        decision = [Spacer(1, 6 * mm), Paragraph(_("Decision of the class council"), _style(10.5, bold=True)),
                    Paragraph(_text(str(ReportCard.Decision(card.decision).label)), _style(10))]
        if card.decision == ReportCard.Decision.B:
            decision.append(Paragraph(_text(f"{_('Excluded')}: {card.excluded}"), _style(9.5)))
        if card.decision_note:
            decision.append(Paragraph(_text(card.decision_note), _style(9.5)))
        story.append(KeepTogether(decision))
    story += [Spacer(1, 10 * mm), KeepTogether([_signatures(width)])]
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()
