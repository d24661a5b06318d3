"""Course folders and own documents: who reads and edits, files stored once by their content, versions that
keep a document's address, visibility moments, quotas, sharing and co-teachers, the student's own folder,
search, signed addresses served without a query, and a folder page whose cost does not grow with its files."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from krijt.accounts.models import Membership
from krijt.core.errors import Forbidden, NotFound, PayloadTooLarge, ValidationFailed
from krijt.core.roles import Role
from krijt.documents import selectors, services, signing
from krijt.documents.models import Blob, Document, Version
from tests.scenario import Scenario, count_queries, make_user

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Europe/Brussels")
TEACHER = frozenset({Role.TEACHER})
STUDENT = frozenset({Role.STUDENT})
ADMIN = frozenset({Role.ADMIN})
NOW = dt.datetime(2026, 10, 2, 15, 0, tzinfo=TZ)  # a Friday afternoon
MONDAY_8 = dt.datetime(2026, 10, 5, 8, 0, tzinfo=TZ)
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings: pytest.FixtureRequest, tmp_path: object) -> None:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def clock_at() -> object:
    """The test's moment: a Friday afternoon, moved by the tests that need another."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def pdf(name: str, extra: bytes = b"") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF + extra, content_type="application/pdf")


def course_folder(s: Scenario, index: int = 0) -> int:
    return services.root_folder(school=s.school, actor=s.teacher, roles=TEACHER, course_id=s.courses[index].pk).pk


def upload(s: Scenario, folder_id: int, *files: SimpleUploadedFile, **extra: object) -> list[services.Placed]:
    return services.files_add(school=s.school, actor=s.teacher, roles=TEACHER, folder_id=folder_id,
                              files=list(files), **extra)  # type: ignore[arg-type]


def names(s: Scenario, user: object, roles: frozenset[str], folder_id: int) -> list[str]:
    return [d.name for d in selectors.folder_view(school=s.school, user=user, roles=roles,
                                                  folder_id=folder_id).documents]


def test_a_teachers_files_reach_the_students_of_the_class_and_no_one_else(scenario: Scenario) -> None:
    s = scenario
    folder_id = course_folder(s)  # Wiskunde of 1A, taught by the first teacher
    upload(s, folder_id, pdf("Werkblad breuken.pdf"), pdf("Oplossingen.pdf", b"2"))
    in_class, elsewhere = s.students_by_class[s.classes[0].pk][0], s.students_by_class[s.classes[1].pk][0]
    assert names(s, in_class, STUDENT, folder_id) == ["Oplossingen.pdf", "Werkblad breuken.pdf"]
    with pytest.raises(NotFound):
        names(s, elsewhere, STUDENT, folder_id)
    with pytest.raises(Forbidden):  # a student reads, never writes
        services.files_add(school=s.school, actor=in_class, roles=STUDENT, folder_id=folder_id, files=[pdf("x.pdf")])
    with pytest.raises(NotFound):  # a teacher of another course does not see this folder
        services.files_add(school=s.school, actor=s.teachers[1], roles=TEACHER, folder_id=folder_id,
                           files=[pdf("x.pdf")])
    assert {r.course.pk for r in selectors.courses_for(school=s.school, user=in_class, roles=STUDENT)} == {
        s.courses[0].pk, s.courses[1].pk}


def test_the_same_bytes_are_stored_once_and_bad_files_are_refused(scenario: Scenario) -> None:
    s = scenario
    upload(s, course_folder(s, 0), pdf("Werkblad.pdf"))
    upload(s, course_folder(s, 2), pdf("Zelfde werkblad.pdf"))  # Wiskunde of 2A, same teacher, same bytes
    assert Blob.objects.filter(school=s.school).count() == 1
    assert Version.objects.filter(school=s.school).count() == 2
    with pytest.raises(ValidationFailed):
        upload(s, course_folder(s), SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 program",
                                                       content_type="application/pdf"))
    with pytest.raises(ValidationFailed):
        upload(s, course_folder(s), SimpleUploadedFile("script.html", b"<script>", content_type="text/html"))
    with pytest.raises(ValidationFailed):
        upload(s, course_folder(s))
    assert Document.objects.count() == 2


def test_a_new_version_keeps_the_documents_address_and_an_older_one_can_be_restored(scenario: Scenario) -> None:
    s = scenario
    folder_id = course_folder(s)
    (first,) = upload(s, folder_id, pdf("Werkblad.pdf", b"v1"))
    (again,) = upload(s, folder_id, pdf("werkblad.pdf", b"v2"))  # the same name: its next version
    assert again.new_version
    assert again.document.pk == first.document.pk
    third = services.document_replace(school=s.school, actor=s.teacher, roles=TEACHER,
                                      document_id=first.document.pk, upload=pdf("Werkblad (nieuw).pdf", b"v3"))
    assert third.number == 3
    restored = services.version_restore(school=s.school, actor=s.teacher, roles=TEACHER,
                                        document_id=first.document.pk, number=1)
    document = Document.objects.get()
    assert (restored.number, restored.restored_from, document.current_id) == (4, 1, restored.pk)
    assert restored.blob_id == Version.objects.get(document=document, number=1).blob_id
    assert list(Version.objects.filter(document=document).order_by("number").values_list("number", flat=True)) == [
        1, 2, 3, 4]
    with pytest.raises(ValidationFailed):
        services.version_restore(school=s.school, actor=s.teacher, roles=TEACHER, document_id=document.pk, number=4)
    # The student's listing follows at once: its cached part is bumped by every change.
    student = s.students_by_class[s.classes[0].pk][0]
    (shown,) = selectors.folder_view(school=s.school, user=student, roles=STUDENT, folder_id=folder_id).documents
    assert shown.version == 4


def test_a_worksheet_scheduled_for_monday_appears_at_its_moment(scenario: Scenario, clock_at) -> None:
    s = scenario
    folder_id = course_folder(s)
    upload(s, folder_id, pdf("Werkblad maandag.pdf"), visible_from=MONDAY_8)
    student = s.students_by_class[s.classes[0].pk][0]
    assert names(s, student, STUDENT, folder_id) == []
    (teacher_view,) = selectors.folder_view(school=s.school, user=s.teacher, roles=TEACHER,
                                            folder_id=folder_id).documents
    assert teacher_view.hidden
    document = Document.objects.get()
    with pytest.raises(NotFound):
        selectors.document_view(school=s.school, user=student, roles=STUDENT, document_id=document.pk)
    assert selectors.search(school=s.school, user=student, roles=STUDENT, query="maandag") == []
    clock_at.move_to(MONDAY_8 + dt.timedelta(minutes=5))
    assert names(s, student, STUDENT, folder_id) == ["Werkblad maandag.pdf"]
    assert [d.name for d, _c in selectors.search(school=s.school, user=student, roles=STUDENT, query="maandag")] == [
        "Werkblad maandag.pdf"]
    with pytest.raises(ValidationFailed):  # a moment in the past is refused
        upload(s, folder_id, pdf("Te laat.pdf"), visible_from=NOW - dt.timedelta(days=1))


def test_quotas_refuse_what_does_not_fit_and_say_how_much_is_used(scenario: Scenario, settings) -> None:
    s = scenario
    folder_id = course_folder(s)
    upload(s, folder_id, pdf("Een.pdf"))
    folder = services.root_folder(school=s.school, actor=s.teacher, roles=TEACHER, course_id=s.courses[0].pk)
    (label, usage), (_school_label, school_usage) = selectors.quotas(school=s.school, folder=folder)
    assert (label, usage.used) == ("this course", len(PDF))
    assert school_usage.used == len(PDF)
    selectors.QUOTA_COURSE, original = len(PDF) + 10, selectors.QUOTA_COURSE
    try:
        with pytest.raises(PayloadTooLarge) as caught:
            upload(s, folder_id, pdf("Twee.pdf", b"other"))
        assert "this course" in str(caught.value.message)
    finally:
        selectors.QUOTA_COURSE = original
    assert Document.objects.count() == 1


def test_sharing_with_a_class_and_co_teachers_who_read_or_edit(scenario: Scenario) -> None:
    s = scenario
    folder_id = course_folder(s)
    upload(s, folder_id, pdf("Werkblad.pdf"))
    other_class, other_teacher = s.classes[1], s.teachers[1]
    reader = make_user("alpha.reader", "Rea", "Teacher")
    Membership.objects.create(school=s.school, user=reader, role=Role.TEACHER)
    with pytest.raises(Forbidden):  # only the course's teacher or an administrator decides
        services.sharing_set(school=s.school, actor=s.staff, roles=frozenset({Role.STAFF}),
                             course_id=s.courses[0].pk, class_ids=[], coteachers={})
    services.sharing_set(school=s.school, actor=s.teacher, roles=TEACHER, course_id=s.courses[0].pk,
                         class_ids=[other_class.pk], coteachers={other_teacher.pk: True, reader.pk: False})
    assert names(s, s.students_by_class[other_class.pk][0], STUDENT, folder_id) == ["Werkblad.pdf"]
    assert names(s, reader, TEACHER, folder_id) == ["Werkblad.pdf"]
    with pytest.raises(Forbidden):
        services.files_add(school=s.school, actor=reader, roles=TEACHER, folder_id=folder_id, files=[pdf("r.pdf")])
    services.files_add(school=s.school, actor=other_teacher, roles=TEACHER, folder_id=folder_id,
                       files=[pdf("Van de co-teacher.pdf", b"co")])
    assert "Van de co-teacher.pdf" in names(s, s.student, STUDENT, folder_id)
    with pytest.raises(ValidationFailed):
        services.sharing_set(school=s.school, actor=s.teacher, roles=TEACHER, course_id=s.courses[0].pk,
                             class_ids=[], coteachers={s.student.pk: False})


def test_my_documents_are_only_mine(scenario: Scenario, login_as) -> None:
    s = scenario
    mine = services.root_folder(school=s.school, actor=s.student, roles=STUDENT)
    services.files_add(school=s.school, actor=s.student, roles=STUDENT, folder_id=mine.pk, files=[pdf("Dagboek.pdf")])
    assert names(s, s.student, STUDENT, mine.pk) == ["Dagboek.pdf"]
    with pytest.raises(NotFound):
        names(s, s.students[1], STUDENT, mine.pk)
    with pytest.raises(NotFound):
        names(s, s.admin, ADMIN, mine.pk)
    assert login_as("parent").get(s.url(f"/documents/folder/{mine.pk}/")).status_code == 403
    folder = services.folder_create(school=s.school, actor=s.student, roles=STUDENT, parent_id=mine.pk, name="Taal")
    with pytest.raises(ValidationFailed):
        services.folder_create(school=s.school, actor=s.student, roles=STUDENT, parent_id=mine.pk, name="taal")
    assert folder.owner_id == s.student.pk


def test_a_signed_address_serves_the_file_without_a_query_and_only_while_it_holds(scenario: Scenario,
                                                                                 clock_at, settings) -> None:
    s = scenario
    folder_id = course_folder(s)
    upload(s, folder_id, pdf("Werkblad.pdf"))
    student = s.students_by_class[s.classes[0].pk][0]
    (shown,) = selectors.folder_view(school=s.school, user=student, roles=STUDENT, folder_id=folder_id).documents
    assert shown.url.startswith("/s/alpha/documents/f/")
    anonymous = Client()
    queries = count_queries(lambda: anonymous.get(shown.url))
    response = anonymous.get(shown.url)
    assert response.status_code == 200
    assert response.getvalue().startswith(b"%PDF")
    assert response["Content-Disposition"].startswith("inline")
    assert response["Content-Type"] == "application/pdf"
    assert queries <= 1  # the school, when its cached copy is cold; never the document tables
    token = shown.url.split("/f/")[1].split("/")[0]
    assert anonymous.get(f"/s/alpha/documents/f/{token}x/Werkblad.pdf").status_code == 404
    assert signing.read(token, school_id=s.school.pk + 1) is None
    settings.KRIJT_DOCUMENTS_ACCEL_PREFIX = "/protected/"
    accel = anonymous.get(shown.url)
    assert accel["X-Accel-Redirect"].startswith("/protected/documents/")
    assert accel.content == b""
    # The same address for the pages of the next minutes (a browser reuses what it fetched), then none.
    clock_at.shift(dt.timedelta(seconds=1))
    (first,) = selectors.folder_view(school=s.school, user=student, roles=STUDENT, folder_id=folder_id).documents
    clock_at.shift(dt.timedelta(seconds=60))
    (again,) = selectors.folder_view(school=s.school, user=student, roles=STUDENT, folder_id=folder_id).documents
    assert again.url == first.url
    clock_at.shift(dt.timedelta(seconds=signing.MAX_AGE + signing.BUCKET + 5))
    assert anonymous.get(shown.url).status_code == 404


def test_a_folder_page_costs_the_same_with_two_files_or_thirty(scenario: Scenario, login_as) -> None:
    s = scenario
    folder_id = course_folder(s)
    upload(s, folder_id, pdf("1.pdf", b"1"), pdf("2.pdf", b"2"))
    first = login_as("student")
    path = s.url(f"/documents/folder/{folder_id}/")
    assert first.get(path).status_code == 200
    few = count_queries(lambda: first.get(path))
    upload(s, folder_id, *[pdf(f"Blad {n}.pdf", str(n).encode() * 3) for n in range(14)])
    upload(s, folder_id, *[pdf(f"Blad {n}.pdf", str(n).encode() * 3) for n in range(14, 28)])
    first.get(path)  # one reader builds the listing again
    many = count_queries(lambda: first.get(path))
    assert many == few
    page = first.get(path).content.decode()
    assert len(re.findall(r'href="/s/alpha/documents/f/', page)) == 30


def test_pages_for_teacher_and_student(scenario: Scenario, login_as) -> None:
    s = scenario
    client = login_as("teacher")
    response = client.get(s.url(f"/documents/course/{s.courses[0].pk}/"))
    assert response.status_code == 302
    folder_path = response["Location"]
    added = client.post(folder_path, {"action": "upload", "files": [pdf("Werkblad.pdf"), pdf("Extra.pdf", b"x")]})
    assert added.status_code == 302
    json_answer = client.post(folder_path, {"action": "upload", "files": [pdf("Los.pdf", b"los")]},
                              headers={"Accept": "application/json"})
    assert json_answer.status_code == 201
    assert json_answer.json()["documents"][0]["name"] == "Los.pdf"
    refused = client.post(folder_path, {"action": "upload", "files": [SimpleUploadedFile("x.exe", b"MZ")]},
                          headers={"Accept": "application/json"})
    assert refused.status_code == 400
    assert "x.exe" in refused.json()["error"]
    assert client.post(folder_path, {"action": "folder", "folder-name": "Hoofdstuk 2"}).status_code == 302
    assert client.post(folder_path, {"action": "link", "link-url": "javascript:alert(1)"}).status_code == 400
    assert client.post(folder_path, {"action": "link", "link-url": "https://www.wiskunde.be/breuken",
                                     "link-name": "Oefenen"}).status_code == 302
    page = client.get(folder_path).content.decode()
    for text in ("Werkblad.pdf", "Hoofdstuk 2", "Oefenen", "Space of this course"):
        assert text in page
    document = Document.objects.get(name="Werkblad.pdf")
    assert client.get(s.url(f"/documents/document/{document.pk}/")).status_code == 200
    replaced = client.post(s.url(f"/documents/document/{document.pk}/"),
                           {"action": "replace", "file": pdf("Werkblad.pdf", b"v2")})
    assert replaced.status_code == 302
    assert document.versions.count() == 2
    student = login_as("student")
    assert "Werkblad.pdf" in student.get(folder_path).content.decode()
    assert student.get(s.url(f"/documents/document/{document.pk}/")).status_code == 200
    assert student.post(s.url(f"/documents/document/{document.pk}/"), {"action": "remove"}).status_code == 403
    opened = student.get(s.url(f"/documents/document/{document.pk}/open/"))
    assert opened.status_code == 302
    assert "/documents/f/" in opened["Location"]
    found = student.get(s.url("/documents/search/?q=werkblad")).content.decode()
    assert "Werkblad.pdf" in found
    assert student.get(s.url("/documents/")).status_code == 200
    assert student.get(s.url("/documents/mine/")).status_code == 302


def test_the_api_reads_and_writes_through_the_same_doors(scenario: Scenario, login_as) -> None:
    s = scenario
    api = "/s/alpha/api/v1"
    teacher = login_as("teacher")
    folder = teacher.get(f"{api}/documents/courses/{s.courses[0].pk}/folder").json()
    assert (folder["may_edit"], folder["documents"]) == (True, [])
    added = teacher.post(f"{api}/documents/folders/{folder['id']}/files",
                         {"files": [pdf("Werkblad.pdf")], "visible_from": MONDAY_8.isoformat()})
    assert added.status_code == 201, added.content
    (document,) = added.json()
    assert (document["name"], document["hidden"], document["version"]) == ("Werkblad.pdf", True, 1)
    refused = teacher.post(f"{api}/documents/folders/{folder['id']}/files", {"files": [
        SimpleUploadedFile("x.exe", b"MZ")]})
    assert refused.status_code == 400
    link = teacher.post(f"{api}/documents/folders/{folder['id']}/links", {"url": "https://example.org/oefenen"},
                        content_type="application/json")
    assert link.status_code == 201
    version = teacher.post(f"{api}/documents/{document['id']}/versions", {"file": pdf("Werkblad.pdf", b"v2")})
    assert [v["number"] for v in version.json()["versions"]] == [2, 1]
    restored = teacher.post(f"{api}/documents/{document['id']}/versions/1/restore")
    assert restored.json()["version"] == 3
    student = login_as("student")
    listed = student.get(f"{api}/documents/folders/{folder['id']}").json()
    assert [d["kind"] for d in listed["documents"]] == ["link"]  # the worksheet waits for Monday 08:00
    assert student.get(f"{api}/documents/{document['id']}").status_code == 404
    assert student.post(f"{api}/documents/folders/{folder['id']}/links", {"url": "https://example.org"},
                        content_type="application/json").status_code == 403
    assert {c["course_id"] for c in student.get(f"{api}/documents/courses").json()} == {
        s.courses[0].pk, s.courses[1].pk}
    assert student.get(f"{api}/documents/mine").json()["may_edit"] is True
    assert login_as("parent").get(f"{api}/documents/mine").status_code == 403


def test_todays_new_documents_follow_their_moment_and_the_classes_that_read_them(scenario: Scenario, login_as,
                                                                                 clock_at) -> None:
    s = scenario
    folder_id = course_folder(s)
    upload(s, folder_id, pdf("Werkblad nu.pdf"))
    upload(s, folder_id, pdf("Werkblad maandag.pdf", b"m"), visible_from=MONDAY_8)
    client = login_as("student")
    page = client.get(s.url("/")).content.decode()
    assert "New in your course folders" in page
    assert "Werkblad nu.pdf" in page
    assert "Werkblad maandag.pdf" not in page
    other = login_as("student", user=s.students_by_class[s.classes[1].pk][0])
    assert "Werkblad nu.pdf" not in other.get(s.url("/")).content.decode()
    services.sharing_set(school=s.school, actor=s.teacher, roles=TEACHER, course_id=s.courses[0].pk,
                         class_ids=[s.classes[1].pk], coteachers={})
    assert "Werkblad nu.pdf" in other.get(s.url("/")).content.decode()  # shared: it is theirs too now
    clock_at.move_to(MONDAY_8 + dt.timedelta(minutes=5))
    client = login_as("student")
    assert "Werkblad maandag.pdf" in client.get(s.url("/")).content.decode()


def test_previews_are_made_by_the_worker_once_per_content(scenario: Scenario, login_as, tmp_path, monkeypatch,
                                                          django_capture_on_commit_callbacks) -> None:
    import io

    from PIL import Image

    from krijt.demo.documents import pdf as make_pdf
    from krijt.documents import previews
    from krijt.documents.tasks import preview_task

    s = scenario
    folder_id = course_folder(s)
    picture = io.BytesIO()
    Image.new("RGB", (1200, 800), (200, 30, 30)).save(picture, "PNG")
    with django_capture_on_commit_callbacks(execute=True):
        upload(s, folder_id, SimpleUploadedFile("Werkblad.pdf", make_pdf("Werkblad", ["Oefening 1"])),
               SimpleUploadedFile("Bord.png", picture.getvalue()),
               SimpleUploadedFile("Brief.docx", b"PK\x03\x04" + b"0" * 64))
    blobs = {b.extension: b for b in Blob.objects.all()}
    assert {b.preview_state for b in blobs.values()} == {Blob.Preview.WAITING}
    from django_tasks_db.models import DBTaskResult

    queued = DBTaskResult.objects.filter(task_path=preview_task.module_path)
    assert queued.count() == 3  # one per stored content
    monkeypatch.setattr(previews, "converter", lambda: None)
    for blob in blobs.values():
        previews.make(blob.pk)
    for blob in blobs.values():
        blob.refresh_from_db()
    assert blobs["pdf"].preview_state == Blob.Preview.READY
    assert blobs["png"].preview_state == Blob.Preview.READY
    assert blobs["docx"].preview_state == Blob.Preview.NO_CONVERTER
    with Image.open(blobs["pdf"].preview.open("rb")) as shown:
        assert shown.width == previews.WIDTH
    with Image.open(blobs["png"].preview.open("rb")) as shown:
        assert (shown.width, shown.height) == (previews.WIDTH, 320)
    # The folder's listing follows at once, and the page shows the pictures; the office file says why not.
    student = login_as("student")
    page = student.get(s.url(f"/documents/folder/{folder_id}/")).content.decode()
    assert page.count('class="thumb"') == 2
    docx = Document.objects.get(name="Brief.docx")
    teacher = login_as("teacher")
    assert "no office converter (LibreOffice) installed" in teacher.get(
        s.url(f"/documents/document/{docx.pk}/")).content.decode()
    # With LibreOffice: the office file goes through it in a directory of its own (a stand-in converter here).
    fake = tmp_path / "soffice"
    fake.write_text("#!/bin/sh\n# --headless --norestore --convert-to pdf --outdir DIR FILE\n"
                    f'cp "{tmp_path}/converted.pdf" "$6/file.pdf"\n')
    fake.chmod(0o755)
    (tmp_path / "converted.pdf").write_bytes(make_pdf("Brief", ["Beste ouders"]))
    monkeypatch.setattr(previews, "converter", lambda: str(fake))
    blobs["docx"].preview_state = Blob.Preview.WAITING
    blobs["docx"].save()
    assert previews.make(blobs["docx"].pk) == Blob.Preview.READY
    # A file that is not what it claims to be gets no preview, and no error reaches anyone.
    broken = Blob.objects.create(school=s.school, sha256="0" * 64, size=10, extension="pdf",
                                 content_type="application/pdf", file="documents/broken.pdf")
    broken.file.save("broken.pdf", SimpleUploadedFile("broken.pdf", b"%PDF-broken"), save=True)
    assert previews.make(broken.pk) == Blob.Preview.FAILED


def test_removed_documents_leave_no_bytes_behind_after_a_day(scenario: Scenario, clock_at) -> None:
    from django.core.files.storage import default_storage

    s = scenario
    folder_id = course_folder(s)
    (kept,) = upload(s, folder_id, pdf("Blijft.pdf", b"keep"))
    (gone,) = upload(s, folder_id, pdf("Weg.pdf", b"gone"))
    (shared,) = upload(s, course_folder(s, 2), pdf("Gedeeld.pdf", b"keep"))  # the same bytes as the first
    gone_path = Version.objects.get(document=gone.document).blob.file.name
    services.document_remove(school=s.school, actor=s.teacher, roles=TEACHER, document_id=gone.document.pk)
    services.document_remove(school=s.school, actor=s.teacher, roles=TEACHER, document_id=kept.document.pk)
    assert services.forget_orphans() == 0  # a day's grace
    clock_at.shift(dt.timedelta(days=1, minutes=1))
    assert services.forget_orphans() == 1
    assert not default_storage.exists(gone_path)
    assert Blob.objects.count() == 1  # still held by the shared document
    assert default_storage.exists(Version.objects.get(document=shared.document).blob.file.name)
