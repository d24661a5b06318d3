"""Virus scans by a ClamAV daemon before a file reaches students: a stand-in clamd that speaks INSTREAM,
pending files kept from students, a virus removed from storage and shown to the editors only, a scanner that
is down leaving files pending until housekeeping sends them again."""

from __future__ import annotations

import datetime as dt
import socketserver
import threading
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from krijt.core.errors import NotFound, ValidationFailed
from krijt.core.roles import Role
from krijt.documents import scanner, scanning, selectors, services
from krijt.documents.models import Blob, Document
from tests.scenario import Scenario

pytestmark = pytest.mark.django_db

TEACHER = frozenset({Role.TEACHER})
STUDENT = frozenset({Role.STUDENT})
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


class FakeClamd(socketserver.BaseRequestHandler):
    """Answers INSTREAM as clamd does: the chunks, then OK or the signature FOUND."""

    def handle(self) -> None:
        command = b""
        while not command.endswith(b"\0"):
            command += self.request.recv(1)
        assert command == b"zINSTREAM\0"
        data = b""
        while True:
            size = int.from_bytes(self._exactly(4), "big")
            if size == 0:
                break
            data += self._exactly(size)
        verdict = b"stream: Eicar-Test-Signature FOUND\0" if EICAR in data else b"stream: OK\0"
        self.request.sendall(verdict)

    def _exactly(self, n: int) -> bytes:
        got = b""
        while len(got) < n:
            part = self.request.recv(n - len(got))
            if not part:
                raise ConnectionError
            got += part
        return got


@pytest.fixture
def clamd(settings: Any) -> Iterator[str]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), FakeClamd)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.KRIJT_CLAMD = f"127.0.0.1:{server.server_address[1]}"
    try:
        yield settings.KRIJT_CLAMD
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def friday() -> Iterator[Any]:
    with time_machine.travel(dt.datetime(2026, 10, 2, 15, 0, tzinfo=ZoneInfo("Europe/Brussels")), tick=False) as t:
        yield t


def setup(s: Scenario, *files: SimpleUploadedFile) -> int:
    folder = services.root_folder(school=s.school, actor=s.teacher, roles=TEACHER, course_id=s.courses[0].pk)
    services.files_add(school=s.school, actor=s.teacher, roles=TEACHER, folder_id=folder.pk, files=list(files))
    return folder.pk


def test_the_scanner_speaks_instream(clamd: str) -> None:
    import io

    assert scanner.scan(io.BytesIO(PDF * 5000)) is None
    assert scanner.scan(io.BytesIO(PDF + EICAR)) == "Eicar-Test-Signature"
    with pytest.raises(scanner.ScannerUnavailable):
        scanner.scan(io.BytesIO(PDF), where="127.0.0.1:1")


def test_a_file_reaches_students_only_after_a_clean_scan(scenario: Scenario, clamd: str) -> None:
    s = scenario
    folder_id = setup(s, SimpleUploadedFile("Werkblad.pdf", PDF))
    student = s.students_by_class[s.classes[0].pk][0]
    (blob,) = Blob.objects.all()
    assert blob.scan_state == Blob.Scan.PENDING
    assert selectors.folder_view(school=s.school, user=student, roles=STUDENT, folder_id=folder_id).documents == []
    (marked,) = selectors.folder_view(school=s.school, user=s.teacher, roles=TEACHER, folder_id=folder_id).documents
    assert marked.scan == "pending"
    document = Document.objects.get()
    with pytest.raises(NotFound):
        selectors.document_view(school=s.school, user=student, roles=STUDENT, document_id=document.pk)
    assert scanning.scan_blob(blob.pk) == Blob.Scan.CLEAN
    (shown,) = selectors.folder_view(school=s.school, user=student, roles=STUDENT, folder_id=folder_id).documents
    assert shown.name == "Werkblad.pdf"


def test_a_virus_is_removed_and_never_shown_to_students(scenario: Scenario, clamd: str, login_as) -> None:
    s = scenario
    folder_id = setup(s, SimpleUploadedFile("Werkblad.pdf", PDF + EICAR))
    (blob,) = Blob.objects.all()
    stored = blob.file.name
    assert scanning.scan_blob(blob.pk) == Blob.Scan.INFECTED
    blob.refresh_from_db()
    assert blob.scan_finding == "Eicar-Test-Signature"
    assert not blob.file
    from django.core.files.storage import default_storage

    assert not default_storage.exists(stored)
    student = s.students_by_class[s.classes[0].pk][0]
    assert selectors.folder_view(school=s.school, user=student, roles=STUDENT, folder_id=folder_id).documents == []
    assert selectors.search(school=s.school, user=student, roles=STUDENT, query="werkblad") == []
    page = login_as("teacher").get(s.url(f"/documents/folder/{folder_id}/")).content.decode()
    assert "a virus was found (Eicar-Test-Signature)" in page
    assert "/documents/f/" not in page
    document = Document.objects.get()
    # A clean version takes its place; the infected one cannot be restored.
    version = services.document_replace(school=s.school, actor=s.teacher, roles=TEACHER, document_id=document.pk,
                                        upload=SimpleUploadedFile("Werkblad.pdf", PDF + b"clean"))
    assert scanning.scan_blob(version.blob_id) == Blob.Scan.CLEAN
    with pytest.raises(ValidationFailed):
        services.version_restore(school=s.school, actor=s.teacher, roles=TEACHER, document_id=document.pk, number=1)
    (shown,) = selectors.folder_view(school=s.school, user=student, roles=STUDENT, folder_id=folder_id).documents
    assert shown.version == 2


def test_a_scanner_that_is_down_leaves_files_pending_until_housekeeping_sends_them_again(
        scenario: Scenario, settings: Any, friday: Any, django_capture_on_commit_callbacks: Any) -> None:
    s = scenario
    settings.KRIJT_CLAMD = "127.0.0.1:1"  # nothing listens there
    setup(s, SimpleUploadedFile("Werkblad.pdf", PDF))
    (blob,) = Blob.objects.all()
    assert scanning.scan_blob(blob.pk) == Blob.Scan.PENDING
    assert scanning.rescan_pending() == 0  # not yet: it was just tried
    friday.shift(dt.timedelta(minutes=6))
    with django_capture_on_commit_callbacks(execute=True):
        assert scanning.rescan_pending() == 1
    from django_tasks_db.models import DBTaskResult

    assert DBTaskResult.objects.filter(task_path__endswith="scan_task").count() >= 1


def test_without_a_scanner_files_are_shown_at_once(scenario: Scenario, settings: Any) -> None:
    settings.KRIJT_CLAMD = ""
    setup(scenario, SimpleUploadedFile("Werkblad.pdf", PDF))
    assert Blob.objects.get().scan_state == Blob.Scan.CLEAN
