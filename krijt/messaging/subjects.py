"""A reply's subject in the reader's language: "Re:" stored in the writer's language ("Antw:", "Réf. :")
reads as the reader's own prefix."""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext


@lru_cache(maxsize=1)
def reply_prefixes() -> tuple[str, ...]:
    """Every language's reply prefix, longest first."""
    found = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            found.add(gettext("Re:"))
    found.add("Re:")
    return tuple(sorted(found, key=len, reverse=True))


def for_reader(subject: str) -> str:
    for prefix in reply_prefixes():
        if subject.startswith(prefix + " "):
            return f"{gettext('Re:')} {subject[len(prefix) + 1:]}"
    return subject
