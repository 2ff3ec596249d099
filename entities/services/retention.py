"""The recycle bin: soft-deleted entities can be restored for ``RETENTION_DAYS``, then they are purged."""
from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from entities.models import Entity
from entities.services.lookup import parse_entity_id
from erpintegration.exceptions import NotFound

RETENTION_DAYS = 30


def restore_entity(organization, entity_id) -> Entity:
    """Take an entity out of the recycle bin (404 if unknown, not deleted, or past retention)."""
    pk = parse_entity_id(entity_id)
    cutoff = timezone.now() - timedelta(days=RETENTION_DAYS)
    with transaction.atomic():
        entity = (
            Entity.objects.select_for_update()
            .filter(organization=organization, pk=pk, deleted_at__isnull=False, deleted_at__gte=cutoff)
            .first()
            if pk
            else None
        )
        if entity is None:
            raise NotFound(f"No deleted entity {entity_id} to restore", code="ENTITY_NOT_FOUND")
        entity.deleted_at = None
        entity.updated_at = timezone.now()
        entity.save(update_fields=["deleted_at", "updated_at"])
    return entity


def purge_expired_deleted_entities(*, now=None, retention_days: int = RETENTION_DAYS, batch_size: int = 1000) -> int:
    """Hard-delete entities soft-deleted longer than ``retention_days`` ago; returns how many."""
    cutoff = (now or timezone.now()) - timedelta(days=retention_days)
    total = 0
    while True:
        ids = list(Entity.objects.filter(deleted_at__lt=cutoff).values_list("pk", flat=True)[:batch_size])
        if not ids:
            return total
        with transaction.atomic():
            Entity.objects.filter(pk__in=ids).delete()
        total += len(ids)
