"""Entity sync states: per (entity, integration), when an inbound event last checked and last changed it.

Derived from the write report of one ``apply_mapping_result`` call and written in its transaction with one
set-based upsert (``INSERT ... ON CONFLICT DO UPDATE``, the same statement on PostgreSQL and SQLite), so a
batch of a thousand entities costs one statement, and a rolled-back write leaves no state behind.

* Entity group: ``last_synced_at`` advances on every outcome, no-ops included; ``last_changed_at`` only on
  create, patch or delete (the store reports an update that changes nothing as ``no_change``).
* Readings group (meters and counters): ``readings_last_*`` advance on every reading written or deleted;
  there is no readings changed-at (no-op readings are not told apart upstream either).
* A column the write did not touch is kept (``COALESCE(excluded.x, current.x)``), so either group can be
  written alone.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db import connections

from entities.models import EntitySyncState

from .context import WriteContext

ENTITY_OPERATIONS = {
    "created": "create", "updated": "patch", "no_change": "no-op",
    "deleted": "delete", "purged": "delete", "pruned_deleted": "delete", "pruned_purged": "delete",
}
READING_OPERATIONS = {"created": "upsert", "updated": "upsert", "no_change": "upsert", "deleted": "delete"}
COLUMNS = ("organization_id", "entity_id", "integration_id", "entity_slug", "use_case_id", "last_synced_at",
           "last_changed_at", "last_operation", "last_event_id", "readings_last_synced_at",
           "readings_last_operation", "readings_last_event_id")


@dataclass
class _State:
    entity_id: uuid.UUID
    entity_slug: str
    operation: str | None = None
    changed: bool = False
    readings_operation: str | None = None


def record_sync_states(ctx: WriteContext, use_case_id: str | None) -> int:
    """Upsert the sync states of everything ``ctx.report`` says this call wrote; returns the row count."""
    integration_id = _uuid(ctx.integration_id)
    if integration_id is None:
        return 0  # not an integration's write (e.g. a benchmark or a maintenance task)
    states: dict[uuid.UUID, _State] = {}
    for outcome in ctx.report.entity_outcomes:
        entity_id = _uuid(outcome.entity_id)
        operation = ENTITY_OPERATIONS.get(outcome.action)
        if entity_id is None or operation is None:
            continue
        state = states.setdefault(entity_id, _State(entity_id, outcome.entity_schema))
        if operation != "no-op" or state.operation is None:
            state.operation = operation  # the event's last change wins over a later no-op of the same entity
        state.changed = state.changed or operation != "no-op"
    for outcome in ctx.report.meter_reading_outcomes:
        operation = READING_OPERATIONS.get(outcome.action)
        for raw_id, slug in ((outcome.meter_id, "meter"), (outcome.counter_id, "meter_counter")):
            entity_id = _uuid(raw_id)
            if entity_id is not None and operation is not None:
                states.setdefault(entity_id, _State(entity_id, slug)).readings_operation = operation
    if not states:
        return 0
    _upsert(ctx, integration_id, use_case_id, list(states.values()))
    return len(states)


def _upsert(ctx: WriteContext, integration_id: uuid.UUID, use_case_id: str | None, states: list[_State]) -> None:
    connection = connections[EntitySyncState.objects.db]
    meta = EntitySyncState._meta
    fields = {name: meta.get_field(name.removesuffix("_id") if name == "organization_id" else name)
              for name in COLUMNS}
    event_id = ctx.event_id or None
    rows = []
    for state in states:
        entity = state.operation is not None
        readings = state.readings_operation is not None
        values = {
            "organization_id": ctx.organization.pk,
            "entity_id": state.entity_id,
            "integration_id": integration_id,
            "entity_slug": state.entity_slug,
            "use_case_id": use_case_id or None,
            "last_synced_at": ctx.now if entity else None,
            "last_changed_at": ctx.now if entity and state.changed else None,
            "last_operation": state.operation,
            "last_event_id": event_id if entity else None,
            "readings_last_synced_at": ctx.now if readings else None,
            "readings_last_operation": state.readings_operation,
            "readings_last_event_id": event_id if readings else None,
        }
        rows.append([fields[name].get_db_prep_value(values[name], connection, prepared=False)
                     for name in COLUMNS])
    table = connection.ops.quote_name(meta.db_table)
    quoted = [connection.ops.quote_name(name) for name in COLUMNS]
    placeholders = ", ".join(["(" + ", ".join(["%s"] * len(COLUMNS)) + ")"] * len(rows))
    kept = ", ".join(f"{q} = COALESCE(excluded.{q}, {table}.{q})" for q in quoted[4:])
    sql = (f"INSERT INTO {table} ({', '.join(quoted)}) VALUES {placeholders} "
           f"ON CONFLICT ({quoted[0]}, {quoted[1]}, {quoted[2]}) DO UPDATE SET "
           f"{quoted[3]} = excluded.{quoted[3]}, {kept}")
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for row in rows for value in row])


def _uuid(value) -> uuid.UUID | None:
    if not value:
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None
