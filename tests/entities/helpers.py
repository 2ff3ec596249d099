"""Builders for MappingResult inputs and a shortcut to apply them."""
from types import SimpleNamespace

from django.db import transaction

from entities.models import Entity
from entities.services import SyncStateBatch, WriteReport, apply_mapping_result
from integrations.inbound.services import lane_batches
from integrations.mapping.results import EntityUpdate, MappingResult

# "one_by_one" or "set_based": tests/entities/conftest.py runs every store test through both write paths.
WRITE_PATH = {"mode": "one_by_one"}


def apply(org, *updates, event_id="evt-1", integration_id="int-1", **result_fields):
    result = MappingResult(entity_updates=list(updates), **result_fields)
    if WRITE_PATH["mode"] == "set_based":
        report = apply_set_based(org, result, integration_id=integration_id, event_id=event_id)
        if report is not None:
            return report
    return apply_mapping_result(org, result, integration_id=integration_id, event_id=event_id)


def apply_set_based(org, result, *, integration_id, event_id):
    """The inbound pipeline's set-based path (a one-event segment); None where production would take the
    one-event path (not batchable, or rolled back)."""
    event = SimpleNamespace(id=event_id)
    prepared = SimpleNamespace(event=event, steps=[SimpleNamespace(result=result, failure=None, skipped=False)])
    parts = lane_batches.plan([prepared])
    if not isinstance(parts[0], lane_batches.Segment):
        return None
    try:
        with transaction.atomic():
            written = lane_batches.write_segment(parts[0], organization=org, integration_id=integration_id,
                                                 held_locks=frozenset())
    except lane_batches.SegmentNotApplied:
        return None
    report = written[0].get(0) or WriteReport()
    sync_states = SyncStateBatch()  # as processing records a segment's sync states, with the batch
    sync_states.add_report(report, organization=org, integration_id=integration_id, event_id=event_id,
                           use_case_id=None)
    sync_states.flush()
    return report


def contact(ids, attributes=None, mode="upsert", config_index=0, schema="contact"):
    attrs = dict(ids) if attributes is None else attributes
    return EntityUpdate(entity_slug=schema, unique_identifiers=ids, attributes=attrs, mode=mode,
                        config_index=config_index)


def actions(report):
    return [(o.entity_schema, o.action) for o in report.entity_outcomes]


def live(org, schema="contact"):
    return Entity.objects.filter(organization=org, schema=schema, deleted_at__isnull=True)
