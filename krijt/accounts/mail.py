"""Account e-mails (password resets, notices about the account itself), written and sent by a worker.

They are not about a school's life, so they do not pass the notification engine's audiences, digests or
quiet hours: a person who asked for a reset wants it now, and a notice that their address changed must
reach the old address whatever its owner's settings. What they share with the engine is the way out: the
request only queues a task row, the worker looks people up and sends, and a failed send is queued again
later instead of being lost. Because the request never looks the address up, answering takes the same
time whether an account has that address or not.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task

from krijt.core import clock

logger = logging.getLogger(__name__)

ATTEMPTS = 5
RETRY_AFTER = dt.timedelta(minutes=5)

PASSWORD_RESET = "password_reset"  # noqa: S105 (a kind of e-mail, not a secret)
EMAIL_CHANGED = "email_changed"


def queue(kind: str, *, address: str, language: str, params: dict[str, Any]) -> None:
    """Queues one account e-mail (a row for the worker; nothing is looked up or sent here)."""
    account_mail_task.enqueue(kind=kind, address=address, language=language, params=params, attempt=1)


def _send_password_reset(address: str, params: dict[str, Any]) -> None:
    from krijt.accounts.password_reset import KrijtPasswordResetForm

    form = KrijtPasswordResetForm({"email": address})
    if not form.is_valid():
        return
    form.save(
        domain_override=params["base_url"],
        subject_template_name="accounts/email/password_reset_subject.txt",
        email_template_name="accounts/email/password_reset.txt",
        extra_email_context={"base_url": params.get("base_url", "")},
    )


def _send_email_changed(address: str, params: dict[str, Any]) -> None:
    subject = render_to_string("accounts/email/email_changed_subject.txt", params).strip()
    body = render_to_string("accounts/email/email_changed.txt", params)
    EmailMessage(" ".join(subject.split()), body, to=[address],
                 headers={"Auto-Submitted": "auto-generated"}).send()


SENDERS = {PASSWORD_RESET: _send_password_reset, EMAIL_CHANGED: _send_email_changed}


@task()
def account_mail_task(kind: str, address: str, language: str, params: dict[str, Any], attempt: int) -> None:
    sender = SENDERS[kind]
    try:
        with translation.override(language or settings.LANGUAGE_CODE):
            sender(address, params)
    except Exception:
        if attempt >= ATTEMPTS:
            logger.exception("account e-mail %s not sent after %d attempts", kind, attempt)
            return
        logger.warning("account e-mail %s not sent (attempt %d); queued again", kind, attempt, exc_info=True)
        account_mail_task.using(run_after=clock.now() + RETRY_AFTER).enqueue(
            kind=kind, address=address, language=language, params=params, attempt=attempt + 1)
