"""Stored files leave with their rows (also when a task, and so its submissions, is deleted)."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from krijt.handin.models import SubmissionFile

logger = logging.getLogger(__name__)


@receiver(post_delete, sender=SubmissionFile, dispatch_uid="handin_file_cleanup")
def delete_stored_file(sender: Any, instance: SubmissionFile, **kwargs: Any) -> None:
    name = instance.file.name
    storage = instance.file.storage
    if not name:
        return

    def remove() -> None:
        try:
            storage.delete(name)
        except OSError:
            logger.warning("could not delete stored hand-in file %s", name, exc_info=True)

    # Only once the deletion is committed: a rolled-back delete keeps its file.
    transaction.on_commit(remove)
