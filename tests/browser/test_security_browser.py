"""The Content-Security-Policy in a real browser: Krijt's pages run under it, and a violation is seen."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import _watched_page
from tests.browser.helpers import sign_in
from tests.scenario import build_school

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def school(live_server: Any) -> Any:
    return build_school("alpha")


def test_an_injected_inline_script_is_refused_and_reported(browser: Any, live_server: Any, school: Any) -> None:
    watched = _watched_page(browser, {"width": 360, "height": 780})
    page = next(watched)
    sign_in(page, live_server.url, school.teacher.username)
    response = page.goto(f"{live_server.url}/s/alpha/messages/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    # What a stored XSS would do: an inline script and an inline event handler. Neither runs.
    ran = page.evaluate("""() => {
        window.__ran = false;
        const script = document.createElement("script");
        script.textContent = "window.__ran = true";
        document.body.appendChild(script);
        return window.__ran;
    }""")
    assert ran is False
    with pytest.raises(AssertionError, match="Content-Security-Policy violations"):
        next(watched)  # the page's teardown: the violation fails a test that used this page
