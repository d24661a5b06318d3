"""Each role's home page and the language switch, in Chromium on a phone-sized screen."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine

from krijt.core.roles import Role
from tests.browser.helpers import assert_accessible, page_width, sign_in
from tests.scenario import build_school

pytestmark = pytest.mark.django_db(transaction=True)

MONDAY = "2026-11-23 07:30 +0100"


@pytest.fixture
def school(live_server: Any) -> Any:
    return build_school("alpha")


def switch_language(page: Any, code: str) -> None:
    page.locator("#language-select").select_option(code)
    page.locator("form.language button").click()
    page.wait_for_load_state()


@pytest.mark.parametrize(
    ("role", "heading_id"),
    [
        (Role.STUDENT, "student-lessons-h"),
        (Role.TEACHER, "teacher-lessons-h"),
        (Role.PARENT, None),
        (Role.ADMIN, "overview-h"),
    ],
)
@pytest.mark.parametrize("screen", ["page", "desktop_page"])
def test_each_role_sees_its_today_page(
    request: Any, live_server: Any, school: Any, role: str, heading_id: str | None, screen: str
) -> None:
    page = request.getfixturevalue(screen)
    with time_machine.travel(MONDAY, tick=True):
        sign_in(page, live_server.url, school.user_for(role).username)
        switch_language(page, "en")
        heading = heading_id or f"child-{school.student.pk}-h"
        assert page.locator(f"#{heading}").is_visible()
        if role == Role.STUDENT:
            assert page.locator(".lessons li").count() == 2
            assert "Wiskunde" in page.locator(".lessons").inner_text()
            assert page.locator("#student-items-h").is_visible()
            assert page.locator("#student-results-h").is_visible()
        if role == Role.PARENT:
            assert school.student.full_name in page.locator(f"#{heading}").inner_text()
        if role == Role.TEACHER:
            assert page.locator("#teacher-work-h").is_visible()
        width = 360 if screen == "page" else 1280
        assert page_width(page) <= width
        assert_accessible(page)


def test_today_works_from_the_keyboard(page: Any, live_server: Any, school: Any) -> None:
    """Tab reaches the first link of Today's content, and Enter follows it."""
    with time_machine.travel(MONDAY, tick=True):
        sign_in(page, live_server.url, school.teacher.username)
        switch_language(page, "en")
        first = page.locator("main a").first
        target = first.get_attribute("href")
        for _ in range(60):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement && document.activeElement.closest('main') !== null"):
                break
        assert page.evaluate("document.activeElement.getAttribute('href')") == target
        page.keyboard.press("Enter")
        page.wait_for_url(f"{live_server.url}{target}")


def test_language_switch_changes_the_whole_page(page: Any, live_server: Any, school: Any) -> None:
    sign_in(page, live_server.url, school.student.username)
    assert page.locator("html").get_attribute("lang") == "nl"
    switch_language(page, "fr")
    assert page.locator("html").get_attribute("lang") == "fr"
    switch_language(page, "en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text().startswith("Hello")
    # The choice is remembered on the next page.
    page.goto(f"{live_server.url}/s/alpha/")
    assert page.locator("html").get_attribute("lang") == "en"


def test_the_accessibility_check_catches_a_serious_violation(page: Any) -> None:
    page.set_content('<html lang="en"><head><title>x</title></head><body><main><img src="data:,"></main></body></html>')
    with pytest.raises(AssertionError, match="image-alt"):
        assert_accessible(page)
