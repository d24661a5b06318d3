from __future__ import annotations

from django import template

from krijt.core.roles import Role

register = template.Library()


@register.filter
def role_label(value: str) -> str:
    try:
        return str(Role(value).label)
    except ValueError:
        return value
