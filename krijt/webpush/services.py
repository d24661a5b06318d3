"""Writes for web push subscriptions."""

from __future__ import annotations

import re

from cryptography.hazmat.primitives.asymmetric import ec
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from krijt.accounts.models import User
from krijt.core import clock
from krijt.core.errors import NotFound, ValidationFailed
from krijt.webpush.guard import endpoint_problem
from krijt.webpush.models import PushSubscription
from krijt.webpush.vapid import b64url_decode

# A person rarely has more than a few devices; the cap keeps a script from filling the table.
MAX_SUBSCRIPTIONS_PER_USER = 20
KEY_RE = re.compile(r"^[A-Za-z0-9_-]+={0,2}$")


def _check_endpoint(endpoint: str) -> None:
    """Only known push services over HTTPS on 443 (krijt.webpush.guard): the server posts to this URL."""
    if endpoint_problem(endpoint) is not None:
        raise ValidationFailed(_("This is not a push service address."), fields={"endpoint": [_("Not valid.")]})


def _check_key(value: str, name: str, length: int) -> None:
    try:
        ok = bool(KEY_RE.match(value)) and len(b64url_decode(value.rstrip("="))) == length
    except ValueError:
        ok = False
    if not ok:
        raise ValidationFailed(_("The browser sent an unusable key."), fields={name: [_("Not valid.")]})


def _check_p256_point(value: str) -> None:
    """The browser's key must be a point on P-256: anything else could never be encrypted to."""
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(value.rstrip("=")))
    except ValueError as exc:
        raise ValidationFailed(_("The browser sent an unusable key."), fields={"p256dh": [_("Not valid.")]}) from exc


def device_label(user_agent: str) -> str:
    """A short name a person recognises in their list of devices, e.g. "Firefox on Android"."""
    ua = user_agent or ""
    browser = next(
        (
            name
            for token, name in (
                ("Edg/", "Edge"),
                ("OPR/", "Opera"),
                ("SamsungBrowser", "Samsung Internet"),
                ("Firefox/", "Firefox"),
                ("Chrome/", "Chrome"),
                ("Safari/", "Safari"),
            )
            if token in ua
        ),
        "",
    )
    system = next(
        (
            name
            for token, name in (
                ("Android", "Android"),
                ("iPhone", "iPhone"),
                ("iPad", "iPad"),
                ("Windows", "Windows"),
                ("Mac OS X", "macOS"),
                ("CrOS", "ChromeOS"),
                ("Linux", "Linux"),
            )
            if token in ua
        ),
        "",
    )
    if browser and system:
        return _("%(browser)s on %(system)s") % {"browser": browser, "system": system}
    return browser or system or _("Browser")


@transaction.atomic
def subscription_save(*, user: User, endpoint: str, p256dh: str, auth: str, user_agent: str = "") -> PushSubscription:
    """Stores a browser's subscription for `user`.

    The endpoint identifies the browser: if someone else had it (a shared computer), it becomes this person's,
    so the previous person's notifications stop appearing there.
    """
    endpoint = (endpoint or "").strip()
    _check_endpoint(endpoint)
    _check_key(p256dh or "", "p256dh", 65)
    _check_p256_point(p256dh)
    _check_key(auth or "", "auth", 16)
    user_agent = (user_agent or "")[:300]
    subscription, _created = PushSubscription.objects.update_or_create(
        endpoint=endpoint,
        defaults={
            "user": user,
            "p256dh": p256dh,
            "auth": auth,
            "user_agent": user_agent,
            "label": device_label(user_agent)[:100],
            "failures": 0,
        },
    )
    stale = list(
        PushSubscription.objects.filter(user=user).order_by("-created_at", "-pk").values_list("pk", flat=True)
    )[MAX_SUBSCRIPTIONS_PER_USER:]
    if stale:
        PushSubscription.objects.filter(pk__in=stale).delete()
    return subscription


@transaction.atomic
def subscription_delete(*, user: User, subscription_id: int | None = None, endpoint: str | None = None) -> None:
    """Removes one of `user`'s own devices, by id (the devices list) or endpoint (the browser itself)."""
    qs = PushSubscription.objects.filter(user=user)
    if subscription_id is not None:
        qs = qs.filter(pk=subscription_id)
    elif endpoint:
        qs = qs.filter(endpoint=endpoint)
    else:
        raise NotFound()
    deleted, _rows = qs.delete()
    if not deleted and subscription_id is not None:
        raise NotFound()


@transaction.atomic
def subscription_gone(*, subscription_id: int) -> None:
    """The push service says the browser unsubscribed (404/410): the row is useless from now on."""
    PushSubscription.objects.filter(pk=subscription_id).delete()


@transaction.atomic
def subscription_succeeded(*, subscription_id: int) -> None:
    PushSubscription.objects.filter(pk=subscription_id).update(last_success_at=clock.now(), failures=0)


@transaction.atomic
def subscription_failed(*, subscription_id: int) -> None:
    PushSubscription.objects.filter(pk=subscription_id).update(failures=F("failures") + 1)
