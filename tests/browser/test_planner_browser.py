"""A teacher plans a third test on a day that allows two: the warning names the other two, without a reload."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from krijt.planner.models import Override, PlannerItem
from krijt.planner.tests.factories import make_item
from tests.browser.helpers import page_width, sign_in
from tests.scenario import build_school

pytestmark = pytest.mark.django_db(transaction=True)

NOW = "2026-09-21 10:00 +0200"
DAY = dt.date(2026, 10, 5)


@pytest.fixture
def school(live_server: Any) -> Any:
    return build_school("alpha")


def test_a_third_test_warns_with_the_other_two_and_the_override_is_in_the_workload_view(
    page: Any, live_server: Any, school: Any
) -> None:
    with time_machine.travel(NOW, tick=True):
        dutch = school.courses[1]  # 1A, taught by the second teacher
        make_item(dutch, day=DAY, title="Spelling")
        make_item(dutch, day=DAY, title="Leesbegrip")
        sign_in(page, live_server.url, school.teacher.username)
        page.goto(f"{live_server.url}/s/alpha/planner/new/")
        page.evaluate("window.__samePage = true")
        page.locator("#id_course").select_option(str(school.courses[0].pk))
        page.locator("#id_kind").select_option("test")
        page.locator("#id_due_date").fill(DAY.isoformat())
        findings = page.locator("#findings")
        findings.wait_for()
        text = findings.inner_text()
        assert "Spelling" in text
        assert "Leesbegrip" in text
        assert page.evaluate("window.__samePage") is True  # updated in place, not reloaded
        # Another day clears the warning, the conflicting day brings it back.
        page.locator("#id_due_date").fill((DAY + dt.timedelta(days=1)).isoformat())
        findings.wait_for(state="detached")
        page.locator("#id_due_date").fill(DAY.isoformat())
        findings.wait_for()
        page.locator("#id_title").fill("Breuken")
        page.locator("#id_minutes").fill("50")
        page.locator("#id_override_reason").fill("Moved from last week after the school trip")
        # A check that lands after the reason was typed (the date field's delayed one, say) keeps the reason.
        page.evaluate("() => { window.__settled = new Promise(done => document.body.addEventListener("
                      "'htmx:afterSettle', () => done(true), {once: true})); }")
        page.locator("#id_due_date").dispatch_event("change")
        assert page.evaluate("() => window.__settled") is True
        assert page.locator("#id_override_reason").input_value() == "Moved from last week after the school trip"
        page.locator("button[name=override]").click()
        page.wait_for_url(f"**/s/alpha/planner/class/{school.classes[0].pk}/**")
        item = PlannerItem.objects.get(title="Breuken")
        assert Override.objects.get(item=item).reason == "Moved from last week after the school trip"
        assert page_width(page) <= 360
        # The teacher mentors 1A, so the workload view shows the class and the override.
        page.goto(f"{live_server.url}/s/alpha/planner/workload/?start={DAY.isoformat()}")
        overrides = page.locator("#overrides").inner_text()
        assert "Breuken" in overrides
        assert "Moved from last week after the school trip" in overrides
        assert "3/0/" in page.locator("table.heatmap").inner_text()
