"""The navigation shell. Each module registers its entries in its AppConfig.ready()."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.urls import NoReverseMatch, get_script_prefix, reverse


@dataclass(frozen=True)
class NavItem:
    key: str
    label: object  # a lazy translation
    url_name: str
    roles: frozenset[str]
    order: int = 100
    icon: str = ""


_registry: dict[str, NavItem] = {}


def register(
    key: str, label: object, url_name: str, roles: set[str] | frozenset[str], order: int = 100, icon: str = ""
) -> None:
    _registry[key] = NavItem(key, label, url_name, frozenset(roles), order, icon)


@lru_cache(maxsize=20_000)
def _url(url_name: str, prefix: str) -> str | None:
    """An entry's address under a school's prefix: the same on every request, so worked out once."""
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return None


@lru_cache(maxsize=200_000)
def _reversed(viewname: str, prefix: str, kwargs: tuple[tuple[str, Any], ...]) -> str:
    return reverse(viewname, kwargs=dict(kwargs) or None)


def cached_reverse(viewname: str, **kwargs: Any) -> str:
    """`reverse` remembered per school prefix: a hot page links the same items on every request, and
    working out a path costs more than rendering it."""
    return _reversed(viewname, get_script_prefix(), tuple(sorted(kwargs.items())))


def items_for(roles: frozenset[str]) -> list[dict[str, object]]:
    result = []
    prefix = get_script_prefix()
    for item in sorted(_registry.values(), key=lambda i: (i.order, i.key)):
        if item.roles & roles:
            url = _url(item.url_name, prefix)
            if url is None:
                continue
            result.append({"key": item.key, "label": item.label, "url": url, "icon": item.icon})
    return result
