"""Renderers: each module registers how its notifications read, so each recipient reads them in their language.

    from krijt.notifications import kinds

    def render_message(params, language):
        return kinds.Rendered(title=gettext("New message from %(name)s") % params, text=params["subject"])

    kinds.register("message", render_message)

A renderer is called inside ``translation.override(language)``, so plain gettext works; `language` is passed
too for renderers that format dates or names themselves. Register in the module's ``AppConfig.ready()``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from django.utils import translation
from django.utils.translation import gettext


class Rendered(NamedTuple):
    title: str
    text: str


Renderer = Callable[[Mapping[str, Any], str], Rendered]

_registry: dict[str, Renderer] = {}


def register(kind: str, render: Renderer) -> None:
    """Registers (or replaces, e.g. on autoreload) the renderer for `kind`."""
    if not kind or len(kind) > 40:
        raise ValueError("a kind is 1 to 40 characters")
    _registry[kind] = render


def is_registered(kind: str) -> bool:
    return kind in _registry


def render(kind: str, params: Mapping[str, Any], language: str) -> Rendered:
    """The title and short text of a notification in `language`.

    A kind whose module is gone still reads as a notification rather than breaking a page or a digest.
    """
    with translation.override(language):
        renderer = _registry.get(kind)
        if renderer is None:
            return Rendered(title=gettext("New notification"), text="")
        rendered = renderer(params, language)
        return Rendered(title=str(rendered.title), text=str(rendered.text))
