"""Rendered fragments remembered by what they show.

Rendering is the largest cost of a warm Today page: Django's template engine spends about a
millisecond on the sections built from cached parts. The same section is shown again and again: the
lessons of a class at this moment to every student of the class, a student's tests and results on
each visit of the day. So a fragment is rendered once and remembered under a digest of everything its
HTML depends on: the template (and a digest of every template and catalogue of this release), the
language, the URL prefix, the time zone, and the context itself. Nothing else can change the output,
because a fragment is rendered without a request: no user, no CSRF token, no context processor.

There is no invalidation to forget: changed data is a different context, hence a different key. Keys
live in the process (a small LRU) and in the shared cache for a day, so a lesson change's 25 students
of a class share one render across all web processes. Without Redis a fragment is simply rendered.

Only plain data belongs in a fragment's context (dicts, lists, dates, the parts' dataclasses): it is
pickled to make the key. A template that needs the person, the request or a form is not a fragment.
"""

from __future__ import annotations

import hashlib
import io
import logging
import pickle
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

logger = logging.getLogger(__name__)

LOCAL_SIZE = 2048  # fragments kept in each process (a few KB each)
SHARED_SECONDS = 24 * 3600
RELEASE_SUFFIXES = (".html", ".txt", ".mo")


@dataclass(frozen=True)
class Fragment:
    template: str
    context: dict[str, Any]


_local: OrderedDict[str, str] = OrderedDict()
_lock = threading.Lock()
_release: str | None = None


def release_digest() -> str:
    """A digest of every template and translation catalogue of the running code: a release that changes
    one never serves HTML remembered by the one before."""
    global _release  # noqa: PLW0603
    if _release is None:
        digest = hashlib.blake2b(digest_size=12)
        root = Path(settings.BASE_DIR) / "krijt"
        for path in sorted(p for p in root.rglob("*") if p.suffix in RELEASE_SUFFIXES and p.is_file()):
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
        _release = digest.hexdigest()
    return _release


def _setting() -> tuple[str, str, str, str]:
    """What every fragment of this request depends on beside its own template and context."""
    return (release_digest(), translation.get_language(), get_script_prefix(), timezone.get_current_timezone_name())


def key_for(fragment: Fragment, setting: tuple[str, str, str, str] | None = None) -> str:
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    # Without the memo: equal contexts give equal bytes whichever objects they happen to share (a part
    # just built shares strings between its rows; the same part read back from the cache does not).
    pickler.fast = True
    pickler.dump((setting or _setting(), fragment.template, fragment.context))
    return "fragment:" + hashlib.blake2b(buffer.getvalue(), digest_size=20).hexdigest()


def _remember_locally(key: str, html: str) -> None:
    with _lock:
        _local[key] = html
        _local.move_to_end(key)
        while len(_local) > LOCAL_SIZE:
            _local.popitem(last=False)


def render_many(fragments: dict[str, Fragment]) -> dict[str, SafeString]:
    """Each fragment's HTML, rendered only when neither this process nor the shared cache has it.

    One shared-cache read for all the fragments a page misses locally, one write for those rendered."""
    setting = _setting()
    keys = {name: key_for(fragment, setting) for name, fragment in fragments.items()}
    html: dict[str, str] = {}
    with _lock:
        for name, key in keys.items():
            found = _local.get(key)
            if found is not None:
                _local.move_to_end(key)
                html[name] = found
    missing = {name: key for name, key in keys.items() if name not in html}
    if missing:
        try:
            shared: dict[str, Any] = cache.get_many(list(missing.values()))
        except Exception:
            logger.warning("fragment cache unreachable; rendering", exc_info=True)
            shared = {}
        rendered: dict[str, str] = {}
        for name, key in missing.items():
            text = shared.get(key)
            if not isinstance(text, str):
                fragment = fragments[name]
                text = rendered[key] = render_to_string(fragment.template, fragment.context)
            _remember_locally(key, text)
            html[name] = text
        if rendered:
            try:
                cache.set_many(rendered, SHARED_SECONDS)
            except Exception:
                logger.warning("fragment cache unreachable; not shared", exc_info=True)
    return {name: mark_safe(text) for name, text in html.items()}  # noqa: S308 - our own templates' output


def forget_local() -> None:
    """Empties this process's fragments (tests)."""
    with _lock:
        _local.clear()
