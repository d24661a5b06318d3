"""What create/update twins in services share: setting fields only when they change, and a unique
constraint lost to a concurrent write answered as a Conflict on its field, never as a server error."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, models, transaction

from krijt.core.errors import Conflict


def model_update(
    instance: models.Model, data: Mapping[str, Any], *, save: bool = True, unique: tuple[str, str] | None = None
) -> list[str]:
    """Sets each field of `data` whose value differs and, with `save`, saves only those (and `updated_at`
    when the model has one). Returns the names of the changed fields: nothing is written when none did.

    `unique=(field, message)`: a unique constraint violated on saving becomes a Conflict on that field.
    """
    changed = [name for name, value in data.items() if _current(instance, name) != _comparable(instance, name, value)]
    for name in changed:
        setattr(instance, name, data[name])
    if save and changed:
        fields = [*changed, *(["updated_at"] if any(f.name == "updated_at" for f in instance._meta.fields) else [])]
        save_unique(instance, unique=unique, update_fields=fields)
    return changed


def _is_relation(instance: models.Model, name: str) -> bool:
    field = instance._meta.get_field(name)
    return bool(field.many_to_one or field.one_to_one)


def _current(instance: models.Model, name: str) -> Any:
    """A relation compares by its id, so no related row is read to find out whether it changed."""
    if _is_relation(instance, name):
        return getattr(instance, instance._meta.get_field(name).attname)  # type: ignore[union-attr]
    return getattr(instance, name)


def _comparable(instance: models.Model, name: str, value: Any) -> Any:
    if _is_relation(instance, name):
        return None if value is None else value.pk
    return value


def save_unique(instance: models.Model, *, unique: tuple[str, str] | None, **save: Any) -> None:
    """Saves; with `unique=(field, message)`, a unique-constraint race becomes a Conflict on `field`."""
    if unique is None:
        instance.save(**save)
        return
    field, message = unique
    try:
        with transaction.atomic():
            instance.save(**save)
    except IntegrityError as exc:
        raise Conflict(message, fields={field: [message]}) from exc
