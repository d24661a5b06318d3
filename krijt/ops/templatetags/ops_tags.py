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
    return COMPONENTS.get(name, name)


@register.filter
def state_label(state: str) -> Any:
    return STATES.get(state, state)


@register.filter
def overall_label(state: str) -> Any:
    return OVERALL.get(state, state)


@register.filter
def tone(state: str) -> str:
    return TONES.get(state, "error")
