"""The shell on a phone and a desktop: every destination reachable, My account and Help, light and dark.

Screenshots for review go to bench/out/screens/ (not kept in the repository)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from krijt.core.roles import Role
from tests.browser.helpers import assert_accessible, page_width, sign_in
from tests.scenario import build_school

pytestmark = pytest.mark.django_db(transaction=True)

SCREENS = Path(__file__).resolve().parents[2] / "bench" / "out" / "screens"


@pytest.fixture
def school(live_server: Any) -> Any:
    return build_school("alpha")


def shot(page: Any, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("role", [Role.STUDENT, Role.TEACHER, Role.PARENT, Role.ADMIN])
def test_on_a_phone_every_section_is_one_or_two_taps_away(page: Any, live_server: Any, school: Any,
                                                          role: str) -> None:
    sign_in(page, live_server.url, school.user_for(role).username, language="en")
    bar = page.locator("nav.mainnav")
    box = bar.bounding_box()
    assert box is not None
    assert box["y"] + box["height"] >= 780 - 1  # at the bottom of the screen, within reach of a thumb
    visible = [a for a in bar.locator("a").all() if a.is_visible()]
    assert 3 <= len(visible) <= 5
    hidden_links = [a.get_attribute("href") for a in bar.locator(".more-panel a").all()]
    if hidden_links:
        bar.locator("summary").click()
        for link in bar.locator(".more-panel a").all():
            assert link.is_visible()
        page.keyboard.press("Escape")
        assert not bar.locator(".more-panel a").first.is_visible()
    assert page_width(page) <= 360
    shot(page, f"today-{role}-360")
    assert_accessible(page)


def test_the_section_stays_marked_on_a_page_inside_it(page: Any, live_server: Any, school: Any) -> None:
    sign_in(page, live_server.url, school.teacher.username, language="en")
    page.goto(f"{live_server.url}/s/alpha/messages/sent/")
    marked = page.locator("nav.mainnav a[aria-current]")
    assert marked.count() == 1
    assert "Messages" in marked.inner_text()


@pytest.mark.parametrize("screen", ["page", "desktop_page"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_my_account_and_help_read_well_in_light_and_dark(request: Any, live_server: Any, school: Any,
                                                         screen: str, scheme: str) -> None:
    page = request.getfixturevalue(screen)
    page.emulate_media(color_scheme=scheme)
    sign_in(page, live_server.url, school.parent.username, language="en")
    width = 360 if screen == "page" else 1280
    for path, name in (("/accounts/me/", "account"), ("/help/", "help"), ("/", "today")):
        page.goto(f"{live_server.url}/s/alpha{path}")
        assert page_width(page) <= width
        shot(page, f"{name}-parent-{width}-{scheme}")
        assert_accessible(page)


def test_my_account_changes_the_language_from_the_keyboard(page: Any, live_server: Any, school: Any) -> None:
    sign_in(page, live_server.url, school.student.username, language="en")
    page.locator("nav.mainnav").wait_for()
    page.locator(".menu summary").focus()
    page.keyboard.press("Enter")
    page.get_by_role("link", name="My account").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/s/alpha/accounts/me/")
    page.locator("#id_lang-language").focus()
    page.locator("#id_lang-language").select_option("fr")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    # The same address answers after the save: wait for the new page itself, not for the address.
    page.locator("h1", has_text="Mon compte").wait_for()
    assert page.locator("html").get_attribute("lang") == "fr"


def test_the_status_page_shows_times_in_the_readers_zone(browser: Any, live_server: Any, school: Any) -> None:
    import datetime as dt
    from zoneinfo import ZoneInfo

    context = browser.new_context(timezone_id="Asia/Tokyo", locale="en-GB", viewport={"width": 360, "height": 780})
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/s/alpha/status/")
        node = page.locator("time[data-local]").first
        moment = dt.datetime.fromisoformat(node.get_attribute("datetime"))
        shown = node.inner_text()
        tokyo = moment.astimezone(ZoneInfo("Asia/Tokyo"))
        assert f"{tokyo:%H}:{tokyo:%M}" in shown, shown
        assert "CET" not in shown
        assert page.locator("footer a", has_text="Service status").count() == 1
        assert_accessible(page)
    finally:
        context.close()


@pytest.mark.parametrize("screen", ["page", "desktop_page"])
def test_the_administrators_pages_fit_a_phone_and_pass_axe(request: Any, live_server: Any, school: Any,
                                                           screen: str) -> None:
    page = request.getfixturevalue(screen)
    width = 360 if screen == "page" else 1280
    sign_in(page, live_server.url, school.admin.username, language="en")
    group = school.classes[0]
    paths = {
        "people": "/manage/people/",
        "person": f"/manage/people/{school.student.pk}/",
        "parent": f"/manage/people/{school.parent.pk}/",
        "courses": "/manage/courses/",
        "class": f"/manage/classes/{group.pk}/",
        "class-timetable": f"/manage/classes/{group.pk}/timetable/",
        "timetable": "/manage/timetable/",
        "calendar": "/manage/",
        "school": "/manage/school/",
        "gradebooks": "/results/",
    }
    for name, path in paths.items():
        page.goto(f"{live_server.url}/s/alpha{path}")
        overflow = page_width(page)
        assert overflow <= width, f"{path} is {overflow} px wide on a {width} px screen"
        shot(page, f"admin-{name}-{width}")
        assert_accessible(page)


@pytest.mark.parametrize("role", [Role.STUDENT, Role.TEACHER, Role.PARENT, Role.STAFF])
@pytest.mark.parametrize("screen", ["page", "desktop_page"])
def test_every_main_section_of_each_role_fits_and_passes_axe(request: Any, live_server: Any, school: Any,
                                                             role: str, screen: str) -> None:
    page = request.getfixturevalue(screen)
    width = 360 if screen == "page" else 1280
    sign_in(page, live_server.url, school.user_for(role).username, language="en")
    sections = page.eval_on_selector_all("nav.mainnav a", "links => [...new Set(links.map(a => a.href))]")
    assert len(sections) >= 4
    for url in sections:
        page.goto(url)
        overflow = page_width(page)
        assert overflow <= width, f"{url} is {overflow} px wide on a {width} px screen"
        shot(page, f"{role}-{url.rstrip('/').rsplit('/', 1)[-1] or 'today'}-{width}")
        assert_accessible(page)
