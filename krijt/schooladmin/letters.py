"""Parent code letters: one text, shown as a printable page and as a PDF (one page per student).

Letters speak the school's language, whatever language the administrator uses, because they go home
to families. The plain codes exist only here, on their way to paper: the database keeps their hashes.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import formats, translation
from django.utils.translation import gettext as _

from krijt.accounts.services import Letter
from krijt.schools.models import School


@dataclass(frozen=True)
class LetterText:
    student_name: str
    class_name: str
    title: str
    greeting: str
    intro: str
    steps: list[str]
    codes: list[str]
    codes_label: str
    rules: str
    no_codes: str
    privacy: str
    url: str
    expires: str


def letter_texts(*, school: School, letters: list[Letter], activate_url: str) -> list[LetterText]:
    language = school.language or settings.LANGUAGE_CODE
    zone = ZoneInfo(school.time_zone)
    texts = []
    with translation.override(language):
        for letter in letters:
            name = letter.student.full_name or letter.student.username
            expires = formats.date_format(letter.expires_at.astimezone(zone).date(), "j F Y")
            words = {"school": school.name, "student": name, "class": letter.class_name, "url": activate_url,
                     "date": expires}
            texts.append(LetterText(
                student_name=name,
                class_name=letter.class_name,
                title=_("Parent account for %(student)s") % words,
                greeting=_("Dear parent,"),
                intro=_("%(school)s uses Krijt for the timetable, messages and results. With a parent account "
                        "you can follow %(student)s (class %(class)s).") % words,
                steps=[
                    _("Go to %(url)s") % words,
                    _("Type one of the codes below."),
                    _("Choose a user name and a password."),
                ],
                codes=list(letter.codes),
                codes_label=_("Codes (one per parent)"),
                rules=_("Each code works once, for one parent account; a child can have two parent accounts. "
                        "Already have an account, for example for another child? Sign in first, then type the "
                        "code to add this child. The codes work until %(date)s.") % words,
                no_codes=_("%(student)s already has two parent accounts, so this letter has no new code. "
                           "Please contact the school if that is not right.") % words,
                privacy=_("Keep this letter safe: a code gives access to your child's information."),
                url=activate_url,
                expires=expires,
            ))
    return texts


def letters_pdf(*, school: School, texts: list[LetterText], title: str) -> bytes:
    """An A4 PDF with one page per student."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import ListFlowable, ListItem, PageBreak, Paragraph, SimpleDocTemplate, Spacer

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, title=title, author=school.name, leftMargin=2.2 * cm,
                            rightMargin=2.2 * cm, topMargin=2 * cm, bottomMargin=2 * cm)
    styles = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=styles["BodyText"], fontSize=11, leading=15, spaceAfter=6)
    school_style = ParagraphStyle("school", parent=body, fontName="Helvetica-Bold", fontSize=12)
    code_style = ParagraphStyle("code", parent=body, fontName="Courier-Bold", fontSize=18, leading=26, leftIndent=12)
    story: list[Any] = []
    for index, text in enumerate(texts):
        if index:
            story.append(PageBreak())
        story += [
            Paragraph(escape(school.name), school_style),
            Paragraph(escape(f"{text.student_name} · {text.class_name}"), body),
            Spacer(1, 0.6 * cm),
            Paragraph(escape(text.title), styles["Heading1"]),
            Paragraph(escape(text.greeting), body),
            Paragraph(escape(text.intro), body),
        ]
        if text.codes:
            steps: list[Any] = [ListItem(Paragraph(escape(step), body)) for step in text.steps]
            story.append(ListFlowable(steps, bulletType="1"))
            story.append(Spacer(1, 0.3 * cm))
            story.append(Paragraph(escape(text.codes_label), school_style))
            story += [Paragraph(escape(code), code_style) for code in text.codes]
            story.append(Spacer(1, 0.3 * cm))
            story.append(Paragraph(escape(text.rules), body))
        else:
            story.append(Paragraph(escape(text.no_codes), body))
        story.append(Paragraph(escape(text.privacy), body))
    if not story:
        story.append(Paragraph(escape(title), body))
    doc.build(story)
    return buffer.getvalue()
