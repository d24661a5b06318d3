"""A device's name from its browser's User-Agent, for the list of signed-in devices: "Firefox on Windows".

Only the browser and the system are wanted, in a few microseconds at a sign-in, so a short ordered table
of tokens instead of a full user-agent database (tokens that several browsers send come after the more
specific ones: Edge and Opera also say "Chrome", Chrome also says "Safari").
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

BROWSERS = (
    ("Edg/", "Edge"), ("EdgA/", "Edge"), ("OPR/", "Opera"), ("SamsungBrowser/", "Samsung Internet"),
    ("Firefox/", "Firefox"), ("FxiOS/", "Firefox"), ("CriOS/", "Chrome"), ("Chromium/", "Chromium"),
    ("Chrome/", "Chrome"), ("Safari/", "Safari"),
)
SYSTEMS = (
    ("iPhone", "iPhone"), ("iPad", "iPad"), ("Android", "Android"), ("CrOS", "ChromeOS"),
    ("Windows", "Windows"), ("Macintosh", "macOS"), ("Mac OS X", "macOS"), ("Linux", "Linux"),
)


def device_name(user_agent: str) -> str:
    """What is stored: "Firefox|Windows", either part possibly empty (shown in the reader's language)."""
    agent = user_agent[:512]
    browser = next((name for token, name in BROWSERS if token in agent), "")
    system = next((name for token, name in SYSTEMS if token in agent), "")
    return f"{browser}|{system}"


def device_label(stored: str) -> str:
    browser, _sep, system = stored.partition("|")
    if browser and system:
        return str(_("%(browser)s on %(system)s") % {"browser": browser, "system": system})
    return browser or system or str(_("Unknown device"))
