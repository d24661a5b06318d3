"""Password reset: Django's tokens (tied to the password hash), with the lookup and the e-mail in a worker.

The request only checks its limits and queues a row (accounts.mail), so it answers in the same time
whether the address belongs to an account or not. Limits: per client address and per recipient
address, so nobody can flood one mailbox from many addresses.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.views import PasswordResetView
from django.core.mail import EmailMessage
from django.http import HttpResponse, HttpResponseRedirect
from django.template import loader
from django.urls import get_script_prefix, reverse_lazy
from django.utils.translation import get_language

from krijt.core import ratelimit
from krijt.core.errors import RateLimited
from krijt.core.middleware import client_address


class KrijtPasswordResetForm(PasswordResetForm):
    def get_users(self, email: str) -> Any:
        from krijt.accounts.models import User

        return (u for u in User.objects.filter(email__iexact=email, is_active=True) if u.has_usable_password())

    def send_mail(self, subject_template_name: str, email_template_name: str, context: dict[str, Any],
                  from_email: str | None, to_email: str, html_email_template_name: str | None = None) -> None:
        """Like Django's, but a failure to send is raised, so the worker queues the e-mail again."""
        subject = " ".join(loader.render_to_string(subject_template_name, context).split())
        body = loader.render_to_string(email_template_name, context)
        EmailMessage(subject, body, from_email, [to_email], headers={"Auto-Submitted": "auto-generated"}).send()


def _limited(name: str, ident: str, limit: tuple[int, int]) -> None:
    wait = ratelimit.retry_after(name, ident, *limit)
    if wait:
        raise RateLimited(retry_after=wait)


class RateLimitedPasswordResetView(PasswordResetView):
    form_class = KrijtPasswordResetForm
    template_name = "accounts/password_reset_form.html"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: Any) -> HttpResponse:
        from krijt.accounts import mail

        address = client_address(self.request)
        recipient = form.cleaned_data["email"].strip().lower()
        by_client, by_recipient = settings.KRIJT_RESET_LIMIT, settings.KRIJT_RESET_RECIPIENT_LIMIT
        _limited("reset-addr", address, by_client)
        _limited("reset-to", recipient, by_recipient)
        ratelimit.hit("reset-addr", address, by_client[1])
        ratelimit.hit("reset-to", recipient, by_recipient[1])
        # The link goes to the platform's configured public address (never one taken from the request's Host
        # header), under the school's prefix when asked there.
        base_url = settings.KRIJT_SITE_URL.rstrip("/") + get_script_prefix().rstrip("/")
        mail.queue(mail.PASSWORD_RESET, address=recipient, language=get_language() or "",
                   params={"base_url": base_url})
        return HttpResponseRedirect(self.get_success_url())
