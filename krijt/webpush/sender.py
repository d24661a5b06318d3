"""Sending a web push to every device of a person, with VAPID, encrypted (RFC 8291, aes128gcm).

The dispatcher calls `send_push` outside any transaction: each push is a network call. A device whose
push service answers 404 or 410 has unsubscribed and is deleted; every other failure comes back in the
results, so the dispatcher can retry the delivery row later.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from typing import Any

import requests
from pywebpush import WebPushException, webpush

from krijt.webpush import services
from krijt.webpush.guard import TIMEOUT, GuardedSession
from krijt.webpush.selectors import subscriptions_of
from krijt.webpush.vapid import keys, subject

logger = logging.getLogger(__name__)

# A push message may carry 4096 bytes after encryption; this leaves room for the record overhead.
MAX_PAYLOAD_BYTES = 3000
# Delivery time is decided before sending; a phone that is off gets it when it comes back, within a day.
TTL_SECONDS = 24 * 60 * 60
GONE_STATUSES = {404, 410}

_local = threading.local()


@dataclass(frozen=True)
class PushResult:
    subscription_id: int
    ok: bool
    status: int | None = None
    gone: bool = False  # the device unsubscribed; its row is deleted
    error: str = ""

    @property
    def retry(self) -> bool:
        """A failure worth trying again later (a push service error, a timeout)."""
        return not self.ok and not self.gone


def _session() -> requests.Session:
    """One guarded session per worker thread (krijt.webpush.guard: known push services, public addresses)."""
    session = getattr(_local, "session", None)
    if session is None:
        session = GuardedSession()
        _local.session = session
    return session


def encode_payload(payload: dict[str, Any]) -> str:
    """JSON for the service worker, shortened to fit a push message (the body gives way first)."""
    data = dict(payload)
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    while len(text.encode()) > MAX_PAYLOAD_BYTES and data.get("body"):
        body = str(data["body"])
        data["body"] = body[: max(0, len(body) // 2 - 1)] + "…"
        if len(body) <= 2:
            data["body"] = ""
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    if len(text.encode()) > MAX_PAYLOAD_BYTES:
        raise ValueError("push payload too large even without a body")
    return text


def send_push(user_id: int, payload: dict[str, Any]) -> list[PushResult]:
    """Pushes `payload` ({"title", "body", "url", optional "tag"}) to every device of the user.

    An empty list means the person has no device with push turned on.
    """
    data = encode_payload(payload)
    pair = keys()
    signer = pair.signer()
    results: list[PushResult] = []
    for subscription in list(subscriptions_of(user=user_id)):
        results.append(_send_one(subscription.pk, subscription.subscription_info, data, signer))
    return results


def _send_one(subscription_id: int, info: dict[str, Any], data: str, signer: Any) -> PushResult:
    try:
        response = webpush(
            subscription_info=info,
            data=data,
            vapid_private_key=signer,
            vapid_claims={"sub": subject()},
            ttl=TTL_SECONDS,
            timeout=TIMEOUT,  # type: ignore[arg-type]
            headers={"Urgency": "normal"},
            requests_session=_session(),
        )
    except WebPushException as exc:
        status = exc.response.status_code if exc.response is not None else None
        if status in GONE_STATUSES:
            services.subscription_gone(subscription_id=subscription_id)
            return PushResult(subscription_id, ok=False, status=status, gone=True, error="unsubscribed")
        services.subscription_failed(subscription_id=subscription_id)
        reason = exc.response.reason if exc.response is not None else str(exc)
        logger.warning("web push to subscription %s failed: %s %s", subscription_id, status, reason)
        return PushResult(subscription_id, ok=False, status=status, error=f"{status} {reason}"[:200])
    except (requests.RequestException, OSError) as exc:
        services.subscription_failed(subscription_id=subscription_id)
        logger.warning("web push to subscription %s failed: %s", subscription_id, exc.__class__.__name__)
        return PushResult(subscription_id, ok=False, error=f"{exc.__class__.__name__}: {exc}"[:200])
    except Exception as exc:  # an unusable key or any other fault of this one device: the others still get theirs
        services.subscription_failed(subscription_id=subscription_id)
        logger.warning("web push to subscription %s failed: %s", subscription_id, exc.__class__.__name__)
        return PushResult(subscription_id, ok=False, error=f"{exc.__class__.__name__}"[:200])
    status = getattr(response, "status_code", None)
    services.subscription_succeeded(subscription_id=subscription_id)
    return PushResult(subscription_id, ok=True, status=status)
