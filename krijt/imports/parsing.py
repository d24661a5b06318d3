"""Reading CSV and XLSX files as exported by school administration software.

Pure functions: bytes in, a table of rows (with the row numbers the admin sees in a spreadsheet) out.
Nothing here touches the database; checking rows against the school happens in planning.py.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

# A cap on rows protects the worker from a small but hugely compressed .xlsx (a zip bomb).
MAX_ROWS = 20_000
# Only the first columns are read: exports have a handful of columns, a crafted file could have thousands.
MAX_COLUMNS = 64
# Blank rows count too: a sheet "used" down to row 1,048,576 must not keep the worker busy.
MAX_PHYSICAL_ROWS = 10 * MAX_ROWS

EXTENSIONS = ("csv", "xlsx")

# An .xlsx is a zip: its parts are bounded by their declared (uncompressed) sizes before anything is
# parsed, because a 250 KB file can unpack to gigabytes. Python's zipfile never inflates a part past
# its declared size, so the declared sizes bound the work.
MAX_XLSX_UNCOMPRESSED = 64 * 1024 * 1024
MAX_XLSX_PARTS = 200
MAX_SHARED_STRINGS = 100_000
# No field is longer than 254 characters (an e-mail address): a longer cell is kept only this far, so
# it stays too long for every check, and an error message quotes at most SHOWN characters of it.
MAX_CELL_CHARS = 300
SHOWN = 40


class Kind:
    STUDENTS = "students"
    PARENTS = "parents"
    TEACHERS = "teachers"


# Header aliases after normalising (lower case, without spaces, hyphens and underscores).
ALIASES: dict[str, tuple[str, ...]] = {
    "username": ("username", "gebruikersnaam"),
    "first_name": ("firstname", "voornaam"),
    "last_name": ("lastname", "naam", "achternaam", "familienaam"),
    "birth_date": ("birthdate", "dateofbirth", "geboortedatum"),
    "class": ("class", "klas"),
    "email": ("email", "mail"),
    "student_username": ("studentusername", "student", "leerling", "leerlinggebruikersnaam"),
}

# The Dutch header shown next to the English one when a column is missing.
DUTCH = {
    "username": "gebruikersnaam",
    "first_name": "voornaam",
    "last_name": "naam",
    "birth_date": "geboortedatum",
    "class": "klas",
    "email": "e-mail",
    "student_username": "leerling",
}

REQUIRED: dict[str, tuple[str, ...]] = {
    Kind.STUDENTS: ("username", "first_name", "last_name", "birth_date", "class"),
    Kind.PARENTS: ("username", "first_name", "last_name", "student_username"),
    Kind.TEACHERS: ("username", "first_name", "last_name"),
}
OPTIONAL: dict[str, tuple[str, ...]] = {
    Kind.STUDENTS: ("email",),
    Kind.PARENTS: ("email",),
    Kind.TEACHERS: ("email",),
}


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


class FileRejected(Exception):
    """The file cannot be read at all; the errors say where and why."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("; ".join(e.message for e in errors))
        self.errors = errors


@dataclass
class Row:
    number: int  # as the admin sees it in a spreadsheet: the header is row 1
    values: dict[str, Any]  # field -> cell value (str, date or None)


@dataclass
class Table:
    columns: dict[str, str]  # field -> the header as written in the file
    rows: list[Row] = field(default_factory=list)


def extension_of(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def normalise_header(text: Any) -> str:
    return re.sub(r"[\s_\-.]+", "", str(text or "")).lower()


def _field_for(header: str) -> str | None:
    key = normalise_header(header)
    for name, aliases in ALIASES.items():
        if key in aliases:
            return name
    return None


def column_label(name: str) -> str:
    return f"{name} ({DUTCH[name]})"


def map_columns(kind: str, header: list[Any], *, row: int = 1) -> tuple[dict[str, int], dict[str, str], list[RowError]]:
    """Which field each header cell holds; errors for missing and doubled columns (on the header row)."""
    wanted = set(REQUIRED[kind]) | set(OPTIONAL[kind])
    index: dict[str, int] = {}
    names: dict[str, str] = {}
    errors: list[RowError] = []
    for i, cell in enumerate(header):
        name = _field_for(cell)
        if name is None or name not in wanted:
            continue
        if name in index:
            errors.append(RowError(row, str(cell).strip(), _(
                'The columns "%(a)s" and "%(b)s" both hold %(field)s. Keep only one of them.'
            ) % {"a": names[name], "b": str(cell).strip(), "field": column_label(name)}))
            continue
        index[name] = i
        names[name] = str(cell).strip()
    for name in REQUIRED[kind]:
        if name not in index:
            errors.append(RowError(row, name, _(
                'The column "%(column)s" is missing. Add it to the first row (in English or Dutch: %(label)s).'
            ) % {"column": name, "label": column_label(name)}))
    return index, names, errors


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = data[: exc.start].count(b"\n") + 1
        raise FileRejected([RowError(row, "", _(
            "Wrong encoding: this file is not UTF-8, reading fails at row %(row)d. In your spreadsheet program "
            'choose "Save as", pick the type "CSV UTF-8" and upload the new file.'
        ) % {"row": row})]) from exc


def _delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    return ";" if first.count(";") > first.count(",") else ","


def _too_many(row: int) -> FileRejected:
    return FileRejected([RowError(row, "", _(
        "The file has more than %(n)d rows. Split it into smaller files."
    ) % {"n": MAX_ROWS})])


def _keep(records: Iterable[tuple[int, list[Any]]]) -> list[tuple[int, list[Any]]]:
    """The rows that hold something, with their numbers; stops at the row cap instead of reading on."""
    rows = []
    for number, cells in records:
        if number > MAX_PHYSICAL_ROWS:
            raise _too_many(number)
        if any(_cell(c) is not None for c in cells):
            rows.append((number, cells))
            if len(rows) > MAX_ROWS + 1:  # the header and MAX_ROWS rows
                raise _too_many(number)
    return rows


def _csv_rows(data: bytes) -> list[tuple[int, list[Any]]]:
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    read = 0

    def records() -> Iterator[tuple[int, list[Any]]]:
        nonlocal read
        # A spreadsheet shows one record per row, also when a quoted cell holds a line break.
        for number, record in enumerate(reader, start=1):
            read = number
            yield number, record[:MAX_COLUMNS]

    try:
        return _keep(records())
    except csv.Error as exc:
        row = read + 1
        raise FileRejected([RowError(row, "", _("This row cannot be read as CSV (%(e)s).") % {"e": exc})]) from exc


def shown(value: Any) -> str:
    """A cell's value as quoted in an error message: never more than SHOWN characters."""
    text = str(value)
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"


_SHARED_STRING = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s/>]")


def _not_xlsx() -> FileRejected:
    return FileRejected([RowError(1, "", _(
        'This is not a valid Excel (.xlsx) file. Save it again as .xlsx, or as "CSV UTF-8".'
    ))])


def _too_big_unpacked() -> FileRejected:
    return FileRejected([RowError(1, "", _(
        "This Excel file unpacks to more than %(mb)d MB, far more than a list of people needs. Save it again "
        'as .xlsx with only the sheet to import, or as "CSV UTF-8".'
    ) % {"mb": MAX_XLSX_UNCOMPRESSED // (1024 * 1024)})])


def check_xlsx_container(data: bytes) -> None:
    """Refuses a workbook whose parts would unpack to too much, or with too many shared strings."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _not_xlsx() from exc
    with archive:
        if len(parts) > MAX_XLSX_PARTS:
            raise _not_xlsx()
        if sum(p.file_size for p in parts) > MAX_XLSX_UNCOMPRESSED:
            raise _too_big_unpacked()
        strings = next((p for p in parts if p.filename.lower().endswith("sharedstrings.xml")), None)
        if strings is None:
            return
        count, tail = 0, b""
        try:
            with archive.open(strings) as stream:
                while chunk := stream.read(1024 * 1024):
                    window = tail + chunk
                    count += len(_SHARED_STRING.findall(window)) - len(_SHARED_STRING.findall(tail))
                    if count > MAX_SHARED_STRINGS:
                        raise FileRejected([RowError(1, "", _(
                            "This Excel file holds more than %(n)d different texts, far more than a list of people "
                            'needs. Save it again as .xlsx with only the sheet to import, or as "CSV UTF-8".'
                        ) % {"n": MAX_SHARED_STRINGS})])
                    tail = window[-64:]
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError) as exc:
            raise _not_xlsx() from exc


def _xlsx_rows(data: bytes) -> list[tuple[int, list[Any]]]:
    import openpyxl

    check_xlsx_container(data)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # any failure to open means the same to the admin: not a readable .xlsx
        raise _not_xlsx() from exc
    read = 0

    def records() -> Iterator[tuple[int, list[Any]]]:
        nonlocal read
        sheet = workbook.worksheets[0]
        for number, record in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1):
            read = number
            yield number, list(record)

    try:
        return _keep(records())
    except FileRejected:
        raise
    except Exception as exc:
        row = read + 1
        raise FileRejected([RowError(row, "", _(
            "The Excel file is damaged from row %(row)d on. Save it again as .xlsx, or as \"CSV UTF-8\"."
        ) % {"row": row})]) from exc
    finally:
        workbook.close()


def _cell(value: Any) -> Any:
    """Cells become stripped text, a date, or None when empty."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a numeric user name typed in Excel: 12345, not 12345.0
    text = str(value)[: MAX_CELL_CHARS * 4].strip()[:MAX_CELL_CHARS]
    return text or None


def read_table(*, kind: str, name: str, data: bytes) -> Table:
    """The file's rows keyed by field. Raises FileRejected when the file cannot be read or lacks columns."""
    ext = extension_of(name)
    if ext == "csv":
        raw = _csv_rows(data)
    elif ext == "xlsx":
        raw = _xlsx_rows(data)
    else:
        raise FileRejected([RowError(1, "", unknown_extension_message(ext))])
    if not raw:
        raise FileRejected([RowError(1, "", _("The file is empty."))])
    # Blank rows above the header still count: row numbers stay those of the admin's spreadsheet.
    header_number, header = raw[0]
    index, names, errors = map_columns(kind, header, row=header_number)
    if errors:
        raise FileRejected(errors)
    body = raw[1:]
    if not body:
        raise FileRejected([RowError(header_number + 1, "", _("The file has a header row but no rows to import."))])
    rows = []
    for number, cells in body:
        values = {f: _cell(cells[i]) if i < len(cells) else None for f, i in index.items()}
        rows.append(Row(number, values))
    return Table(columns=names, rows=rows)


def unknown_extension_message(ext: str) -> str:
    if ext:
        return _('The file type ".%(ext)s" cannot be imported. Upload a .csv or .xlsx file.') % {"ext": ext}
    return _("The file name has no extension. Upload a .csv or .xlsx file.")


_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_DMY = re.compile(r"^(\d{1,2})[/\-.](\d{1,2})[/\-.](\d{4})(?: \d{1,2}:\d{2}(?::\d{2})?)?$")


def parse_date(value: Any) -> dt.date | None:
    """A date cell, or text as YYYY-MM-DD, DD/MM/YYYY or DD-MM-YYYY; None when it is not a real date."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    match = _ISO.match(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        match = _DMY.match(text)
        if not match:
            return None
        day, month, year = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None
