"""The navigation shell. Each module registers its entries in its AppConfig.ready()."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


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


def items_for(roles: frozenset[str]) -> list[dict[str, object]]:
    result = []
    for item in sorted(_registry.values(), key=lambda i: (i.order, i.key)):
        if item.roles & roles:
            try:
                url = reverse(item.url_name)
            except NoReverseMatch:
                continue
            result.append({"key": item.key, "label": item.label, "url": url, "icon": item.icon})
    return result
