"""News and the calendar on a phone: the administrator posts an excursion announcement for the parents and
students of 1A with a consent slip and puts it in the calendar, by keyboard; a parent finds it on Today and
answers for their child; the student sees the excursion in their calendar; the administrator sees the answer
per class."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine

from krijt.agenda.models import Event
from krijt.announcements.models import Announcement, Answer
from tests.browser.helpers import assert_accessible, page_width, sign_in
from tests.scenario import build_school

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def school(live_server: Any) -> Any:
    return build_school("alpha")


def test_an_excursion_with_a_consent_slip_is_answered_by_a_parent(page: Any, live_server: Any, school: Any) -> None:
    base = live_server.url
    child = school.students[0]
    with time_machine.travel("2026-10-05 09:30 +0200", tick=True):
        sign_in(page, base, school.admin.username, language="en")
        page.goto(f"{base}/s/alpha/news/")
        assert_accessible(page)
        page.get_by_role("link", name="Post an announcement").click()
        page.get_by_role("heading", name="Post an announcement").wait_for()
        page.get_by_label("Title", exact=True).fill("Excursion to Ghent")
        page.get_by_label("Text", exact=True).fill("We visit the **Gravensteen** on Friday. Bring a lunch.")
        page.get_by_role("group", name="For").get_by_label("Parents of 1A").check()
        page.get_by_role("group", name="For").get_by_label("Students of 1A").check()
        page.get_by_label("A reply slip").check()
        page.get_by_label("Question of the reply slip").fill("May your child come along?")
        page.get_by_label("Answers to choose from, one per line").fill("Yes\nNo")
        assert page_width(page) <= 360
        assert_accessible(page)
        page.get_by_role("button", name="Post", exact=True).focus()
        page.keyboard.press("Enter")
        page.get_by_text("The announcement is posted.").wait_for()
        assert_accessible(page)
        item = Announcement.objects.get()
        # The excursion into the calendar, for the same audience, linked to the announcement.
        page.get_by_role("link", name="Put it in the calendar").click()
        page.get_by_role("heading", name="Add an event").wait_for()
        assert page.get_by_label("Title", exact=True).input_value() == "Excursion to Ghent"
        assert page.get_by_role("group", name="For").get_by_label("Students of 1A").is_checked()
        page.get_by_label("Kind of event").select_option("excursion")
        page.get_by_label("Date", exact=True).fill("2026-10-09")
        page.get_by_label("From (empty: all day)").fill("08:30")
        page.get_by_label("Until", exact=True).fill("16:00")
        page.get_by_label("Place (optional)").fill("Gravensteen, Ghent")
        assert page_width(page) <= 360
        assert_accessible(page)
        page.get_by_role("button", name="Add to the calendar").focus()
        page.keyboard.press("Enter")
        page.get_by_text("The event is in the calendar.").wait_for()
        assert_accessible(page)
        event = Event.objects.get()
        assert (event.category, event.announcement_id, event.place) == ("excursion", item.pk, "Gravensteen, Ghent")
        sign_in(page, base, school.parent.username, language="en")
        page.goto(f"{base}/s/alpha/")
        page.get_by_role("link", name="Excursion to Ghent").first.click()
        page.get_by_role("heading", name="May your child come along?").wait_for()
        assert_accessible(page)
        page.get_by_label("Yes").check()
        page.get_by_role("button", name="Send the answer").focus()
        page.keyboard.press("Enter")
        page.get_by_text("Your answer is saved.").wait_for()
        assert_accessible(page)
        answer = Answer.objects.get(announcement=item)
        assert (answer.user, answer.student, answer.choice) == (school.parent, child, "Yes")
        # The student finds the excursion in their calendar, and from there the announcement.
        sign_in(page, base, child.username, language="en")
        page.goto(f"{base}/s/alpha/")
        page.get_by_role("link", name="Calendar", exact=True).first.click()
        page.get_by_role("heading", name="Calendar", exact=True).wait_for()
        excursion = page.get_by_role("link", name="Excursion to Ghent")
        excursion.wait_for()
        assert page_width(page) <= 360
        assert_accessible(page)
        page.get_by_role("link", name="Agenda").click()
        page.get_by_text("08:30–16:00").first.wait_for()
        assert_accessible(page)
        page.get_by_role("link", name="Excursion to Ghent").first.focus()
        page.keyboard.press("Enter")
        page.get_by_role("heading", name="Excursion to Ghent").wait_for()
        page.get_by_text("Gravensteen, Ghent").wait_for()
        assert_accessible(page)
        page.get_by_role("link", name="Read the announcement: Excursion to Ghent").click()
        page.get_by_role("heading", name="May your child come along?").wait_for()
        sign_in(page, base, school.admin.username, language="en")
        page.goto(f"{base}/s/alpha/news/{item.pk}/answers/")
        page.get_by_text("1 of 3 answered.").wait_for()
        assert_accessible(page)
