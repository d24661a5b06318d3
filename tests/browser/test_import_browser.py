"""An administrator imports students: a bad row is named with its row and column; the fixed file applies."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connections

from krijt.accounts.models import User
from krijt.core.worker import start_background_worker
from tests.scenario import TEST_PASSWORD, build_school

pytestmark = pytest.mark.django_db(transaction=True)

HEADER = "gebruikersnaam;voornaam;naam;geboortedatum;klas\n"
GOOD = "alpha.lien;Lien;Peeters;2013-04-02;1A\nalpha.omar;Omar;El Idrissi;14/09/2012;2A\n"
BAD = "alpha.lien;Lien;Peeters;2013-04-02;1A\nalpha.omar;Omar;El Idrissi;14/09/2012;9Z\n"


@pytest.fixture
def school(live_server: Any) -> Any:
    return build_school("alpha")


@pytest.fixture
def worker() -> Iterator[None]:
    stop = threading.Event()
    thread = start_background_worker(interval=0.1, stop=stop)
    yield
    stop.set()
    thread.join(timeout=10)
    connections.close_all()


def upload(page: Any, path: Path) -> None:
    page.locator("#id_kind").select_option("students")
    page.locator("#id_file").set_input_files(str(path))
    page.get_by_role("button", name="Upload and check").click()


def test_import_with_a_bad_row_then_the_fixed_file(
    desktop_page: Any, live_server: Any, school: Any, worker: None, tmp_path: Path
) -> None:
    page = desktop_page
    page.context.add_cookies([{"name": "krijt_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/s/alpha/accounts/sign-in/")
    page.locator("#id_username").fill(school.admin.username)
    page.locator("#id_password").fill(TEST_PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url(f"{live_server.url}/s/alpha/")
    page.goto(f"{live_server.url}/s/alpha/manage/imports/")

    bad = tmp_path / "leerlingen-fout.csv"
    bad.write_text(HEADER + BAD, encoding="utf-8")
    upload(page, bad)
    errors = page.locator("#import-errors")
    errors.wait_for(timeout=20_000)
    text = errors.inner_text()
    assert "Row 3" in text
    assert "9Z" in text
    assert page.get_by_role("button", name="Apply").count() == 0
    assert not User.objects.filter(username="alpha.lien").exists()

    page.goto(f"{live_server.url}/s/alpha/manage/imports/")
    good = tmp_path / "leerlingen.csv"
    good.write_text(HEADER + GOOD, encoding="utf-8")
    upload(page, good)
    apply_button = page.get_by_role("button", name="Apply")
    apply_button.wait_for(timeout=20_000)
    apply_button.click()
    page.get_by_text("The import was applied").wait_for(timeout=20_000)
    assert User.objects.filter(username__in=["alpha.lien", "alpha.omar"]).count() == 2
