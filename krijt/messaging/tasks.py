"""Background work for messages: the fan-out of one message to its recipients."""

from __future__ import annotations

from django_tasks import task

from krijt.messaging import services


@task()
def message_fanout_task(message_id: int, generation: int) -> None:
    services.message_fanout(message_id=message_id, generation=generation)


@task()
def messages_resume_task() -> None:
    """Housekeeping for any worker: queues fan-outs whose worker died again."""
    services.resume_stalled_fanouts()
