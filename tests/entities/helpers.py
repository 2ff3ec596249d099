"""Builders for MappingResult inputs and a shortcut to apply them."""
from entities.models import Entity
from entities.services import apply_mapping_result
from integrations.mapping.results import EntityUpdate, MappingResult


def apply(org, *updates, event_id="evt-1", integration_id="int-1", **result_fields):
    result = MappingResult(entity_updates=list(updates), **result_fields)
    return apply_mapping_result(org, result, integration_id=integration_id, event_id=event_id)


def contact(ids, attributes=None, mode="upsert", config_index=0, schema="contact"):
    attrs = dict(ids) if attributes is None else attributes
    return EntityUpdate(entity_slug=schema, unique_identifiers=ids, attributes=attrs, mode=mode,
                        config_index=config_index)


def actions(report):
    return [(o.entity_schema, o.action) for o in report.entity_outcomes]


def live(org, schema="contact"):
    return Entity.objects.filter(organization=org, schema=schema, deleted_at__isnull=True)
