"""QTI: the sample packages (QTI 3.0 and 2.x, made for these tests) become Krijt items of every kind, what Krijt
cannot read is reported and left out, nothing of a package runs or leaks markup, hostile XML and zips are
refused, and an exercise exported as QTI 3.0 reads back as the same items."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from krijt.core.errors import ValidationFailed
from krijt.exercises import items, qti, render, services
from krijt.exercises.models import Item
from krijt.exercises.tests.helpers import TEACHER, exercise
from tests.scenario import Scenario

SAMPLES = Path(__file__).parent / "qti"


def v3_package(*, extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in (SAMPLES / "v3").rglob("*.xml"):
            archive.write(path, path.relative_to(SAMPLES / "v3").as_posix())
        archive.writestr("style.css", "body { color: red }")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def by_title(report: qti.Report) -> dict[str, qti.Imported]:
    return {i.title: i for i in report.items}


def test_a_qti3_package_gives_every_kind() -> None:
    report = qti.read_package(v3_package())
    found = by_title(report)
    assert found["Drie vierde"].kind == "single"
    assert found["Drie vierde"].body == {"options": ["4", "6", "8"], "correct": 1}
    assert "<math>" in found["Drie vierde"].prompt
    assert "<mfrac>" in render.rich(found["Drie vierde"].prompt)
    assert found["Even getallen"].body == {"options": ["4", "7", "10"], "correct": [0, 2]}
    assert found["Hoofdstad"].kind == "text"
    assert found["Hoofdstad"].body == {"accepted": ["Brussel", "Bruxelles"]}
    assert found["Hoofdstad"].prompt == "De hoofdstad van België is …."
    assert found["Pi"].kind == "numeric"
    assert found["Pi"].body == {"value": "3.14", "tolerance": "0.01"}
    assert found["Pi"].prompt == "Geef π tot op twee cijfers na de komma."
    inline = found["Werkwoorden"]
    assert inline.kind == "inline"
    assert inline.body == {"parts": ["Hij ", " het boek en ik ", " het."],
                           "gaps": [{"options": ["vind", "vindt"], "correct": 1},
                                    {"options": ["lees", "leest"], "correct": 0}]}
    assert inline.prompt == "Kies de juiste vorm."
    assert found["Dieren"].body == {"parts": ["Een ", " blaft, een ", " miauwt."], "answers": ["hond", "kat"],
                                    "words": ["hond", "kat", "koe"]}
    assert found["Seizoenen"].body == {"lines": ["lente", "zomer", "herfst", "winter"]}
    assert found["Tafels"].body == {"pairs": [["3 × 4", "12"], ["5 × 3", "15"]], "extra": ["16"]}
    for imported in report.items:  # every body is one a teacher could have written
        assert items.parse(imported.kind, items.source_of(imported.kind, imported.body)) == imported.body


def test_what_krijt_cannot_read_is_reported_and_nothing_runs() -> None:
    report = qti.read_package(v3_package())
    skipped = dict(report.skipped)
    assert "Kaart" in skipped  # a hotspot
    assert "outside.xml" not in str(report.skipped)  # a path out of the package is never opened
    script = by_title(report)["Met script"]
    assert script.body["options"] == ["ja", "nee"]
    assert "alert(2)" not in script.prompt  # attributes are not text
    assert "from the package" not in script.prompt
    assert script.prompt == "Kies <img src=x onerror=alert(3)> ja."  # text that looks like markup stays text
    shown = render.rich(script.prompt)
    assert "<img" not in shown
    assert "&lt;img" in shown  # the text of the package stays text


def test_qti2_items() -> None:
    for name, kind, body in [
        ("choice.xml", "single", {"options": ["blauw", "geel"], "correct": 1}),
        ("text.xml", "numeric", {"value": "12", "tolerance": "0"}),
        ("order.xml", "order", {"lines": ["3", "13", "30"]}),
    ]:
        [found] = qti.read_package((SAMPLES / "v2" / name).read_bytes(), name).items
        assert (found.kind, found.body) == (kind, body)
    [text] = qti.read_package((SAMPLES / "v2" / "text.xml").read_bytes()).items
    assert text.prompt == "3 × 4 ="


@pytest.mark.parametrize("data", [
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><assessmentItem>&e;</assessmentItem>',
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]><x>&b;</x>',
    b"<not xml",
    b"",
])
def test_hostile_xml_is_refused(data: bytes) -> None:
    report = qti.read_package(data, "evil.xml")
    assert not report.items
    assert report.skipped


def test_hostile_zips_are_refused() -> None:
    with pytest.raises(qti.PackageError):
        qti.read_package(b"PK\x03\x04 not really a zip")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("huge.xml", b"<a>" + b" " * (qti.MAX_FILE_BYTES + 10) + b"</a>")
    with pytest.raises(qti.PackageError, match="too large"):
        qti.read_package(buffer.getvalue())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "no items")
    with pytest.raises(qti.PackageError, match="no QTI items"):
        qti.read_package(buffer.getvalue())


@pytest.mark.django_db
def test_importing_into_an_exercise_and_exporting_it_again(scenario: Scenario) -> None:
    s = scenario
    ex = exercise(s)
    before = Item.objects.filter(exercise=ex).count()
    upload = SimpleUploadedFile("toetsvragen.zip", v3_package(), content_type="application/zip")
    result = services.exercise_import(school=s.school, actor=s.teacher, roles=TEACHER, exercise=ex, upload=upload)
    assert result.added == 9
    assert [name for name, _why in result.skipped] == ["Kaart"]
    assert Item.objects.filter(exercise=ex).count() == before + 9
    name, data = services.exercise_export(school=s.school, user=s.teachers[1], roles=TEACHER, exercise_id=ex.pk)
    assert name == "Tables of 3.zip"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert "imsmanifest.xml" in archive.namelist()
        assert b"imsqtiasi_v3p0" in archive.read(archive.namelist()[0])
    again = qti.read_package(data)
    exported = [(i.current.kind, i.current.body) for i in Item.objects.filter(exercise=ex).select_related("current")
                .order_by("position")]
    expected = [("single", {"options": ["True", "False"], "correct": 1 - int(body["correct"])})
                if kind == "truefalse" else (kind, body) for kind, body in exported]
    assert [(i.kind, i.body) for i in again.items] == expected
    assert not again.skipped


@pytest.mark.django_db
def test_an_import_is_checked_like_any_upload(scenario: Scenario) -> None:
    s = scenario
    ex = exercise(s)

    def sent(name: str, data: bytes) -> Any:
        return services.exercise_import(school=s.school, actor=s.teacher, roles=TEACHER, exercise=ex,
                                        upload=SimpleUploadedFile(name, data))

    with pytest.raises(ValidationFailed):
        sent("vragen.exe", b"MZ...")
    with pytest.raises(ValidationFailed):
        sent("vragen.zip", b"<not a zip>")
    with pytest.raises(ValidationFailed):
        sent("vragen.zip", b"PK\x03\x04 broken")


@pytest.mark.django_db
def test_the_page_and_the_api_import_and_export(scenario: Scenario, login_as: Any) -> None:
    s = scenario
    ex = exercise(s)
    teacher = login_as("teacher")
    page = teacher.post(s.url(f"/exercises/{ex.pk}/import/"),
                        {"package": SimpleUploadedFile("vragen.zip", v3_package())})
    text = page.content.decode()
    assert page.status_code == 200
    assert "9 items added" in text
    assert "Kaart" in text
    refused = teacher.post(s.url(f"/exercises/{ex.pk}/import/"), {"package": SimpleUploadedFile("x.zip", b"nope")})
    assert refused.status_code == 400
    download = teacher.get(s.url(f"/exercises/{ex.pk}/export/"))
    assert download["Content-Type"] == "application/zip"
    assert 'filename="Tables of 3.zip"' in download["Content-Disposition"]
    api = s.url("/api/v1")
    imported = teacher.post(f"{api}/exercises/{ex.pk}/import",
                            {"package": SimpleUploadedFile("choice.xml", (SAMPLES / "v2" / "choice.xml").read_bytes())})
    assert imported.status_code == 200, imported.content
    assert imported.json() == {"added": 1, "skipped": []}
    exported = teacher.get(f"{api}/exercises/{ex.pk}/export")
    assert exported.status_code == 200
    assert len(qti.read_package(exported.content).items) == Item.objects.filter(exercise=ex, removed=False).count()
    other = login_as("teacher", user=s.teachers[1])  # may take a copy, may not change it
    assert other.get(s.url(f"/exercises/{ex.pk}/export/")).status_code == 200
    assert other.get(s.url(f"/exercises/{ex.pk}/import/")).status_code == 403
    assert login_as("student").get(f"{api}/exercises/{ex.pk}/export").status_code == 403
