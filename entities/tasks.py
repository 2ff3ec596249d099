"""Periodic upkeep of the entity store (schedule ``entities.purge_deleted_entities`` daily with Celery beat,
or run ``manage.py purge_deleted_entities`` from cron)."""
from celery import shared_task

from entities.services import purge_expired_deleted_entities


@shared_task(name="entities.purge_deleted_entities")
def purge_deleted_entities() -> int:
    return purge_expired_deleted_entities()
