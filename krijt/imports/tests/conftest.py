"""Import tests store uploads in a temporary media folder and build their files in memory."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from krijt.core.worker import run_pending_tasks
from krijt.imports.models import ImportJob
from tests.scenario import Scenario


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def csv_bytes(rows: list[list[Any]], *, delimiter: str = ";", bom: bool = True, encoding: str = "utf-8") -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    data = out.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom and encoding == "utf-8" else data


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


Upload = Callable[..., ImportJob]


@pytest.fixture
def admin_client(login_as: Callable[..., Client]) -> Client:
    return login_as("admin")


@pytest.fixture
def upload(admin_client: Client, scenario: Scenario) -> Upload:
    """Uploads through the page, runs the validation task, and returns the refreshed job."""

    def _upload(kind: str, name: str, data: bytes, *, run: bool = True) -> ImportJob:
        response = admin_client.post(scenario.url("/manage/imports/"),
                                     {"kind": kind, "file": SimpleUploadedFile(name, data)})
        assert response.status_code == 302, response.content.decode()[:2000]
        job = ImportJob.objects.filter(school=scenario.school).latest("pk")
        assert response["Location"] == scenario.url(f"/manage/imports/{job.pk}/")
        if run:
            run_pending_tasks()
            job.refresh_from_db()
        return job

    return _upload


@pytest.fixture
def apply(admin_client: Client, scenario: Scenario) -> Callable[[ImportJob], ImportJob]:
    def _apply(job: ImportJob) -> ImportJob:
        response = admin_client.post(scenario.url(f"/manage/imports/{job.pk}/apply/"))
        assert response.status_code == 302
        run_pending_tasks()
        job.refresh_from_db()
        return job

    return _apply
