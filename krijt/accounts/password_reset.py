from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.views import PasswordResetView
from django.http import HttpResponse
from django.urls import reverse_lazy

from krijt.core import ratelimit
from krijt.core.errors import RateLimited
from krijt.core.middleware import client_address


class KrijtPasswordResetForm(PasswordResetForm):
    def get_users(self, email: str) -> Any:
        from krijt.accounts.models import User

        return (u for u in User.objects.filter(email__iexact=email, is_active=True) if u.has_usable_password())


class RateLimitedPasswordResetView(PasswordResetView):
    """Django's reset flow (tokens tied to the password hash), limited per address to stop mail bombing."""

    form_class = KrijtPasswordResetForm
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: Any) -> HttpResponse:
        address = client_address(self.request)
        limit, window = getattr(settings, "KRIJT_RESET_LIMIT", (5, 15 * 60))
        wait = ratelimit.retry_after("reset-addr", address, limit, window)
        if wait:
            raise RateLimited(retry_after=wait)
        ratelimit.hit("reset-addr", address, window)
        return super().form_valid(form)
