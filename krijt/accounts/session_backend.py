"""Sessions cached in Redis with the database behind them.

Django's cached_db engine lets a cache error escape on read. Here any cache failure falls back to the
database, so losing Redis signs nobody out; it only costs one query per request until Redis is back.

A sign-in is the busiest write of a school morning, so a new session costs one INSERT and one cache
write. Django's engine first asks whether a random key exists (a cache read and a query), inserts an
empty row to reserve it, and then updates the row with the data, each write in a transaction of its
own: seven round trips. Here `create()` only draws the key (32 characters from 36: a collision is a
1 in 10^49 event, and the INSERT would still refuse it, upon which a new key is drawn) and the first
save inserts the row; outside a transaction a single statement is already atomic, so no BEGIN/COMMIT.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.base import VALID_KEY_CHARS, CreateError, UpdateError
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore
from django.db import DatabaseError, IntegrityError, connections, router, transaction
from django.http import HttpRequest

from krijt.core import readahead

logger = logging.getLogger(__name__)

KEY_LENGTH = 32


def new_session_key() -> str:
    """32 characters from Django's session key alphabet (a-z0-9) out of one read of 168 random bits.

    Django's get_random_string asks the operating system once per character (32 system calls)."""
    number = int.from_bytes(secrets.token_bytes(21))
    chars = []
    for _ in range(KEY_LENGTH):
        number, index = divmod(number, len(VALID_KEY_CHARS))
        chars.append(VALID_KEY_CHARS[index])
    return "".join(chars)


_KEY_RE = re.compile(r"^[a-z0-9]{32}$")


def read_ahead_keys(request: HttpRequest) -> list[str]:
    """The session's cache key, for krijt.core.readahead: every request with a session cookie reads it."""
    key = request.COOKIES.get(settings.SESSION_COOKIE_NAME, "")
    if settings.SESSION_CACHE_ALIAS != "default" or not _KEY_RE.match(key):
        return []
    return [SessionStore.cache_key_prefix + key]


# What a sign-in puts in the session for the list of signed-in devices (krijt.accounts.models.DeviceSession).
DEVICE_KEY = "krijt_device"
SIGNED_IN_KEY = "krijt_signed_in"


class SessionStore(CachedDBStore):
    _cache: Any
    _session: Any

    @classmethod
    def get_model_class(cls) -> Any:
        from krijt.accounts.models import DeviceSession

        return DeviceSession

    def create_model_instance(self, data: dict[str, Any]) -> Any:
        """The row, with whose session it is and on what device (read from the data, no query)."""
        obj: Any = super().create_model_instance(data)
        user_id = str(data.get(SESSION_KEY, ""))
        obj.user_id = int(user_id) if user_id.isdigit() else None
        obj.device = str(data.get(DEVICE_KEY, ""))[:120]
        signed_in = data.get(SIGNED_IN_KEY)
        obj.signed_in_at = (dt.datetime.fromtimestamp(signed_in, tz=dt.UTC)
                            if isinstance(signed_in, int | float) else None)
        return obj

    def load(self) -> dict[str, Any]:
        try:
            data = readahead.get(self.cache_key, self._cache)
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

    _pending_insert = False
    INSERT_ATTEMPTS = 3

    def create(self) -> None:
        """A fresh key for this session; its row is inserted by the first save."""
        self._session_key = new_session_key()
        if not hasattr(self, "_session_cache"):
            self._session_cache: dict[str, Any] = {}  # new: nothing to load (data set before stays)
        self.modified = True
        self._pending_insert = True

    def _write_row(self, data: dict[str, Any], must_create: bool) -> None:
        obj = self.create_model_instance(data)
        using = router.db_for_write(self.model, instance=obj)
        try:
            if connections[using].in_atomic_block:
                # Inside someone's transaction a failed INSERT must not abort it: a savepoint.
                with transaction.atomic(using=using):
                    obj.save(force_insert=must_create, force_update=not must_create, using=using)
            else:
                obj.save(force_insert=must_create, force_update=not must_create, using=using)
        except IntegrityError as exc:
            if must_create:
                raise CreateError from exc
            raise
        except DatabaseError as exc:
            if not must_create:
                raise UpdateError from exc
            raise

    def save(self, must_create: bool = False) -> None:
        if self.session_key is None:
            self.create()
        must_create = must_create or self._pending_insert
        data = self._get_session(no_load=must_create)  # type: ignore[attr-defined]
        for attempt in range(1, self.INSERT_ATTEMPTS + 1):
            try:
                self._write_row(data, must_create)
            except CreateError:
                if not self._pending_insert or attempt == self.INSERT_ATTEMPTS:
                    raise
                self._session_key = new_session_key()  # taken after all: draw again
                continue
            break
        self._pending_insert = False
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
