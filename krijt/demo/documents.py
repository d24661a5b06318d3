"""The demo school's course folders: for every course a chapter's worksheet and summary (small PDFs made
here), some with a link to practise online, uploaded by the course's teacher on an afternoon of the last
weeks; in the family's class one worksheet a teacher replaced with a corrected version, and one scheduled
for 08:00 on the next school day; and the demo student's own notes in "My documents". All through the
documents services at the moments they were uploaded.

Part of krijt.demo.activity's replay.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.core.files.uploadedfile import SimpleUploadedFile

from krijt.core import clock
from krijt.core.roles import Role
from krijt.documents import services as docs
from krijt.schools.models import ClassGroup, Course, Enrollment

if TYPE_CHECKING:
    from krijt.demo.activity import _Replay
    from krijt.demo.selectors import DemoAccounts

TEACHER = frozenset({Role.TEACHER.value})
STUDENT = frozenset({Role.STUDENT.value})
LINKS = {
    "Wiskunde": ("Oefenen op breuken", "https://www.wiskunde-oefenen.be/breuken"),
    "Frans": ("Woordenschat oefenen", "https://www.francais-facile.com"),
    "Engels": ("Listening practice", "https://learnenglishteens.britishcouncil.org"),
    "Geschiedenis": ("Tijdlijn van de oudheid", "https://www.canonvannederland.nl"),
}


def pdf(title: str, lines: list[str]) -> bytes:
    """A small one-page PDF with a title and a few lines of text."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    page.setTitle(title)
    page.setFont("Helvetica-Bold", 16)
    page.drawString(60, 780, title)
    page.setFont("Helvetica", 11)
    for number, line in enumerate(lines):
        page.drawString(60, 740 - number * 22, line)
    page.showPage()
    page.save()
    return buffer.getvalue()


def _file(name: str, title: str, lines: list[str]) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf(title, lines), content_type="application/pdf")


def folders(replay: _Replay, rng: random.Random, *, groups: list[ClassGroup],
            courses_by_class: dict[int, list[Course]], past: list[dt.date], coming: list[dt.date],
            family: DemoAccounts) -> None:
    from krijt.demo.activity import _quiet_refusals

    school = replay.school
    if len(past) < 10:
        return

    def class_step(courses: list[Course]) -> Callable[[], None]:
        def run() -> None:
            for course in courses:
                if course.teacher is None:
                    continue
                chapter = rng.randint(2, 6)
                with _quiet_refusals("a course folder"):
                    root = docs.root_folder(school=school, actor=course.teacher, roles=TEACHER, course_id=course.pk)
                    placed = docs.files_add(school=school, actor=course.teacher, roles=TEACHER, folder_id=root.pk,
                                            files=[
                        _file(f"Werkblad {course.name} H{chapter}.pdf", f"{course.name}: werkblad hoofdstuk {chapter}",
                              ["Naam: ....................  Klas: ........", "1. Lees de tekst op p. 42.",
                               "2. Los de oefeningen 1 tot 6 op.", "3. Controleer met de oplossingen in de klas."]),
                        _file(f"Samenvatting {course.name} H{chapter}.pdf", f"{course.name}: samenvatting",
                              [f"Hoofdstuk {chapter} in het kort:", "- de begrippen van de les",
                               "- de voorbeelden uit de klas", "- wat je moet kennen voor de toets"])])
                    replay.summary.counts["documents"] += len(placed)
                    if course.name in LINKS:
                        name, url = LINKS[course.name]
                        docs.link_add(school=school, actor=course.teacher, roles=TEACHER, folder_id=root.pk,
                                      name=name, url=url)
                        replay.summary.counts["documents"] += 1
        return run

    for index, group in enumerate(groups):
        courses = courses_by_class.get(group.pk, [])
        replay.at(past[-(4 + index % 6)], dt.time(16, 10 + index % 40), class_step(courses))

    place = Enrollment.objects.filter(school=school, student=family.student).select_related("class_group").first()
    if place is None:
        return
    mine = [c for c in courses_by_class.get(place.class_group_id, []) if c.teacher is not None]
    if not mine:
        return
    course = mine[0]

    def corrected() -> None:
        with _quiet_refusals("a corrected worksheet"):
            root = docs.root_folder(school=school, actor=course.teacher, roles=TEACHER,  # type: ignore[arg-type]
                                    course_id=course.pk)
            found = root.documents.filter(name__startswith="Werkblad").first()
            if found is not None:
                docs.document_replace(school=school, actor=course.teacher, roles=TEACHER,  # type: ignore[arg-type]
                                      document_id=found.pk, upload=_file(found.name, f"{course.name}: werkblad "
                                                                         "(verbeterd)", [
                                          "Oefening 4 had een fout in de opgave: dit is de verbeterde versie."]))

    replay.at(past[-2], dt.time(17, 5), corrected)
    next_day = next((d for d in coming if clock.aware(d, dt.time(8, 0), replay.tz) > replay.now), None)
    if next_day is not None:
        def scheduled() -> None:
            with _quiet_refusals("a scheduled worksheet"):
                root = docs.root_folder(school=school, actor=course.teacher, roles=TEACHER,  # type: ignore[arg-type]
                                        course_id=course.pk)
                docs.files_add(school=school, actor=course.teacher, roles=TEACHER,  # type: ignore[arg-type]
                               folder_id=root.pk, visible_from=clock.aware(next_day, dt.time(8, 0), replay.tz),
                               files=[_file(f"Werkblad {course.name} voor morgen.pdf", f"{course.name}: voor morgen",
                                            ["We starten de les met deze oefeningen."])])
                replay.summary.counts["documents"] += 1
        replay.at(past[-1], dt.time(18, 30), scheduled)

    def notes() -> None:
        with _quiet_refusals("a student's own document"):
            root = docs.root_folder(school=school, actor=family.student, roles=STUDENT)
            docs.files_add(school=school, actor=family.student, roles=STUDENT, folder_id=root.pk, files=[
                _file("Mijn samenvatting.pdf", "Mijn samenvatting", ["Voor de toets: hoofdstuk 3 en 4 herhalen."])])
            replay.summary.counts["documents"] += 1

    replay.at(past[-3], dt.time(19, 0), notes)
