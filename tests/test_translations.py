"""Every text a user sees exists in Dutch, French and English, and the compiled catalogues are current."""

from __future__ import annotations

import gettext
import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "krijt" / "locale"
LANGUAGES = ["nl", "fr"]


def parse_po(path: Path) -> dict[str, tuple[str, bool]]:
    """msgid -> (msgstr, fuzzy), with plural forms joined; enough of the format for a completeness check."""
    entries: dict[str, tuple[str, bool]] = {}
    msgid: list[str] = []
    msgstr: list[str] = []
    fuzzy = False
    field = None
    context = ""

    def flush() -> None:
        nonlocal msgid, msgstr, fuzzy, context
        key = context + "\x04" + "".join(msgid) if context else "".join(msgid)
        if msgid or msgstr:
            entries[key] = ("".join(msgstr), fuzzy)
        msgid, msgstr, fuzzy, context = [], [], False, ""

    def unquote(text: str) -> str:
        return text.strip()[1:-1].encode().decode("unicode_escape").encode("latin-1").decode("utf-8")

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            flush()
            field = None
        elif line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith("#"):
            continue
        elif line.startswith("msgctxt "):
            context = unquote(line[8:])
            field = "ctx"
        elif line.startswith("msgid_plural "):
            field = "plural"
        elif line.startswith("msgid "):
            msgid = [unquote(line[6:])]
            field = "id"
        elif line.startswith("msgstr"):
            value = line.split(" ", 1)[1]
            msgstr.append(("|" if msgstr else "") + unquote(value))
            field = "str"
        elif line.startswith('"'):
            if field == "id":
                msgid.append(unquote(line))
            elif field == "str":
                msgstr.append(unquote(line))
            elif field == "ctx":
                context += unquote(line)
    flush()
    return entries


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated(language: str) -> None:
    entries = parse_po(LOCALE / language / "LC_MESSAGES" / "django.po")
    missing = [k for k, (v, fuzzy) in entries.items() if k and (fuzzy or not v.replace("|", "").strip())]
    assert not missing, f"{len(missing)} untranslated or fuzzy in {language}: {missing[:10]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_the_source(language: str) -> None:
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    mo = LOCALE / language / "LC_MESSAGES" / "django.mo"
    with mo.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    entries = parse_po(po)
    for key, (value, _fuzzy) in entries.items():
        if not key or "|" in value:
            continue
        assert catalogue.get(key) == value, f"{language}: {key!r} differs between .po and .mo: run scripts/messages"


def test_no_text_is_missing_from_the_catalogues(tmp_path: Path) -> None:
    """Running makemessages now would add nothing: every marked string is in the catalogue."""
    if shutil.which("xgettext") is None:
        pytest.fail("GNU gettext is needed (apt-get install gettext); scripts/test installs it")
    from django.core.management import call_command
    from django.test import override_settings

    copy = tmp_path / "krijt"
    shutil.copytree(Path(settings.BASE_DIR) / "krijt", copy, ignore=shutil.ignore_patterns("__pycache__", "tests"))
    cwd = os.getcwd()
    os.chdir(copy)
    try:
        with override_settings(LOCALE_PATHS=[str(copy / "locale")]):
            call_command("makemessages", locale=["nl"], verbosity=0, no_obsolete=True, ignore_patterns=["tests/*"])
    finally:
        os.chdir(cwd)
    fresh = {k for k in parse_po(copy / "locale" / "nl" / "LC_MESSAGES" / "django.po") if k}
    committed = {k for k in parse_po(LOCALE / "nl" / "LC_MESSAGES" / "django.po") if k}
    assert not fresh - committed, (
        f"new texts not in the catalogue (run scripts/messages): {sorted(fresh - committed)[:10]}"
    )
