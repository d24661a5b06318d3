"""Hooks through which other modules extend the planner without the planner importing them.

- `deadline_changed` is sent (inside the updating transaction) when a task's due date or lesson period
  moves, e.g. so that hand-in recomputes its late marks.
- `item_cancelled` is sent (inside the cancelling transaction) when a task or test is cancelled, e.g. so that
  a live lesson attached to it is no longer offered.
- `register_item_link` adds a link on an item's page (e.g. "Hand in" for a student).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.dispatch import Signal

deadline_changed = Signal()  # sender=PlannerItem, school=, item=
item_cancelled = Signal()  # sender=PlannerItem, school=, item=


@dataclass(frozen=True)
class ItemLink:
    label: str
    url: str


LinkFactory = Callable[..., ItemLink | None]
_link_factories: list[LinkFactory] = []


def register_item_link(factory: LinkFactory) -> None:
    """factory(user=, roles=, item=) returns a link for this person on this item, or None."""
    if factory not in _link_factories:
        _link_factories.append(factory)


def item_links(*, user: Any, roles: Iterable[str], item: Any) -> list[ItemLink]:
    links = []
    for factory in _link_factories:
        link = factory(user=user, roles=frozenset(roles), item=item)
        if link is not None:
            links.append(link)
    return links


FeedSource = Callable[..., Iterable[Any]]
_feed_sources: list[FeedSource] = []


def register_feed_source(source: FeedSource) -> None:
    """source(school=, user=, roles=, today=, uid_host=, absolute=) yields krijt.core.ical.FeedEvent rows for
    the person's calendar feed; `absolute(path)` makes a link of a school path."""
    if source not in _feed_sources:
        _feed_sources.append(source)


def feed_events(**context: Any) -> list[Any]:
    found: list[Any] = []
    for source in _feed_sources:
        found.extend(source(**context))
    return found
