from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def vapid_keys_configured(app_configs: Any, **kwargs: Any) -> list[Warning]:
    if getattr(settings, "KRIJT_VAPID_PRIVATE_KEY", "") or getattr(settings, "KRIJT_VAPID_KEY_FILE", None):
        return []
    return [
        Warning(
            "No VAPID keys configured: every process makes its own pair and browsers' push subscriptions break.",
            hint="Run `manage.py vapid_keys` once and set KRIJT_VAPID_PRIVATE_KEY and KRIJT_VAPID_PUBLIC_KEY.",
            id="webpush.W001",
        )
    ]
