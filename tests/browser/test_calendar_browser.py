"""The school calendar on a phone: the administrator plans a pedagogical study day by keyboard and is told
of the test still due that day; the student's week shows the day without lessons; a parent of two children
reads the month, narrows it to one child, and opens the agenda. axe on each page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from krijt.accounts.models import Membership, ParentLink
from krijt.core.roles import Role
from krijt.planner.tests.factories import make_item
from krijt.schools.models import CalendarEntry, Enrollment
from tests.browser.helpers import assert_accessible, page_width, sign_in
from tests.scenario import build_school, make_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def school(live_server: Any) -> Any:
    s = build_school("alpha")
    second = make_user("alpha.second", "Lotte", "Student")
    Membership.objects.create(school=s.school, user=second, role=Role.STUDENT)
    Enrollment.objects.create(school=s.school, school_year=s.year, class_group=s.classes[1], student=second)
    ParentLink.objects.create(school=s.school, parent=s.parent, student=second)
    return s


def test_a_study_day_in_the_calendar_of_every_role(page: Any, live_server: Any, school: Any) -> None:
    base = live_server.url
    with time_machine.travel("2026-10-05 09:30 +0200", tick=True):
        make_item(school.courses[0], day=dt.date(2026, 10, 14), kind="test", title="Breuken")
        sign_in(page, base, school.admin.username, language="en")
        page.goto(f"{base}/s/alpha/calendar/")
        page.get_by_role("heading", name="Calendar", exact=True).wait_for()
        assert_accessible(page)
        page.get_by_role("link", name="Add an event").click()
        page.get_by_role("heading", name="Add an event").wait_for()
        page.get_by_label("Title", exact=True).fill("Study day")
        page.get_by_label("Kind of event").select_option("study_day")
        page.get_by_label("Date", exact=True).fill("2026-10-14")
        page.get_by_label("Description (optional)").fill("No lessons; care until 17:00 on request.")
        assert page_width(page) <= 360
        assert_accessible(page)
        page.get_by_role("button", name="Add to the calendar").focus()
        page.keyboard.press("Enter")
        page.get_by_text("The event is in the calendar.").wait_for()
        page.get_by_text("1 test or task is still due on a day without lessons now").wait_for()
        page.get_by_text("There are no lessons on this day").wait_for()
        assert_accessible(page)
        assert CalendarEntry.objects.filter(school=school.school, kind="closure", starts_on="2026-10-14").exists()

        sign_in(page, base, school.student.username, language="en")
        page.goto(f"{base}/s/alpha/calendar/?view=week&day=2026-10-14")
        page.get_by_role("heading", name="Wednesday 14 October").wait_for()
        page.get_by_text("No lessons: Study day").wait_for()
        page.get_by_role("link", name="Wiskunde: Breuken").wait_for()
        assert page_width(page) <= 360
        assert_accessible(page)

        sign_in(page, base, school.parent.username, language="en")
        page.goto(f"{base}/s/alpha/calendar/?day=2026-10-14")
        page.get_by_role("link", name="Study day").wait_for()
        assert page_width(page) <= 360
        assert_accessible(page)
        page.get_by_role("link", name="Lotte").focus()
        page.keyboard.press("Enter")
        page.get_by_role("link", name="Lotte").and_(page.locator("[aria-current=page]")).wait_for()
        assert page.get_by_role("link", name="Wiskunde: Breuken").count() == 0  # Stu1's class, not Lotte's
        page.get_by_role("link", name="Agenda").click()
        page.get_by_role("link", name="Study day").wait_for()
        assert_accessible(page)
