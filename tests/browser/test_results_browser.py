"""Results in the browser: keyboard-only score entry, the release preview, and who sees a result when."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from krijt.core import clock
from krijt.results import services
from krijt.results.models import Score
from tests.browser.helpers import page_width, sign_in
from tests.scenario import build_school

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def school(live_server: Any) -> Any:
    return build_school("alpha")


def _evaluation(school: Any) -> Any:
    return services.evaluation_create(
        school=school.school,
        actor=school.teacher,
        course=school.courses[0],
        period=school.periods[0],
        name="Fractions",
        date=dt.date(2026, 11, 10),
        maximum=Decimal("10"),
    )


def test_keyboard_only_score_entry_with_a_bad_value(desktop_page: Any, live_server: Any, school: Any) -> None:
    page, base = desktop_page, live_server.url
    evaluation = _evaluation(school)
    first, second = school.students_by_class[school.classes[0].pk][:2]
    sign_in(page, base, school.teacher.username, language="en")
    page.goto(f"{base}/s/alpha/results/courses/{school.courses[0].pk}/")
    page.get_by_text("Type A or afw for absent").wait_for()
    cell = page.get_by_label(f"Score of {first.full_name} for Fractions, out of 10")
    cell.focus()
    page.keyboard.type("12")
    page.keyboard.press("Enter")  # saves and moves down
    message = page.get_by_role("alert").filter(has_text="cannot be above the maximum of 10")
    message.wait_for()
    first_id = f"c-{evaluation.pk}-{first.pk}"
    # The refused cell takes the focus back, so the teacher corrects it at once.
    page.wait_for_function(f"() => document.activeElement.id === '{first_id}'")
    page.keyboard.press("Control+a")  # replace whatever the cell holds, whatever the machine's speed
    page.keyboard.type("7,5")
    page.keyboard.press("Enter")
    message.wait_for(state="detached", timeout=20_000)
    page.locator(f"td:has(#{first_id}) .rs-saved").wait_for()  # a per-cell confirmation
    page.wait_for_function(f"() => document.activeElement.id === 'c-{evaluation.pk}-{second.pk}'")
    page.keyboard.type("8")
    page.keyboard.press("Enter")
    page.locator(f"td:has(#c-{evaluation.pk}-{second.pk}) .rs-saved").wait_for()
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    values = {s.student_id: s.value for s in Score.objects.filter(evaluation=evaluation)}
    assert values == {first.pk: Decimal("7.5"), second.pk: Decimal("8")}


def test_teacher_sees_the_release_preview(desktop_page: Any, live_server: Any, school: Any) -> None:
    page, base = desktop_page, live_server.url
    evaluation = _evaluation(school)
    services.score_set(
        school=school.school, actor=school.teacher, evaluation=evaluation, student_id=school.student.pk, entry="6"
    )
    sign_in(page, base, school.teacher.username, language="en")
    page.goto(f"{base}/s/alpha/results/evaluations/{evaluation.pk}/")
    page.get_by_role("heading", name="If you publish now").wait_for()
    row = page.locator(f"#student-{school.student.pk}")
    assert "if published now" in row.inner_text()
    page.get_by_role("button", name="Publish").press("Enter")
    page.get_by_text("Published: 1 results").wait_for()
    assert Score.objects.get(evaluation=evaluation, student=school.student).student_visible_at is not None
    assert "if published now" not in page.locator(f"#student-{school.student.pk}").inner_text()


def test_student_sees_a_published_result_and_the_parent_not_yet(page: Any, live_server: Any, school: Any) -> None:
    base = live_server.url
    evaluation = _evaluation(school)
    services.score_set(
        school=school.school,
        actor=school.teacher,
        evaluation=evaluation,
        student_id=school.student.pk,
        entry="9",
        comment="Great work",
    )
    services.evaluation_publish(school=school.school, actor=school.teacher, evaluation=evaluation)
    # As if published yesterday inside the window: the student sees it now, the parents from tomorrow.
    now = clock.now()
    Score.objects.filter(evaluation=evaluation).update(
        student_visible_at=now - dt.timedelta(hours=1), parent_visible_at=now + dt.timedelta(hours=20)
    )
    sign_in(page, base, school.student.username, language="en")
    page.goto(f"{base}/s/alpha/results/")
    page.get_by_role("heading", name="My results", exact=True).wait_for()
    assert page.get_by_text("9 / 10").is_visible()
    assert page_width(page) <= 360

    sign_in(page, base, school.parent.username, language="en")
    page.goto(f"{base}/s/alpha/results/")
    page.get_by_text("No results to show yet.").wait_for()
    assert page.get_by_text("9 / 10").count() == 0


def test_a_teacher_edits_an_evaluation_in_dutch_and_keeps_its_date(
    desktop_page: Any, live_server: Any, school: Any
) -> None:
    page, base = desktop_page, live_server.url
    evaluation = _evaluation(school)
    sign_in(page, base, school.teacher.username, language="nl")
    page.goto(f"{base}/s/alpha/results/evaluations/{evaluation.pk}/edit/")
    date = page.locator("#id_date")
    date.wait_for()
    # The browser shows the date in its own format, from the ISO value; a Dutch "10-11-2026" would be empty.
    assert date.input_value() == "2026-11-10"
    page.locator("#id_name").fill("Breuken en kommagetallen")
    page.locator("form button[type=submit].primary").press("Enter")
    page.wait_for_url(f"**/results/courses/{school.courses[0].pk}/**")
    evaluation.refresh_from_db()
    assert (evaluation.name, evaluation.date) == ("Breuken en kommagetallen", dt.date(2026, 11, 10))
