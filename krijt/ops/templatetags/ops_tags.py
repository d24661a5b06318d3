from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

COMPONENTS = {
    "web": _("Web servers"),
    "database": _("Database"),
    "cache": _("Cache"),
    "worker": _("Background work"),
    "email": _("E-mail"),
}
STATES = {
    "ok": _("Working"),
    "degraded": _("Slow or behind"),
    "down": _("Not working"),
    "not_configured": _("Not configured"),
}
OVERALL = {
    "operational": _("Everything is working"),
    "degraded": _("Some parts are slow or behind"),
    "partial_outage": _("Some parts are unavailable"),
    "outage": _("Krijt is unavailable"),
    "maintenance": _("Maintenance in progress"),
}
# Class names of krijt.css: green, amber or red text next to the words (never colour alone).
TONES = {"ok": "ok", "operational": "ok", "not_configured": "muted", "degraded": "warn", "maintenance": "warn"}


@register.filter
def component_label(name: str) -> Any:
    from krijt.ops import health

    found = health.component(name)
    return found.label if found is not None else COMPONENTS.get(name, name)


@register.filter
def component_detail(check: Any) -> str:
    """What a module's own component says of its state (krijt.ops.health.register_component)."""
    from krijt.ops import health

    found = health.component(check.name)
    if found is None or not check.detail or "error" in check.detail:
        return ""
    return found.describe(check.detail)


@register.filter
def state_label(state: str) -> Any:
    return STATES.get(state, state)


@register.filter
def overall_label(state: str) -> Any:
    return OVERALL.get(state, state)


@register.filter
def tone(state: str) -> str:
    return TONES.get(state, "error")
