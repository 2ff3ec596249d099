"""Entity sync states: per (entity, integration), when an inbound event last checked and last changed it.

Derived from the write reports of ``apply_mapping_result`` and written in the same transaction with one
set-based upsert (``INSERT ... ON CONFLICT DO UPDATE``, the same statement on PostgreSQL and SQLite): per
write call, or, when the caller passes a ``SyncStateBatch`` (processing does, per batch of events), once
for the whole batch. A write that fails adds nothing (its report is only folded in once it succeeded).

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
from datetime import datetime

from django.db import connections
from django.utils import timezone

from entities.models import EntitySyncState
from entities.services.context import WriteContext

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
    organization_id: str
    entity_id: uuid.UUID
    integration_id: uuid.UUID
    entity_slug: str
    use_case_id: str | None = None
    synced_at: datetime | None = None
    changed_at: datetime | None = None
    operation: str | None = None
    event_id: str | None = None
    readings_synced_at: datetime | None = None
    readings_operation: str | None = None
    readings_event_id: str | None = None


class SyncStateBatch:
    """Sync states collected from several successful writes, upserted together by ``flush``."""

    def __init__(self):
        self.states: dict[tuple, _State] = {}

    def add_report(self, report, *, organization, integration_id: str, event_id: str | None,
                   use_case_id: str | None) -> None:
        """Like :meth:`add`, for writes done outside a ``WriteContext`` of this event (the set-based path of a
        lane's segment reports each event's outcomes separately)."""
        ctx = WriteContext(organization=organization, integration_id=integration_id, event_id=event_id,
                           now=timezone.now(), report=report)
        self.add(ctx, use_case_id)

    def add(self, ctx: WriteContext, use_case_id: str | None) -> None:
        integration_id = _uuid(ctx.integration_id)
        if integration_id is None:
            return  # not an integration's write (e.g. a benchmark or a maintenance task)
        event_id = ctx.event_id or None
        touched: set[tuple] = set()
        for outcome in ctx.report.entity_outcomes:
            operation = ENTITY_OPERATIONS.get(outcome.action)
            state = self._state(ctx, outcome.entity_id, integration_id, outcome.entity_schema, use_case_id)
            if state is None or operation is None:
                continue
            key = (state.entity_id, integration_id)
            if operation != "no-op" or key not in touched:  # a change wins over a later no-op of this write
                state.operation = operation
            touched.add(key)
            state.synced_at, state.event_id = ctx.now, event_id
            if operation != "no-op":
                state.changed_at = ctx.now
        for outcome in ctx.report.meter_reading_outcomes:
            operation = READING_OPERATIONS.get(outcome.action)
            for raw_id, slug in ((outcome.meter_id, "meter"), (outcome.counter_id, "meter_counter")):
                state = self._state(ctx, raw_id, integration_id, slug, use_case_id)
                if state is not None and operation is not None:
                    state.readings_synced_at, state.readings_operation = ctx.now, operation
                    state.readings_event_id = event_id

    def _state(self, ctx, raw_id, integration_id, slug, use_case_id) -> _State | None:
        entity_id = _uuid(raw_id)
        if entity_id is None:
            return None
        state = self.states.get((entity_id, integration_id))
        if state is None:
            state = self.states[(entity_id, integration_id)] = _State(ctx.organization.pk, entity_id,
                                                                      integration_id, slug)
        state.use_case_id = use_case_id or state.use_case_id
        return state

    def flush(self) -> int:
        """One upsert of everything collected; returns the number of rows written."""
        states, self.states = list(self.states.values()), {}
        if states:
            _upsert(states)
        return len(states)


def record_sync_states(ctx: WriteContext, use_case_id: str | None, batch: SyncStateBatch | None = None) -> None:
    """Fold this write into ``batch``, or upsert its states now when there is no batch."""
    if batch is not None:
        batch.add(ctx, use_case_id)
        return
    own = SyncStateBatch()
    own.add(ctx, use_case_id)
    own.flush()


def _upsert(states: list[_State]) -> None:
    connection = connections[EntitySyncState.objects.db]
    meta = EntitySyncState._meta
    fields = [meta.get_field("organization" if name == "organization_id" else name) for name in COLUMNS]
    params = []
    for s in states:
        values = (s.organization_id, s.entity_id, s.integration_id, s.entity_slug, s.use_case_id, s.synced_at,
                  s.changed_at, s.operation, s.event_id, s.readings_synced_at, s.readings_operation,
                  s.readings_event_id)
        params.extend(field.get_db_prep_value(value, connection, prepared=False)
                      for field, value in zip(fields, values, strict=True))
    table = connection.ops.quote_name(meta.db_table)
    quoted = [connection.ops.quote_name(name) for name in COLUMNS]
    row = "(" + ", ".join(["%s"] * len(COLUMNS)) + ")"
    kept = ", ".join(f"{q} = COALESCE(excluded.{q}, {table}.{q})" for q in quoted[4:])
    sql = (f"INSERT INTO {table} ({', '.join(quoted)}) VALUES {', '.join([row] * len(states))} "
           f"ON CONFLICT ({quoted[0]}, {quoted[1]}, {quoted[2]}) DO UPDATE SET "
           f"{quoted[3]} = excluded.{quoted[3]}, {kept}")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _uuid(value) -> uuid.UUID | None:
    if not value:
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None
