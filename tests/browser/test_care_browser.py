"""Follow-up on a phone: a mentor writes an incident note with an invitation to talk; the student reads it
at school and adds their side; the parents read note and reply after the school-set delay."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine

from krijt.care.models import Note, Reply
from tests.browser.helpers import assert_accessible, sign_in
from tests.scenario import build_school

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def school(live_server: Any) -> Any:
    return build_school("alpha")


def test_a_note_goes_to_the_student_first_and_the_parents_later(page: Any, live_server: Any, school: Any) -> None:
    base = live_server.url
    child = school.students[0]
    with time_machine.travel("2026-10-05 15:30 +0200", tick=True):
        sign_in(page, base, school.teacher.username, language="en")  # mentor of 1A
        page.goto(f"{base}/s/alpha/care/")
        assert_accessible(page)
        page.get_by_role("link", name="1A").click()
        page.get_by_role("heading", name="Write a note · 1A").wait_for()
        page.get_by_label("Incident").check()
        page.get_by_role("group", name="About").get_by_label(child.full_name).check()
        page.get_by_label("What happened").fill("Pushed a classmate at the stairs.")
        page.get_by_label("The situation").fill("Crowded staircase after maths.")
        page.get_by_label("The next step").fill("A talk with both students.")
        page.get_by_label("The parents read it (later, in their digest)").check()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        assert_accessible(page)
        page.get_by_role("button", name="Save the note").focus()
        page.keyboard.press("Enter")
        page.get_by_text("The note is saved.").wait_for()
        assert_accessible(page)
        note = Note.objects.get()
    with time_machine.travel("2026-10-06 10:00 +0200", tick=True):
        sign_in(page, base, child.username, language="en")
        page.goto(f"{base}/s/alpha/care/")
        page.get_by_role("link", name="Incident").click()
        page.get_by_text("Crowded staircase after maths.").wait_for()
        page.get_by_label("Your side (once)").fill("It was not on purpose; the stairs were full.")
        page.get_by_role("button", name="Save").click()
        page.get_by_text("Your side is added to the note.").wait_for()
        assert_accessible(page)
        assert Reply.objects.get(note=note).author == child
        sign_in(page, base, school.parent.username, language="en")
        page.goto(f"{base}/s/alpha/care/")
        assert "Pushed a classmate" not in page.locator("main").inner_text()  # not yet for the parents
    with time_machine.travel("2026-10-07 19:00 +0200", tick=True):  # 4 school hours after the student (1A: 08:25-11:10)
        sign_in(page, base, school.parent.username, language="en")
        page.goto(f"{base}/s/alpha/care/notes/{note.pk}/")
        page.get_by_text("It was not on purpose; the stairs were full.").wait_for()
        assert_accessible(page)
