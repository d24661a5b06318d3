from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from krijt.webpush.vapid import generate_pair


class Command(BaseCommand):
    help = "Makes a new VAPID key pair for web push and prints it as environment lines."

    def handle(self, *args: Any, **options: Any) -> None:
        private, public = generate_pair()
        self.stdout.write(f"KRIJT_VAPID_PRIVATE_KEY={private}")
        self.stdout.write(f"KRIJT_VAPID_PUBLIC_KEY={public}")
        self.stderr.write(
            "Keep the private key secret and the same on every node; changing it ends every browser's subscription."
        )
