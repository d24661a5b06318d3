"""Static files as WhiteNoise serves them in production, with each file's address worked out once.

The manifest storage looks every address up in its manifest and joins it to STATIC_URL on every
`{% static %}`; the stylesheet and two scripts of every page made that some 5 % of a warm Today page.
A release's addresses never change while it runs (a new manifest needs a restart), so each is kept.
"""

from __future__ import annotations

from typing import Any

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._addresses: dict[str, str] = {}

    def url(self, name: Any, force: bool = False) -> str:
        if force or not isinstance(name, str):
            return super().url(name, force)
        address = self._addresses.get(name)
        if address is None:
            address = self._addresses[name] = super().url(name)
        return address
