"""What browser tests do over and over: sign in as a person would."""

from __future__ import annotations

from typing import Any

from tests.scenario import TEST_PASSWORD


def sign_in(page: Any, base_url: str, username: str, *, language: str | None = None, school: str = "alpha") -> None:
    """Types the user name and password on the school's sign-in page and waits for the home page.

    With `language`, the browser starts over (no cookies) reading that language.
    """
    # Leave the last page first: its scripts (the bell's poll, a retry) must not send a request without cookies
    # while this one signs in, whose answer would set another CSRF cookie than the sign-in form's.
    page.goto("about:blank")
    if language is not None:
        page.context.clear_cookies()
        page.context.add_cookies([{"name": "krijt_language", "value": language, "url": base_url}])
    page.goto(f"{base_url}/s/{school}/accounts/sign-in/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(TEST_PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url(f"{base_url}/s/{school}/")


def assert_accessible(page: Any) -> None:
    """Runs axe-core (WCAG 2.1 A and AA rules) on the page as it is: no serious or critical violation."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a",
                                                                              "wcag21aa", "best-practice"]}})
    found = [
        f"{v['id']} ({v['impact']}): {v['help']} at " + ", ".join(str(n["target"]) for n in v["nodes"][:5])
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]
    assert not found, f"{page.url}:\n" + "\n".join(found)


def page_width(page: Any) -> int:
    """The page's laid-out width, once the page has loaded: measured earlier, its stylesheet may still be on its
    way and the page is laid out without it (wider than any phone)."""
    page.wait_for_load_state("load")
    return int(page.evaluate("document.documentElement.scrollWidth"))
