"""On a phone, a student hands in a file for a task; the teacher sees it in the task's list and opens it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from krijt.core import clock
from krijt.planner.models import PlannerItem
from tests.browser.helpers import page_width, sign_in
from tests.scenario import build_school

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def school(live_server: Any, settings: Any, tmp_path: Path) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_school("alpha")


def test_a_student_hands_in_a_file_and_the_teacher_sees_it(
    page: Any, live_server: Any, school: Any, tmp_path: Path
) -> None:
    today = clock.local_today(school.school.time_zone)
    group = school.classes[0]
    course = next(c for c in school.courses if c.class_group_id == group.pk and c.teacher_id == school.teacher.pk)
    item = PlannerItem.objects.create(
        school=school.school, school_year=school.year, class_group=group, course=course, teacher=school.teacher,
        kind=PlannerItem.Kind.TASK, title="Poem analysis", due_date=today + dt.timedelta(days=7),
        visible_from=clock.now() - dt.timedelta(days=1),
    )
    base = live_server.url

    sign_in(page, base, school.student.username, language="en")
    page.goto(f"{base}/s/alpha/hand-in/")
    page.get_by_role("link", name="Poem analysis").click()
    page.wait_for_url(f"{base}/s/alpha/hand-in/tasks/{item.pk}/")
    essay = tmp_path / "my-analysis.pdf"
    essay.write_bytes(PDF)
    page.get_by_label("Files").set_input_files(str(essay))
    # Keyboard only: from the file input to the text, then the button.
    page.get_by_label("Text").fill("My analysis is in the file.")
    page.get_by_role("button", name="Hand in").focus()
    page.keyboard.press("Enter")
    page.get_by_text("Handed in. Your teacher can see it now.").wait_for()
    assert page.get_by_role("link", name="my-analysis.pdf").is_visible()
    # Nothing sticks out sideways on a 360 px phone screen.
    assert page_width(page) <= 360

    sign_in(page, base, school.teacher.username, language="en")
    page.goto(f"{base}/s/alpha/hand-in/")
    page.get_by_role("link", name="Poem analysis").click()
    page.get_by_text("1 of 3 handed in").wait_for()
    row = page.locator(f"#student-{school.student.pk}")
    assert "Handed in" in row.inner_text()
    link = row.get_by_role("link", name="my-analysis.pdf")
    href = link.get_attribute("href")
    response = page.request.get(f"{base}{href}")
    assert response.status == 200
    assert response.body() == PDF
    row.get_by_role("link", name=school.student.full_name).click()
    page.get_by_role("textbox", name="Feedback").fill("A careful reading. Well done.")
    page.get_by_role("button", name="Return to student").click()
    page.get_by_text("Feedback returned to the student.").wait_for()

    sign_in(page, base, school.student.username, language="en")
    page.goto(f"{base}/s/alpha/hand-in/tasks/{item.pk}/")
    page.get_by_text("A careful reading. Well done.").wait_for()
