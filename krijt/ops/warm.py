"""Warming a web process before it takes requests: everything a first request would load lazily.

`manage.py serve` loads the application once in gunicorn's master process (`preload_app`), calls
`warm()` there and freezes the heap; every worker is then a fork of a warm process. A replaced worker
starts in milliseconds instead of importing Django for one to two seconds while connections wait for it.

Nothing here may open a connection (database, cache): a socket opened in the master would be shared
by every fork. `connections_opened()` tells whether something did, and `config/gunicorn.py` refuses
to start workers from a master that holds one.
"""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.template import TemplateSyntaxError, engines
from django.urls import get_resolver
from django.utils import translation
from django.utils.translation import trans_real

from krijt.core.fragments import release_digest

logger = logging.getLogger(__name__)

TEMPLATE_SUFFIXES = (".html", ".txt", ".ics", ".xml")


def _template_names(directory: Path) -> list[str]:
    return sorted(
        str(path.relative_to(directory))
        for path in directory.rglob("*")
        if path.is_file() and path.suffix in TEMPLATE_SUFFIXES
    )


def warm() -> dict[str, int]:
    """Compile every template, load every language's catalogue, build the URL resolver's reverse maps, and
    take the release digest remembered fragments are keyed by.

    Returns what was loaded, for the log line the master writes."""
    counts = {"templates": 0, "languages": 0, "url_patterns": 0}
    for engine in engines.all():
        template_dirs = getattr(engine, "template_dirs", ())
        for directory in template_dirs:
            for name in _template_names(Path(directory)):
                try:
                    engine.get_template(name)
                except TemplateSyntaxError:
                    # A fragment that is only valid inside another template: the first request compiles it.
                    logger.debug("not warmed: %s", name)
                    continue
                counts["templates"] += 1
    resolver = get_resolver()
    for code, _name in settings.LANGUAGES:
        trans_real.translation(code)
        with translation.override(code):
            # reverse() keeps a map per active language; building it costs the first request a few ms.
            resolver.reverse_dict  # noqa: B018
        counts["languages"] += 1
    counts["url_patterns"] = len(resolver.url_patterns)
    release_digest()  # reads every template and catalogue once; forks inherit it
    return counts


def connections_opened() -> list[str]:
    """Aliases of database connections this process holds open (none may be held by a master)."""
    return [alias for alias in connections if connections[alias].connection is not None]
