"""Sessions cached in Redis with the database behind them.

Django's cached_db engine lets a cache error escape on read. Here any cache failure falls back to the
database, so losing Redis signs nobody out; it only costs one query per request until Redis is back.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore

logger = logging.getLogger(__name__)


class SessionStore(CachedDBStore):
    _cache: Any
    _session: Any

    def load(self) -> dict[str, Any]:
        try:
            data = self._cache.get(self.cache_key)
        except Exception:
            logger.warning("session cache unreachable; reading the database", exc_info=True)
            data = None
        if data is None:
            s = self._get_session_from_db()  # type: ignore[attr-defined]
            if s:
                data = self.decode(s.session_data)
                try:
                    self._cache.set(self.cache_key, data, self.get_expiry_age(expiry=s.expire_date))
                except Exception:
                    logger.warning("session cache unreachable; not cached", exc_info=True)
            else:
                data = {}
        return data  # type: ignore[no-any-return]

    def exists(self, session_key: str | None) -> bool:
        try:
            if session_key and (self.cache_key_prefix + session_key) in self._cache:
                return True
        except Exception:
            logger.warning("session cache unreachable", exc_info=True)
        return bool(session_key) and bool(super(CachedDBStore, self).exists(session_key or ""))

    def save(self, must_create: bool = False) -> None:
        super(CachedDBStore, self).save(must_create)
        try:
            self._cache.set(self.cache_key, self._session, self.get_expiry_age())
        except Exception:
            logger.warning("session cache unreachable; saved to the database only", exc_info=True)

    def delete(self, session_key: str | None = None) -> None:
        super(CachedDBStore, self).delete(session_key)
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        try:
            self._cache.delete(self.cache_key_prefix + session_key)
        except Exception:
            logger.warning("session cache unreachable; not deleted there", exc_info=True)

    def flush(self) -> None:
        self.clear()
        self.delete(self.session_key)
        self._session_key = None
