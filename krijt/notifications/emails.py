"""Building the e-mails: one per item, in the recipient's language, with a Message-ID from the delivery's key."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from krijt.accounts.models import User
from krijt.notifications import kinds
from krijt.notifications.models import Delivery, Notification
from krijt.schools.models import School


def message_domain() -> str:
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2]
    return domain or "krijt.invalid"


def message_id(keys: Iterable[str]) -> str:
    """A Message-ID that is the same every time the same delivery (or digest of deliveries) is sent again,
    so a retried e-mail is recognisable as the same message."""
    digest = hashlib.sha256("\n".join(sorted(keys)).encode()).hexdigest()[:40]
    return f"<{digest}.krijt@{message_domain()}>"


def language_of(user: User, school: School) -> str:
    return user.language or school.language or settings.LANGUAGE_CODE


def absolute_url(school: School, url: str) -> str:
    """A link from an e-mail: the school's address plus the path inside the school."""
    if not url:
        url = "/"
    if url.startswith(("http://", "https://")):
        return url
    prefix = f"/s/{school.slug}"
    path = url if url.startswith(prefix + "/") else prefix + (url if url.startswith("/") else "/" + url)
    # The address people open links at: production sets KRIJT_SITE_URL to its public https address, the
    # demo to the port it serves on.
    return str(settings.KRIJT_SITE_URL).rstrip("/") + path


def item_context(notification: Notification, language: str) -> dict[str, Any]:
    rendered = kinds.render(notification.kind, notification.params, language)
    return {
        "title": rendered.title,
        "text": rendered.text,
        "link": absolute_url(notification.school, notification.url),
        "about_student": notification.about_student.full_name if notification.about_student else "",
        "urgent": notification.urgent,
    }


def mail_headers(keys: list[str], language: str) -> dict[str, str]:
    return {
        "Message-ID": message_id(keys),
        "Content-Language": language,
        "Auto-Submitted": "auto-generated",
        "X-Auto-Response-Suppress": "All",
    }


def one_line(text: str) -> str:
    return " ".join(text.split())[:200]


def item_email(row: Delivery) -> EmailMultiAlternatives:
    """The e-mail of one delivery (row.notification, row.recipient and row.school loaded)."""
    school, user = row.school, row.recipient
    language = language_of(user, school)
    with translation.override(language):
        context = {**item_context(row.notification, language), "school": school, "recipient": user}
        context["language"] = language
        text = render_to_string("notifications/email/item.txt", context)
        html = render_to_string("notifications/email/item.html", context)
    message = EmailMultiAlternatives(
        subject=one_line(context["title"]),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers=mail_headers([row.idempotency_key], language),
    )
    message.attach_alternative(html, "text/html")
    return message
