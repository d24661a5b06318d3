"""The notification badge in the top bar, in Chromium on a phone-sized screen."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import time_machine

from tests.browser.helpers import page_width, sign_in
from tests.scenario import build_school

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls("krijt.webpush.tests.urls")]

MONDAY = "2026-10-05 10:00 +0200"
SLOT = '{% include "notifications/_badge_slot.html" %}'


@pytest.fixture
def badge_in_top_bar(settings: Any, tmp_path: Path) -> None:
    """Polls every second, and puts the badge in the top bar if base.html does not include it yet."""
    settings.KRIJT_NOTIFICATION_BADGE_POLL_SECONDS = 1
    base = Path(settings.BASE_DIR) / "krijt" / "templates" / "base.html"
    text = base.read_text()
    if SLOT in text:
        return
    anchor = "  {% if user.is_authenticated %}\n    <details class=\"menu\">"
    assert anchor in text
    (tmp_path / "base.html").write_text(text.replace(anchor, f"  {SLOT}\n{anchor}", 1))
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [tmp_path, *engine["DIRS"]]}]


@pytest.fixture
def school(live_server: Any) -> Any:
    return build_school("alpha")


def test_the_badge_shows_a_new_notification_without_a_reload(
    page: Any, live_server: Any, school: Any, badge_in_top_bar: None
) -> None:
    from krijt.notifications import kinds
    from krijt.notifications.services import Target, notify

    kinds.register("browser-note", lambda params, language: kinds.Rendered(params["subject"], ""))
    with time_machine.travel(MONDAY, tick=True):
        sign_in(page, live_server.url, school.student.username)
        badge = page.locator("#notification-bell .nbadge")
        badge.wait_for(state="attached")
        assert badge.get_attribute("data-count") == "0"
        assert not badge.is_visible()
        page.evaluate("window.stillTheSamePage = true")

        notify(
            school=school.school,
            kind="browser-note",
            key="browser:1",
            targets=[Target(school.student.pk, "student")],
            params={"subject": "Turnles gaat niet door"},
            url="/s/alpha/",
        )

        page.locator('#notification-bell .nbadge[data-count="1"]').wait_for(state="visible", timeout=5000)
        assert badge.inner_text() == "1"
        assert page.evaluate("window.stillTheSamePage") is True
        assert page_width(page) <= 360

        # The bell leads to the centre, and reading the item empties the badge.
        page.locator("#notification-bell").focus()
        page.keyboard.press("Enter")
        page.wait_for_url(f"{live_server.url}/s/alpha/notifications/")
        assert "Turnles gaat niet door" in page.locator(".nlist").inner_text()
        page.locator(".nlist button.link").click()
        page.locator('#notification-bell .nbadge[data-count="0"]').wait_for(state="attached", timeout=5000)
        assert page.locator(".nlist li.unread").count() == 0
        assert page_width(page) <= 360
