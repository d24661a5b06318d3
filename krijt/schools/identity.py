"""A school's own colour, checked for contrast (WCAG 2.1), and its variant for dark mode. Pure functions."""

from __future__ import annotations

import re

HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
WHITE = "#ffffff"
DARK_SURFACES = ("#1a1f28", "#11151c")  # the dark mode's cards and page (krijt.css)
LIGHT_SURFACES = ("#ffffff", "#f5f6f8")  # the light mode's cards and page
MINIMUM = 4.5  # AA for normal text: links in the colour, white text on buttons of the colour


def luminance(color: str) -> float:
    channels = []
    for i in (1, 3, 5):
        c = int(color[i:i + 2], 16) / 255
        channels.append(c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4)
    r, g, b = channels
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def accent_contrast(color: str) -> float:
    """The weakest contrast the colour makes where Krijt uses it in light mode: as link text on the page and
    on cards, and behind white text on buttons."""
    return min(contrast(color, surface) for surface in (*LIGHT_SURFACES, WHITE))


def is_readable(color: str) -> bool:
    return bool(HEX.match(color)) and accent_contrast(color) >= MINIMUM


def _mix(color: str, other: str, share: float) -> str:
    parts = []
    for i in (1, 3, 5):
        a, b = int(color[i:i + 2], 16), int(other[i:i + 2], 16)
        parts.append(round(a + (b - a) * share))
    return "#" + "".join(f"{p:02x}" for p in parts)


def dark_variant(color: str) -> str:
    """The colour lightened just enough to read on the dark mode's surfaces (links and button fills)."""
    for step in range(0, 101, 5):
        candidate = _mix(color, WHITE, step / 100)
        if min(contrast(candidate, s) for s in DARK_SURFACES) >= MINIMUM:
            return candidate
    return WHITE
