"""The sign-in waiting room in a browser: refused while password checks are full, then in by itself."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import override_settings

from krijt.accounts import hashing_pool
from tests.browser.helpers import page_width
from tests.scenario import TEST_PASSWORD, build_school

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def school(live_server: Any) -> Any:
    return build_school("alpha")


@pytest.fixture
def full_pool() -> Iterator[hashing_pool.HashingPool]:
    with override_settings(KRIJT_HASH_CONCURRENCY=1, KRIJT_HASH_WAIT=0.1):
        hashing_pool.reset_pool()
        yield hashing_pool.pool()
    hashing_pool.reset_pool()


def test_waiting_room_counts_down_and_signs_in_by_itself(
    page: Any, live_server: Any, school: Any, full_pool: hashing_pool.HashingPool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hashing_pool, "RETRY_AFTER_RANGE", (2, 2))
    statuses: list[int] = []
    page.on("response", lambda r: statuses.append(r.status) if "/sign-in/" in r.url else None)
    page.goto(f"{live_server.url}/s/alpha/accounts/sign-in/")
    page.locator("#id_username").fill(school.student.username)
    page.locator("#id_password").fill(TEST_PASSWORD)
    with full_pool.slot():  # every password-check slot is taken
        page.locator("#id_password").press("Enter")
        page.locator("#waiting-h").wait_for()
        assert 503 in statuses
        assert page.locator("#id_username").input_value() == school.student.username
        assert page.locator("#id_password").input_value() == ""  # never echoed by the server
        assert page.locator("#waiting-countdown").get_attribute("data-seconds") == "2"
        assert "2" in page.locator("p[role=status]").inner_text()  # the expected wait, from Retry-After
        # The user types the password again while waiting (a saved password would be filled in).
        page.locator("#id_password").fill(TEST_PASSWORD)
    # Room again: when the countdown ends the page sends the form by itself.
    page.wait_for_url(f"{live_server.url}/s/alpha/", timeout=8000)
    assert page.locator("h1").inner_text().startswith(("Dag", "Hello", "Bonjour"))
    assert page_width(page) <= 360


def test_waiting_room_asks_for_the_password_when_the_field_is_empty(
    page: Any, live_server: Any, school: Any, full_pool: hashing_pool.HashingPool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hashing_pool, "RETRY_AFTER_RANGE", (1, 1))
    page.goto(f"{live_server.url}/s/alpha/accounts/sign-in/")
    page.locator("#id_username").fill(school.student.username)
    page.locator("#id_password").fill(TEST_PASSWORD)
    with full_pool.slot():
        page.locator("#id_password").press("Enter")
        page.locator("#waiting-h").wait_for()
    page.wait_for_function(
        "() => { const n = document.getElementById('waiting-countdown');"
        " return n.textContent === n.getAttribute('data-need-password'); }",
        timeout=5000,
    )
    assert page.evaluate("document.activeElement.id") == "id_password"
    assert "/accounts/sign-in/" in page.url
    page.locator("#id_password").fill(TEST_PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url(f"{live_server.url}/s/alpha/")
