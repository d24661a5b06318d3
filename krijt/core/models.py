from __future__ import annotations

from typing import Any

from django.db import models


class SchoolScopedQuerySet(models.QuerySet):
    def for_school(self, school: Any) -> SchoolScopedQuerySet:
        return self.filter(school=school)


class SchoolScoped(models.Model):
    """Every school-owned row carries its school: the tenant key, first in every composite index.

    Keeping school_id on every row keeps the door open to distributing tables by school later.
    """

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+", db_index=True)

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        abstract = True


class TimeStamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
