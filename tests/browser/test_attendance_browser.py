"""Attendance on a phone: a teacher takes a register from the keyboard (also while Krijt cannot be
reached), a parent reports a sick day, the secretariat codes the absence with a certificate."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import time_machine

from krijt.attendance.models import AbsenceReport, HalfDayCode, Mark
from tests.browser.helpers import assert_accessible, page_width, sign_in
from tests.scenario import build_school

pytestmark = pytest.mark.django_db(transaction=True)

MONDAY = "2026-10-05"
AT_TEN = "2026-10-05 10:30 +0200"  # lessons 1 to 3 have begun
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def school(live_server: Any, settings: Any, tmp_path: Path) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_school("alpha")


def register_path(school: Any) -> str:
    return f"/s/alpha/attendance/lessons/{school.courses[0].pk}/{MONDAY}/1/"


def test_a_teacher_marks_one_absentee_in_under_ten_key_presses(page: Any, live_server: Any, school: Any) -> None:
    base = live_server.url
    with time_machine.travel(AT_TEN, tick=True):
        sign_in(page, base, school.teacher.username, language="en")
        page.goto(f"{base}/s/alpha/attendance/")
        page.get_by_role("link", name="take the register").first.wait_for()
        assert_accessible(page)
        page.goto(f"{base}{register_path(school)}")
        page.wait_for_function("document.activeElement && document.activeElement.id === 'at-quick'")
        assert_accessible(page)
        keys = ["S", "t", "u", "2", "Enter", "Tab", "Enter"]  # a name, mark absent, on to Save, save
        assert len(keys) < 10
        for key in keys:
            page.keyboard.press(key)
        page.get_by_text("Register saved: 1 absent, 0 late.").wait_for()
        assert list(Mark.objects.values_list("student_id", "status")) == [(school.students[1].pk, "absent")]
        assert page_width(page) <= 360
        assert_accessible(page)


def test_marks_made_while_krijt_cannot_be_reached_are_kept_and_sent_later(
    page: Any, live_server: Any, school: Any
) -> None:
    base = live_server.url
    with time_machine.travel(AT_TEN, tick=True):
        sign_in(page, base, school.teacher.username, language="en")
        page.goto(f"{base}{register_path(school)}")
        student = school.students[0]
        page.locator(f"input[name=s{student.pk}][value=late]").check()
        page.get_by_label("Minutes late").first.fill("10")
        page.context.set_offline(True)
        page.get_by_role("button", name="Save register").first.click()
        page.get_by_text("Not yet saved").wait_for()
        assert not Mark.objects.exists()
        page.context.set_offline(False)
        page.get_by_text("Register saved: 0 absent, 1 late.").wait_for(timeout=20_000)
        mark = Mark.objects.get()
        assert (mark.student_id, mark.status, mark.late_minutes) == (student.pk, "late", 10)


def test_marks_made_after_the_session_ended_are_sent_after_signing_in_again(
    page: Any, live_server: Any, school: Any
) -> None:
    base = live_server.url
    with time_machine.travel(AT_TEN, tick=True):
        sign_in(page, base, school.teacher.username, language="en")
        page.goto(f"{base}{register_path(school)}")
        student = school.students[2]
        page.locator(f"input[name=s{student.pk}][value=absent]").check()
        page.context.clear_cookies()  # signed out elsewhere, or the session ended
        page.context.add_cookies([{"name": "krijt_language", "value": "en", "url": base}])
        page.get_by_role("button", name="Save register").first.click()
        page.get_by_text("nothing was saved").wait_for()  # the browser shows the school's answer
        assert not Mark.objects.exists()
        sign_in(page, base, school.teacher.username, language="en")
        page.goto(f"{base}{register_path(school)}")
        page.get_by_text("Register saved: 1 absent, 0 late.").wait_for(timeout=20_000)
        assert list(Mark.objects.values_list("student_id", "status")) == [(student.pk, "absent")]
        page.goto(f"{base}{register_path(school)}")  # nothing is sent twice once the server has it
        page.get_by_role("button", name="Save changes").first.wait_for()
        assert page.evaluate("localStorage.length") == 0


def test_a_parent_reports_a_sick_day_and_the_office_codes_it(page: Any, live_server: Any, school: Any,
                                                             tmp_path: Path) -> None:
    base = live_server.url
    child = school.students[0]
    with time_machine.travel("2026-10-05 07:30 +0200", tick=True):
        sign_in(page, base, school.parent.username, language="en")
        page.goto(f"{base}/s/alpha/attendance/report/")
        assert_accessible(page)
        page.get_by_label("Ill").check()
        page.get_by_label("Note for the school (optional)").fill("Fever since last night.")
        page.get_by_role("button", name="Send to the school").click()
        page.get_by_text("Thank you: the school knows.").wait_for()
        assert AbsenceReport.objects.get().student_id == child.pk
        assert page_width(page) <= 360
        assert_accessible(page)
    with time_machine.travel(AT_TEN, tick=True):
        sign_in(page, base, school.teacher.username, language="en")
        page.goto(f"{base}{register_path(school)}")
        page.get_by_text("reported: Ill").wait_for()
        page.get_by_role("button", name="Save register").first.click()
        page.get_by_text("Register saved: 1 absent, 0 late.").wait_for()

        sign_in(page, base, school.staff.username, language="en")
        page.goto(f"{base}/s/alpha/attendance/office/?day={MONDAY}")
        assert_accessible(page)
        page.get_by_role("link", name=child.full_name).click()
        page.get_by_role("heading", name=f"Code the absences of {child.full_name}").wait_for()
        certificate = tmp_path / "certificate.pdf"
        certificate.write_bytes(PDF)
        page.get_by_label("What it is").select_option("medical")
        page.get_by_label("File (PDF or photo)").set_input_files(str(certificate))
        page.get_by_role("button", name="Add the document").click()
        page.get_by_text("The document is kept with the student's absences.").wait_for()
        page.get_by_label("Z: illness").check()
        page.get_by_label("The illness rests on").select_option("medical")
        page.get_by_label("Proof (optional)").select_option(index=1)
        page.get_by_role("button", name="Save the code").click()
        page.get_by_text("1 half day coded.").wait_for()
        assert_accessible(page)
        coded = HalfDayCode.objects.get()
        assert (coded.student_id, coded.code, coded.basis) == (child.pk, "Z", "medical")
        assert coded.proof is not None
