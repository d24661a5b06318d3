"""Each role's home page and the language switch, in Chromium on a phone-sized screen."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine

from krijt.core.roles import Role
from tests.browser.helpers import sign_in
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
        (Role.PARENT, "children-h"),
        (Role.ADMIN, "overview-h"),
    ],
)
def test_each_role_sees_its_home_page(page: Any, live_server: Any, school: Any, role: str, heading_id: str) -> None:
    with time_machine.travel(MONDAY, tick=True):
        sign_in(page, live_server.url, school.user_for(role).username)
        switch_language(page, "en")
        assert page.locator(f"#{heading_id}").is_visible()
        if role == Role.STUDENT:
            assert page.locator(".lessons li").count() == 2
            assert "Wiskunde" in page.locator(".lessons").inner_text()
        if role == Role.PARENT:
            assert school.student.full_name in page.locator("#children-h + ul").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360


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
