"""Daily digests: every due digest item of one person in one e-mail, grouped per child."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.translation import gettext

from krijt.notifications.emails import item_context, language_of, mail_headers
from krijt.notifications.models import Delivery


def group_by_recipient(rows: Sequence[Delivery]) -> dict[int, list[Delivery]]:
    groups: dict[int, list[Delivery]] = {}
    for row in rows:
        groups.setdefault(row.recipient_id, []).append(row)
    return groups


def digest_email(rows: Sequence[Delivery], *, now: dt.datetime) -> EmailMultiAlternatives:
    """One e-mail for one person's due digest rows (all loaded with notification, recipient and school).

    Items are grouped per child (a parent sees both children named) and, for several schools, per school;
    items about nobody in particular come first.
    """
    ordered = sorted(rows, key=lambda r: (r.notification.visible_at, r.pk))
    first = ordered[0]
    user, school = first.recipient, first.school
    language = language_of(user, school)
    with translation.override(language):
        sections: dict[tuple[str, str], list[dict[str, object]]] = {}
        for row in ordered:
            n = row.notification
            heading = n.about_student.full_name if n.about_student else ""
            school_name = row.school.name if len({r.school_id for r in ordered}) > 1 else ""
            sections.setdefault((school_name, heading), []).append(item_context(n, language))
        local_day = now.astimezone(ZoneInfo(school.time_zone)).date()
        day = formats.date_format(local_day, "l j F Y")
        context = {
            "recipient": user,
            "school": school,
            "day": day,
            "sections": [
                {"school": s, "heading": h, "items": items}
                for (s, h), items in sorted(sections.items(), key=lambda kv: (kv[0][0], kv[0][1] != "", kv[0][1]))
            ],
            "count": len(ordered),
            "language": language,
        }
        subject = gettext("Your overview of %(day)s") % {"day": day}
        text = render_to_string("notifications/email/digest.txt", context)
        html = render_to_string("notifications/email/digest.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers=mail_headers([r.idempotency_key for r in ordered], language),
    )
    message.attach_alternative(html, "text/html")
    return message
