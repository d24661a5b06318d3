from __future__ import annotations

import datetime as dt

import pytest

from krijt.imports.parsing import FileRejected, parse_date, read_table
from krijt.imports.tests.conftest import csv_bytes, xlsx_bytes

HEADER_NL = ["Gebruikersnaam", "Voornaam", "Naam", "Geboortedatum", "Klas", "E-mail"]


@pytest.mark.parametrize(("text", "expected"), [
    ("2012-03-04", dt.date(2012, 3, 4)),
    ("04/03/2012", dt.date(2012, 3, 4)),
    ("4-3-2012", dt.date(2012, 3, 4)),
    ("04.03.2012", dt.date(2012, 3, 4)),
    ("2012-03-04 00:00:00", dt.date(2012, 3, 4)),
    (dt.datetime(2012, 3, 4, 0, 0), dt.date(2012, 3, 4)),
    (dt.date(2012, 3, 4), dt.date(2012, 3, 4)),
    ("31/02/2012", None),
    ("2012-13-01", None),
    ("03/04/12", None),
    ("yesterday", None),
])
def test_dates(text: object, expected: dt.date | None) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("delimiter", [";", ","])
@pytest.mark.parametrize("bom", [True, False])
def test_csv_delimiter_and_bom(delimiter: str, bom: bool) -> None:
    data = csv_bytes([HEADER_NL, ["jan.peeters", "Jan", "Peeters, Sr.", "2012-03-04", "1A", ""]],
                     delimiter=delimiter, bom=bom)
    table = read_table(kind="students", name="export.CSV", data=data)
    assert table.columns["username"] == "Gebruikersnaam"
    assert table.columns["email"] == "E-mail"
    assert [r.number for r in table.rows] == [2]
    assert table.rows[0].values == {"username": "jan.peeters", "first_name": "Jan", "last_name": "Peeters, Sr.",
                                    "birth_date": "2012-03-04", "class": "1A", "email": None}


def test_english_headers_any_case_and_extra_columns_ignored() -> None:
    data = csv_bytes([["USERNAME", "First Name", "last_name", "Birth_Date", "class", "Stamboeknummer"],
                      ["a.b", "A", "B", "2012-01-01", "1A", "123"]])
    table = read_table(kind="students", name="x.csv", data=data)
    assert set(table.columns) == {"username", "first_name", "last_name", "birth_date", "class"}


def test_blank_rows_are_skipped_but_keep_their_numbers() -> None:
    data = csv_bytes([HEADER_NL, ["a.a", "A", "A", "2012-01-01", "1A"], [], ["", "", ""],
                      ["b.b", "B", "B", "2012-01-01", "1A"]])
    table = read_table(kind="students", name="x.csv", data=data)
    assert [r.number for r in table.rows] == [2, 5]


def test_quoted_line_break_is_one_spreadsheet_row() -> None:
    data = csv_bytes([["username", "first_name", "last_name"], ["a.a", "Line\nbreak", "A"], ["b.b", "B", "B"]])
    table = read_table(kind="teachers", name="x.csv", data=data)
    assert [r.number for r in table.rows] == [2, 3]


def test_wrong_encoding_names_the_row() -> None:
    data = csv_bytes([["username", "first_name", "last_name"], ["a.a", "Ann", "A"], ["b.b", "Hélène", "B"]],
                     bom=False, encoding="cp1252")
    with pytest.raises(FileRejected) as caught:
        read_table(kind="teachers", name="x.csv", data=data)
    [error] = caught.value.errors
    assert error.row == 3
    assert "UTF-8" in error.message
    assert "CSV UTF-8" in error.message


def test_missing_and_doubled_columns() -> None:
    data = csv_bytes([["username", "naam", "achternaam", "klas"], ["a.a", "A", "A", "1A"]])
    with pytest.raises(FileRejected) as caught:
        read_table(kind="students", name="x.csv", data=data)
    messages = {(e.row, e.column): e.message for e in caught.value.errors}
    assert (1, "first_name") in messages
    assert (1, "birth_date") in messages
    assert "geboortedatum" in messages[(1, "birth_date")]
    assert "both" in messages[(1, "achternaam")]


def test_unknown_extension_and_empty_files() -> None:
    with pytest.raises(FileRejected, match=r"\.txt"):
        read_table(kind="teachers", name="x.txt", data=b"username")
    with pytest.raises(FileRejected, match="empty"):
        read_table(kind="teachers", name="x.csv", data=b"")
    with pytest.raises(FileRejected, match="no rows"):
        read_table(kind="teachers", name="x.csv", data=b"username;first_name;last_name\r\n")


def test_xlsx_dates_numbers_and_row_numbers() -> None:
    data = xlsx_bytes([
        ["Gebruikersnaam", "Voornaam", "Naam", "Geboortedatum", "Klas"],
        [12345, "Ann", "Aerts", dt.datetime(2012, 5, 6), "1A"],
        [None, None, None, None, None],
        ["b.b", " Bo ", "Bos", "06/05/2012", "2A"],
    ])
    table = read_table(kind="students", name="leerlingen.xlsx", data=data)
    assert [r.number for r in table.rows] == [2, 4]
    assert table.rows[0].values["username"] == "12345"
    assert table.rows[0].values["birth_date"] == dt.date(2012, 5, 6)
    assert table.rows[1].values["first_name"] == "Bo"


def test_broken_xlsx_is_refused() -> None:
    with pytest.raises(FileRejected, match="Excel"):
        read_table(kind="teachers", name="x.xlsx", data=b"PK\x03\x04 not really a zip")


def test_a_zip_that_is_no_workbook_is_refused() -> None:
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    with pytest.raises(FileRejected, match="Excel"):
        read_table(kind="teachers", name="x.xlsx", data=out.getvalue())


@pytest.mark.parametrize("name", ["x.csv", "x.xlsx"])
def test_too_many_rows_are_refused(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    from krijt.imports import parsing

    monkeypatch.setattr(parsing, "MAX_ROWS", 5)
    rows: list[list[object]] = [["username", "first_name", "last_name"]]
    rows += [[f"t{i}", "T", "T"] for i in range(6)]
    data = csv_bytes(rows) if name.endswith("csv") else xlsx_bytes(rows)
    with pytest.raises(FileRejected, match="more than 5 rows") as caught:
        read_table(kind="teachers", name=name, data=data)
    assert caught.value.errors[0].row == 7
    fits = csv_bytes(rows[:6]) if name.endswith("csv") else xlsx_bytes(rows[:6])
    assert len(read_table(kind="teachers", name=name, data=fits).rows) == 5


def _repacked(data: bytes, extra: dict[str, bytes | int]) -> bytes:
    """The workbook with parts replaced or added; an int is that many spaces appended to the part."""
    import io
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            change = extra.get(info.filename)
            content = change if isinstance(change, bytes) else source.read(info.filename)
            with archive.open(info.filename, "w") as part:
                part.write(content)
                if isinstance(change, int):
                    chunk = b" " * (1024 * 1024)
                    for _ in range(change // len(chunk)):
                        part.write(chunk)
        for name, added in extra.items():
            if name not in source.namelist() and isinstance(added, bytes):
                archive.writestr(name, added)
    return out.getvalue()


def test_a_zip_bomb_is_refused_before_anything_is_unpacked(monkeypatch: pytest.MonkeyPatch) -> None:
    import openpyxl

    from krijt.imports import parsing

    small = xlsx_bytes([["username", "first_name", "last_name"], ["t1", "T", "T"]])
    bomb = _repacked(small, {"xl/worksheets/sheet1.xml": parsing.MAX_XLSX_UNCOMPRESSED + 1024 * 1024})
    assert len(bomb) < 500_000  # a few hundred KB that would unpack to more than 64 MB

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("the workbook was opened")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    with pytest.raises(FileRejected, match="unpacks to more than 64 MB"):
        read_table(kind="teachers", name="x.xlsx", data=bomb)


def test_too_many_shared_strings_are_refused() -> None:
    from krijt.imports import parsing

    small = xlsx_bytes([["username", "first_name", "last_name"], ["t1", "T", "T"]])
    strings = (b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
               + b"<si><t>a</t></si>" * (parsing.MAX_SHARED_STRINGS + 1) + b"</sst>")
    with pytest.raises(FileRejected, match="more than 100000 different texts"):
        read_table(kind="teachers", name="x.xlsx", data=_repacked(small, {"xl/sharedStrings.xml": strings}))


def test_long_cells_are_capped_and_never_echoed_whole() -> None:
    from krijt.imports import parsing

    huge = "x" * 30_000
    table = read_table(kind="students", name="x.xlsx", data=xlsx_bytes([
        ["username", "first_name", "last_name", "birth_date", "class", "email"],
        ["s1", "A", "B", "2012-01-01", huge, huge + "@example.org"],
    ]))
    assert len(table.rows[0].values["class"]) == parsing.MAX_CELL_CHARS
    assert parsing.shown(table.rows[0].values["class"]) == "x" * (parsing.SHOWN - 1) + "…"
