"""Course folders on a phone: on Friday the teacher drops a worksheet into 1A's Wiskunde folder for Monday
08:00 (progress per file, by keyboard); the student does not see it on Friday and opens it at 08:05 on
Monday. axe on each page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import time_machine

from krijt.documents.models import Document
from tests.browser.helpers import assert_accessible, page_width, sign_in
from tests.scenario import build_school

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture
def school(live_server: Any, settings: Any, tmp_path: Path) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_school("alpha")


def test_a_worksheet_for_monday_morning(page: Any, live_server: Any, school: Any, tmp_path: Path) -> None:
    base = live_server.url
    sheet = tmp_path / "Werkblad breuken.pdf"
    sheet.write_bytes(PDF)
    with time_machine.travel("2026-10-02 15:30 +0200", tick=True) as traveller:
        sign_in(page, base, school.teacher.username, language="en")
        page.goto(f"{base}/s/alpha/documents/")
        page.get_by_role("heading", name="Documents", exact=True).wait_for()
        assert_accessible(page)
        page.get_by_role("link", name="Wiskunde · 1A").click()
        page.get_by_role("heading", name="Add files").wait_for()
        upload = page.get_by_role("region", name="Add files")
        upload.get_by_label("Files: choose them or drop them here").set_input_files(str(sheet))
        upload.get_by_label("Visible to students from (empty: now)").fill("2026-10-05T08:00")
        assert page_width(page) <= 360
        assert_accessible(page)
        page.get_by_role("button", name="Add the files").focus()
        page.keyboard.press("Enter")
        page.get_by_role("link", name="Werkblad breuken.pdf", exact=True).wait_for()
        page.get_by_text("visible from Monday 5 October, 08:00").wait_for()
        assert_accessible(page)
        document = Document.objects.get()
        assert document.current is not None
        folder_path = f"/s/alpha/documents/folder/{document.folder_id}/"

        sign_in(page, base, school.student.username, language="en")
        page.goto(base + folder_path)
        page.get_by_text("This folder is empty.").wait_for()
        assert_accessible(page)

        traveller.move_to("2026-10-05 08:05 +0200")
        sign_in(page, base, school.student.username, language="en")  # a new day, a new sign-in
        page.goto(f"{base}/s/alpha/documents/")
        page.get_by_role("link", name="Wiskunde · 1A").click()
        link = page.get_by_role("link", name="Werkblad breuken.pdf", exact=True)
        link.wait_for()
        assert page_width(page) <= 360
        assert_accessible(page)
        answer = page.request.get(base + link.get_attribute("href"))
        assert answer.status == 200
        assert answer.headers["content-type"] == "application/pdf"
        assert answer.body().startswith(b"%PDF")
