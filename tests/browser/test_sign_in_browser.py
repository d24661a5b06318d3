"""Sign in as a person would: on a 360 px wide phone, with the keyboard."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings

from tests.browser.helpers import page_width
from tests.scenario import TEST_PASSWORD, build_school

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def school(live_server: Any) -> Any:
    return build_school("alpha")


def fill_sign_in(page: Any, username: str, password: str) -> None:
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("#id_password").press("Enter")


def test_sign_in_with_the_right_password(page: Any, live_server: Any, school: Any) -> None:
    page.goto(f"{live_server.url}/s/alpha/")
    assert "/accounts/sign-in/" in page.url
    fill_sign_in(page, school.student.username, TEST_PASSWORD)
    page.wait_for_url(f"{live_server.url}/s/alpha/")
    assert page.locator("h1").inner_text().startswith(("Dag", "Hello", "Bonjour"))
    # Nothing is wider than the phone's screen.
    assert page_width(page) <= 360


def test_sign_in_with_a_wrong_password(page: Any, live_server: Any, school: Any) -> None:
    page.goto(f"{live_server.url}/s/alpha/accounts/sign-in/")
    fill_sign_in(page, school.student.username, "not the password")
    error = page.locator("#sign-in-error")
    error.wait_for()
    assert error.get_attribute("role") == "alert"
    assert "/accounts/sign-in/" in page.url


def test_sign_in_rate_limited(page: Any, live_server: Any, school: Any) -> None:
    limit, _ = settings.KRIJT_LOGIN_LIMITS["address_account"]
    page.goto(f"{live_server.url}/s/alpha/accounts/sign-in/")
    for _ in range(limit):
        fill_sign_in(page, school.teacher.username, "wrong")
        page.locator("#sign-in-error").wait_for()
    response_codes: list[int] = []
    page.on("response", lambda r: response_codes.append(r.status) if "/sign-in/" in r.url else None)
    fill_sign_in(page, school.teacher.username, TEST_PASSWORD)
    page.locator("#sign-in-error").wait_for()
    assert 429 in response_codes
    assert "/accounts/sign-in/" in page.url


def test_keyboard_only_sign_in(page: Any, live_server: Any, school: Any) -> None:
    page.goto(f"{live_server.url}/s/alpha/accounts/sign-in/")
    # The user name field has the focus on arrival: type, Tab, type, Enter.
    assert page.evaluate("document.activeElement.id") == "id_username"
    page.keyboard.type(school.admin.username)
    page.keyboard.press("Tab")
    page.keyboard.type(TEST_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/s/alpha/")
    # On the home page the first Tab reaches the skip link, which jumps over the navigation.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
