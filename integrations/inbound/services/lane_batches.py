"""Micro-batching inside a lane: consecutive events whose writes are plain upserts are written set-based.

A claimed batch of a lane is split, in order, into *segments* of events that can share one set-based write
(per entity schema: one identity-lock statement, one lookup, one INSERT of the new rows, one UPDATE of the
changed ones) and single events that cannot (relations, deletes, prunes, meter readings, ``_id`` lookups),
which go through the one-event path as before.

The result must equal applying the events one by one. A segment therefore only holds events whose entity
updates are independent of each other: plain upserts (no relation values; attributes at most restate the
entity's own identity), one identifier shape per schema, and no identity twice (the second event touching an
entity starts a new segment, so it sees what the first wrote). Whatever the set-based write cannot decide
alone (one stored entity answering two identities, several entities answering one) rolls the segment back
and its events are applied one by one, each in its savepoint, exactly as without batching: a failing event
fails alone.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from entities.services import WriteReport
from entities.services.apply import UPSERT_MODES
from entities.services.batch import NotBatchable, _scalar_key, batch_key, upsert_batch
from entities.services.context import WriteContext
from entities.services.errors import StoreError

MAX_SEGMENT_EVENTS = 100  # bounds the size of one lookup's OR (SQLite's expression depth) and a rollback


@dataclass
class Segment:
    """Events written together; ``updates[i]`` are (step index, update) of ``members[i]``."""

    members: list = field(default_factory=list)  # PreparedEvent
    updates: list = field(default_factory=list)
    identities: set = field(default_factory=set)
    shapes: dict = field(default_factory=dict)  # schema -> identifier keys

    def accepts(self, updates: list) -> bool:
        if len(self.members) >= MAX_SEGMENT_EVENTS:
            return False
        for _, update in updates:
            shape = self.shapes.get(update.entity_slug)
            if shape is not None and shape != _shape(update):
                return False
            if _identity(update) in self.identities:
                return False
        return True

    def add(self, prepared, updates: list) -> None:
        self.members.append(prepared)
        self.updates.append(updates)
        for _, update in updates:
            self.shapes[update.entity_slug] = _shape(update)
            self.identities.add(_identity(update))


def _shape(update) -> tuple:
    return tuple(sorted(update.unique_identifiers))


def _identity(update) -> tuple:
    return (update.entity_slug, tuple(sorted((k, _scalar_key(v)) for k, v in update.unique_identifiers.items())))


def batchable_updates(prepared) -> list | None:
    """The (step index, update) pairs of an event that a segment can write, or None if the event needs the
    one-event path. Failed and skipped steps write nothing and do not prevent batching."""
    updates: list = []
    seen: set = set()
    for step_index, step in enumerate(prepared.steps):
        if step.skipped or step.failure is not None or step.result is None:
            continue
        result = step.result
        if result.prune_scopes or result.meter_readings_updates or result.meter_reading_prunes:
            return None
        for update in result.entity_updates:
            if update.mode not in UPSERT_MODES or not update.entity_slug or batch_key(update) is None:
                return None
            identity = _identity(update)
            if identity in seen:  # the event writes one entity twice: order inside the event matters
                return None
            seen.add(identity)
            updates.append((step_index, update))
    return updates


def plan(prepared_events: list) -> list:
    """In order: :class:`Segment` objects and single PreparedEvents (one-event path)."""
    parts: list = []
    current: Segment | None = None
    for prepared in prepared_events:
        updates = batchable_updates(prepared)
        if updates is None:
            current = None
            parts.append(prepared)
            continue
        if current is None or not current.accepts(updates):
            current = Segment()
            parts.append(current)
        current.add(prepared, updates)
    return parts


class SegmentNotApplied(Exception):
    """The segment was rolled back; apply its events one by one."""


def write_segment(segment: Segment, *, organization, integration_id: str,
                  held_locks: frozenset[int]) -> list[dict[int, WriteReport]]:
    """Write the segment set-based in one savepoint; per member, a report per step that wrote. Raises
    :class:`SegmentNotApplied` (nothing written) when the set-based write cannot match one-by-one."""
    ctx = WriteContext(organization=organization, integration_id=integration_id, event_id=None,
                       now=timezone.now(), locked=set(held_locks))
    runs: dict[tuple, list] = {}  # (schema, shape) -> [(member, step, position, update)], first-seen order
    positions: list[dict[int, int]] = []
    for member, updates in enumerate(segment.updates):
        counts: dict[int, int] = {}
        for step_index, update in updates:
            position = counts.get(step_index, 0)
            counts[step_index] = position + 1
            runs.setdefault((update.entity_slug, _shape(update)), []).append((member, step_index, position, update))
        positions.append(counts)
    reports: list[dict[int, WriteReport]] = [
        {step: WriteReport(entity_outcomes=[None] * count) for step, count in counts.items()} for counts in positions
    ]
    try:
        with transaction.atomic():
            for run in runs.values():
                start = len(ctx.report.entity_outcomes)
                upsert_batch(ctx, [item[3] for item in run], strict=True,
                             event_ids=[str(segment.members[item[0]].event.id) for item in run])
                for (member, step, position, _), outcome in zip(
                        run, ctx.report.entity_outcomes[start:], strict=True):
                    reports[member][step].entity_outcomes[position] = outcome
    except (NotBatchable, StoreError) as exc:
        raise SegmentNotApplied(str(exc)) from exc
    return reports
