from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from krijt.exercises import render

register = template.Library()


@register.filter
def rich(text: str) -> SafeString:
    """An item's text as safe HTML (maths between \\( and \\) as MathML)."""
    return mark_safe(render.rich(text))  # noqa: S308 - render.rich escapes text and sanitises the MathML


@register.filter
def at(sequence: list, index: int):  # type: ignore[no-untyped-def]
    return sequence[index]
