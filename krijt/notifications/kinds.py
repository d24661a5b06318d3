"""Renderers: each module registers how its notifications read, so each recipient reads them in their language.

    from krijt.notifications import kinds

    def render_message(params, language):
        return kinds.Rendered(title=gettext("New message from %(name)s") % params, text=params["subject"])

    kinds.register("message", render_message)

A renderer is called inside ``translation.override(language)``, so plain gettext works; `language` is passed
too for renderers that format dates or names themselves. Register in the module's ``AppConfig.ready()``.

Kinds that tell parents about what a child may keep from them share a `topic` (results and report cards are
"results"), and the module that owns the child's choice registers a gate for it:

    kinds.register("result", render_result, topic="results")
    kinds.register_parent_gate("results", hidden_from_parents)   # (school, student_ids) -> ids kept private

`notify` asks the gate before it writes anything for a parent about a child, and `withdraw_about` takes back
what a topic's kinds already queued when the child's choice changes.
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
# (school, student ids) -> the ids of those students whose parents may not be told about the topic.
ParentGate = Callable[[Any, set[int]], set[int]]

_registry: dict[str, Renderer] = {}
_topics: dict[str, str] = {}
_gates: dict[str, ParentGate] = {}
_digest_only: set[str] = set()


def register(kind: str, render: Renderer, *, topic: str | None = None, parents_digest_only: bool = False) -> None:
    """Registers (or replaces, e.g. on autoreload) the renderer for `kind`, optionally under a topic.

    `parents_digest_only`: parents hear of it only in their daily digest, never by an e-mail or a push of its
    own, whatever they chose for other notifications (a calm question about an absence, say).
    """
    if not kind or len(kind) > 40:
        raise ValueError("a kind is 1 to 40 characters")
    _registry[kind] = render
    if topic:
        _topics[kind] = topic
    else:
        _topics.pop(kind, None)
    if parents_digest_only:
        _digest_only.add(kind)
    else:
        _digest_only.discard(kind)


def parents_digest_only(kind: str) -> bool:
    return kind in _digest_only


def topic_of(kind: str) -> str | None:
    return _topics.get(kind)


def kinds_of(topic: str) -> set[str]:
    return {kind for kind, t in _topics.items() if t == topic}


def register_parent_gate(topic: str, gate: ParentGate) -> None:
    """Registers the function that says which children keep a topic from their parents."""
    _gates[topic] = gate


def parent_gate(topic: str | None) -> ParentGate | None:
    return _gates.get(topic) if topic else None


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
