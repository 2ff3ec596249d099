"""``apply_mapping_result``: one event's mapped writes, in one transaction, in a fixed order:
entity updates (config order), entity prune scopes, meter readings, meter-reading prunes."""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from entities.services.batch import MIN_BATCH, batch_key, upsert_batch
from entities.services.context import WriteContext
from entities.services.errors import StoreError
from entities.services.meter_readings import apply_reading_prune, apply_reading_update
from entities.services.prune import apply_prune_scope
from entities.services.report import WriteReport
from entities.services.rows import identity_lock_key, lock_keys
from entities.services.sync_state import SyncStateBatch, record_sync_states
from entities.services.upsert import delete_entity, upsert_entity

UPSERT_MODES = ("upsert", "upsert-prune-scope-delete", "upsert-prune-scope-purge")


def apply_mapping_result(organization, result, *, integration_id: str, event_id: str | None,
                         held_locks: frozenset[int] = frozenset(), use_case_id: str | None = None,
                         sync_states: SyncStateBatch | None = None) -> WriteReport:
    """Write a ``MappingResult`` into the entity store. Atomic: a ``StoreError`` leaves nothing written.
    ``held_locks``: identity locks the surrounding transaction took already (``lock_mapping_identities``).
    The entity sync states (``sync_state.py``) are upserted in the same transaction: now, or with the
    caller's ``sync_states`` batch when it flushes (one statement for many events)."""
    ctx = WriteContext(organization=organization, integration_id=integration_id or "", event_id=event_id,
                       now=timezone.now(), locked=set(held_locks))
    with transaction.atomic():
        lock_update_identities(ctx, result.entity_updates)
        apply_entity_updates(ctx, result.entity_updates)
        for scope in result.prune_scopes:
            apply_prune_scope(ctx, scope)
        for index, reading in enumerate(result.meter_readings_updates):
            apply_reading_update(ctx, reading, index)
        for prune in result.meter_reading_prunes:
            apply_reading_prune(ctx, prune)
        if sync_states is None:
            record_sync_states(ctx, use_case_id)
    if sync_states is not None:
        sync_states.add(ctx, use_case_id)  # only once the write stood; the caller flushes in its transaction
    return ctx.report


def update_lock_keys(organization, updates: list) -> set[int]:
    return {identity_lock_key(organization, u.entity_slug, dict(u.unique_identifiers))
            for u in updates if u.entity_slug and u.unique_identifiers}


def lock_update_identities(ctx: WriteContext, updates: list) -> None:
    """The identity locks of every entity update of the event, in one statement before the first write (each
    write would otherwise take its own, one round trip each)."""
    lock_keys(ctx, update_lock_keys(ctx.organization, updates))


def lock_mapping_identities(organization, results: list) -> frozenset[int]:
    """Take, in the current transaction and in one statement, the identity locks of the entity updates of
    several mapping results (a batch of events about to be written one after another); pass the returned keys
    to ``apply_mapping_result(held_locks=...)``. They are held until the transaction ends, so a savepoint of
    one event rolled back releases none of them."""
    if organization is None or not results:
        return frozenset()
    ctx = WriteContext(organization=organization, integration_id="", event_id=None, now=timezone.now())
    lock_keys(ctx, {key for result in results for key in update_lock_keys(organization, result.entity_updates)})
    return frozenset(ctx.locked)


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
