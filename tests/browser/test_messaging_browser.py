"""Messages in Chromium on a phone: a teacher schedules a message and sees when it arrives; a student
reads it at that moment and not before."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine

from krijt.core.worker import run_pending_tasks
from tests.browser.helpers import page_width, sign_in
from tests.scenario import build_school

pytestmark = pytest.mark.django_db(transaction=True)

FRIDAY_EVENING = "2026-10-02 20:00 +0200"
SATURDAY = "2026-10-03 11:00 +0200"
MONDAY_EARLY = "2026-10-05 06:50 +0200"
MONDAY_MORNING = "2026-10-05 07:05 +0200"


@pytest.fixture
def school(live_server: Any) -> Any:
    return build_school("alpha")


def test_a_scheduled_message_reaches_the_student_at_the_right_time(
    page: Any, live_server: Any, school: Any
) -> None:
    base = f"{live_server.url}/s/alpha"
    student = school.students_by_class[school.classes[0].pk][0]
    with time_machine.travel(FRIDAY_EVENING, tick=True):
        sign_in(page, live_server.url, school.teacher.username, language="en")
        page.get_by_role("link", name="Messages").first.click()
        page.get_by_role("link", name="New message").click()
        page.wait_for_url(f"{base}/messages/new/")
        page.wait_for_load_state("load")
        # The recipient picker, with the keyboard only.
        search = page.locator("#msg-to-q")
        search.focus()
        page.keyboard.type("1A")
        page.locator(".msg-option").first.wait_for()
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        page.locator("#msg-chosen li").filter(has_text="1A").wait_for()
        page.locator("#id_subject").fill("Toets wiskunde")
        page.locator("#id_body").fill("Beste klas,\n\nmaandag toets over hoofdstuk 3.")
        page.locator("#id_send_at").fill("2026-10-02T21:00")
        page.locator("#id_send_at").dispatch_event("change")
        preview = page.locator("#msg-preview")
        preview.filter(has_text="Monday 5 October 07:00 for 3 recipients").wait_for()
        assert page_width(page) <= 360
        page.get_by_role("button", name="Send").click()
        page.wait_for_url(f"{base}/messages/scheduled/")
        assert "Toets wiskunde" in page.locator("main").inner_text()
    run_pending_tasks()

    with time_machine.travel(SATURDAY, tick=True):
        sign_in(page, live_server.url, student.username, language="en")
        page.goto(f"{base}/messages/")
        assert "Toets wiskunde" not in page.locator("main").inner_text()
    with time_machine.travel(MONDAY_EARLY, tick=True):
        sign_in(page, live_server.url, student.username, language="en")
        page.goto(f"{base}/messages/")
        assert "Toets wiskunde" not in page.locator("main").inner_text()
    with time_machine.travel(MONDAY_MORNING, tick=True):
        sign_in(page, live_server.url, student.username, language="en")
        page.goto(f"{base}/messages/")
        assert "Toets wiskunde" in page.locator("main").inner_text()
        page.locator(".msg-badge .msg-count").filter(has_text="1").wait_for()
        page.get_by_role("link", name="Toets wiskunde").click()
        assert "hoofdstuk 3" in page.locator(".msg-body").inner_text()
        assert page_width(page) <= 360


def test_the_editor_formats_from_the_keyboard_and_previews_without_tags(
    page: Any, live_server: Any, school: Any
) -> None:
    from tests.browser.helpers import assert_accessible

    sign_in(page, live_server.url, school.teacher.username, language="en")
    page.goto(f"{live_server.url}/s/alpha/messages/new/")
    body = page.locator("#id_body")
    body.focus()
    page.keyboard.type("Friday no lessons")
    page.keyboard.press("Shift+Home")
    page.keyboard.press("Control+B")
    assert body.input_value() == "**Friday no lessons**"
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    page.keyboard.type("bring a lunch")
    page.get_by_role("button", name="List").click()
    preview = page.locator("#msg-body-preview")
    preview.locator("strong", has_text="Friday no lessons").wait_for()
    preview.locator("li", has_text="bring a lunch").wait_for()
    assert "**" not in preview.inner_text()
    assert "<" not in preview.inner_text()
    assert_accessible(page)
