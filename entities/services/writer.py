"""``apply_mapping_result``: one event's mapped writes, in one transaction, in a fixed order:
entity updates (config order), entity prune scopes, meter readings, meter-reading prunes."""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from .batch import MIN_BATCH, batch_key, upsert_batch
from .context import WriteContext
from .entity_writes import delete_entity, upsert_entity
from .errors import StoreError
from .meter_readings import apply_reading_prune, apply_reading_update
from .prune import apply_prune_scope
from .report import WriteReport

UPSERT_MODES = ("upsert", "upsert-prune-scope-delete", "upsert-prune-scope-purge")


def apply_mapping_result(organization, result, *, integration_id: str, event_id: str | None) -> WriteReport:
    """Write a ``MappingResult`` into the entity store. Atomic: a ``StoreError`` leaves nothing written."""
    ctx = WriteContext(organization=organization, integration_id=integration_id or "", event_id=event_id,
                       now=timezone.now())
    with transaction.atomic():
        apply_entity_updates(ctx, result.entity_updates)
        for scope in result.prune_scopes:
            apply_prune_scope(ctx, scope)
        for index, reading in enumerate(result.meter_readings_updates):
            apply_reading_update(ctx, reading, index)
        for prune in result.meter_reading_prunes:
            apply_reading_prune(ctx, prune)
    return ctx.report


def apply_entity_updates(ctx: WriteContext, updates: list) -> None:
    """In order; consecutive plain upserts of one schema and identifier shape go through the set-based path."""
    run: list = []
    run_key = None

    def flush():
        if len(run) >= MIN_BATCH:
            entities = upsert_batch(ctx, run)
        else:
            entities = [upsert_entity(ctx, u.entity_slug, dict(u.unique_identifiers), dict(u.attributes or {}),
                                      u.config_index)[0] for u in run]
        for update, entity in zip(run, entities, strict=True):
            ctx.upserted.setdefault(update.config_index, set()).add(entity.pk)
        run.clear()

    for update in updates:
        schema = update.entity_slug
        if not schema:
            raise StoreError("INVALID_ENTITY_UPDATE", "Entity update without entity_slug",
                             {"config_index": update.config_index})
        if update.mode in UPSERT_MODES:
            key = batch_key(update)
            if run and (key is None or key != run_key):
                flush()
            run.append(update)
            run_key = key
            if key is None:
                flush()
            continue
        if run:
            flush()
        if update.mode in ("delete", "purge"):
            delete_entity(ctx, schema, dict(update.unique_identifiers), update.config_index,
                          purge=update.mode == "purge")
        else:
            raise StoreError("INVALID_ENTITY_UPDATE", f"Unknown mode '{update.mode}'",
                             {"entity_schema": schema, "config_index": update.config_index})
    if run:
        flush()
