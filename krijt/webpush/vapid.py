"""VAPID keys: the server's identity towards the browsers' push services.

Where the pair comes from, in order:
1. settings KRIJT_VAPID_PRIVATE_KEY / KRIJT_VAPID_PUBLIC_KEY (production: from the environment, the same on
   every node, made once with `manage.py vapid_keys`);
2. settings KRIJT_VAPID_KEY_FILE (the embedded demo: made on first use and kept in the var directory, so
   browsers that subscribed stay valid across restarts);
3. otherwise a pair made once per process (tests). A deployment check warns when production falls here.
"""

from __future__ import annotations

import base64
import functools
import json
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from py_vapid import Vapid

logger = logging.getLogger(__name__)

_lock = threading.Lock()


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class VapidKeys:
    private_key: str  # base64url of the raw 32-byte private scalar
    public_key: str  # base64url of the uncompressed P-256 point: the browser's applicationServerKey
    source: str  # settings | file | process

    def signer(self) -> Vapid:
        return Vapid.from_string(self.private_key)


def generate_pair() -> tuple[str, str]:
    """A new (private, public) pair, both base64url, in the forms pywebpush and browsers take."""
    key = ec.generate_private_key(ec.SECP256R1())
    return _encode(key)


def _encode(key: ec.EllipticCurvePrivateKey) -> tuple[str, str]:
    private = key.private_numbers().private_value.to_bytes(32, "big")
    public = key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return b64url(private), b64url(public)


def public_from_private(private_key: str) -> str:
    raw = b64url_decode(private_key.strip())
    if len(raw) == 32:
        key = ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
    else:
        loaded = serialization.load_der_private_key(raw, password=None)
        if not isinstance(loaded, ec.EllipticCurvePrivateKey):
            raise ImproperlyConfigured("KRIJT_VAPID_PRIVATE_KEY is not an EC key")
        key = loaded
    return _encode(key)[1]


def _from_settings() -> VapidKeys | None:
    private = (getattr(settings, "KRIJT_VAPID_PRIVATE_KEY", "") or "").strip()
    public = (getattr(settings, "KRIJT_VAPID_PUBLIC_KEY", "") or "").strip()
    if not private:
        return None
    derived = public_from_private(private)
    if public and public != derived:
        raise ImproperlyConfigured("KRIJT_VAPID_PUBLIC_KEY does not belong to KRIJT_VAPID_PRIVATE_KEY")
    return VapidKeys(private, derived, "settings")


def _from_file(path: Path) -> VapidKeys:
    with _lock:
        if not path.exists():
            private, public = generate_pair()
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                # O_EXCL: two processes starting at once agree on the first file written.
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass
            else:
                with os.fdopen(fd, "w") as handle:
                    json.dump({"private_key": private, "public_key": public}, handle)
                logger.info("web push: made VAPID keys in %s", path)
        data = json.loads(path.read_text())
    private = data["private_key"]
    return VapidKeys(private, public_from_private(private), "file")


@functools.cache
def _process_pair() -> VapidKeys:
    private, public = generate_pair()
    return VapidKeys(private, public, "process")


def keys() -> VapidKeys:
    configured = _from_settings()
    if configured is not None:
        return configured
    key_file = getattr(settings, "KRIJT_VAPID_KEY_FILE", None)
    if key_file:
        return _from_file(Path(key_file))
    return _process_pair()


def subject() -> str:
    """The contact the push services see in the VAPID claims (an operator's mailto: or https: URL)."""
    value = getattr(settings, "KRIJT_VAPID_SUBJECT", "") or ""
    if value:
        return str(value)
    from email.utils import parseaddr

    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "no-reply@krijt.invalid"
    return f"mailto:{address}"
