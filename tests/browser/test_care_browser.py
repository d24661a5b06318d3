"""Follow-up on a phone: a mentor writes an incident note with an invitation to talk; the student reads it
at school and adds their side; the parents read note and reply after the school-set delay."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine

from krijt.care.models import Note, Reply
from tests.browser.helpers import assert_accessible, page_width, sign_in
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
        page.get_by_role("link", name="1A", exact=True).click()
        page.get_by_role("heading", name="Write a note · 1A").wait_for()
        page.get_by_label("Incident").check()
        page.get_by_role("group", name="About").get_by_label(child.full_name).check()
        page.get_by_label("What happened").fill("Pushed a classmate at the stairs.")
        page.get_by_label("The situation").fill("Crowded staircase after maths.")
        page.get_by_label("The next step").fill("A talk with both students.")
        page.get_by_label("The parents read it (later, in their digest)").check()
        assert page_width(page) <= 360
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


def test_the_care_team_follows_a_measure_from_the_overview_on_a_phone(page: Any, live_server: Any,
                                                                       school: Any) -> None:
    """An administrator names the care coordinator; the coordinator finds the measure whose review is due in
    the overview, opens the student's timeline, records the consent for the CLB by keyboard and closes the
    measure with its reason."""
    import datetime as dt

    from krijt.care import services
    from krijt.care.models import CareTeamMember, ClbConsent

    base = live_server.url
    child = school.students[0]
    with time_machine.travel("2026-10-05 15:30 +0200", tick=True):
        services.note_create(school=school.school, author=school.teacher, roles=frozenset({"teacher"}),
                             data=services.NoteIn(
                                 kind="care_measure", students=[(child.pk, "concerned")],
                                 what_happened="Struggles to plan homework.", next_step="A weekly planning talk.",
                                 phase=1, review_on=dt.date(2026, 10, 12), visibility=3))
        sign_in(page, base, school.admin.username, language="en")
        page.goto(f"{base}/s/alpha/care/")
        page.get_by_role("link", name="Care team and rules").click()
        page.get_by_role("heading", name="Care team and rules").wait_for()
        page.get_by_label("Staff member").select_option(label=school.staff.full_name)
        page.get_by_label("Function").select_option(label="Care coordinator")
        page.get_by_role("button", name="Add").click()
        page.get_by_text("Added to the care team.").wait_for()
        assert_accessible(page)
        assert CareTeamMember.objects.filter(user=school.staff, function="coordinator").exists()
    with time_machine.travel("2026-10-13 10:00 +0200", tick=True):
        sign_in(page, base, school.staff.username, language="en")
        page.goto(f"{base}/s/alpha/care/")
        page.get_by_role("link", name="Care overview").click()
        page.get_by_text("Review was due on").wait_for()
        assert page_width(page) <= 360
        assert_accessible(page)
        page.get_by_role("link", name="1A").click()
        page.get_by_role("heading", name="Follow-up of class 1A").wait_for()
        assert_accessible(page)
        page.get_by_role("link", name=child.full_name).click()
        page.get_by_role("heading", name="Timeline").wait_for()
        page.get_by_label("Given by (who, and how)").fill("Both parents, on paper")
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        page.get_by_text("The consent is recorded.").wait_for()
        assert_accessible(page)
        assert ClbConsent.objects.get(student=child).given_by == "Both parents, on paper"
        page.get_by_role("link", name="Care measure").first.click()
        page.get_by_role("heading", name="Close the care measure").wait_for()
        page.get_by_label("How did the measure end?").fill("Plans on his own now.")
        page.get_by_role("button", name="Close the measure").click()
        page.get_by_text("The care measure is closed.").wait_for()
        assert_accessible(page)
        page.goto(f"{base}/s/alpha/care/students/{child.pk}/")
        page.get_by_text("Plans on his own now.").wait_for()


def test_an_adult_student_decides_what_the_parents_see(page: Any, live_server: Any, school: Any) -> None:
    import datetime as dt

    from krijt.care.models import CareSharing

    base = live_server.url
    child = school.students[0]
    child.birth_date = dt.date(2007, 1, 1)
    child.save(update_fields=["birth_date"])
    with time_machine.travel("2026-10-05 15:30 +0200", tick=True):
        sign_in(page, base, child.username, language="fr")
        page.goto(f"{base}/s/alpha/care/")
        page.get_by_role("link", name="Décider ce que tes parents voient").click()
        page.get_by_role("heading", name="Ce que voient mes parents").wait_for()
        assert_accessible(page)
        box = page.get_by_label("Mes parents voient les notes me concernant qui leur sont destinées")
        box.focus()
        page.keyboard.press("Space")
        page.get_by_role("button", name="Enregistrer").click()
        page.get_by_text("Enregistré.").wait_for()
        assert not CareSharing.objects.get(student=child).parents_may_see
