"""Configuration warnings for ``MappingSimulationResponse.warnings``: unique ids that cannot be searched.

Without a schema registry the engine cannot know which attributes are indexed, so it warns about what
it can see in the configuration: unique ids no field maps, ids mapped only conditionally, and ids
mapped to values that are not searchable (relations, relation refs, file URLs).
"""
from __future__ import annotations

from typing import Any

from integrations.mapping.results import MappingWarning

_UNSEARCHABLE = {"relations": "a relation", "relation_refs": "a relation reference",
                 "file_proxy_url": "a file proxy URL"}


def configuration_warnings(entities: list[Any]) -> list[MappingWarning]:
    warnings: list[MappingWarning] = []
    for index, entity in enumerate(entities):
        if not isinstance(entity, dict):
            continue
        schema = entity.get("entity_schema")
        unique_ids = entity.get("unique_ids")
        fields = entity.get("fields")
        if not isinstance(schema, str) or not isinstance(unique_ids, list) or not isinstance(fields, list):
            continue
        path = f"entities[{index}]"
        mapped = [f for f in fields if isinstance(f, dict) and f.get("attribute") in unique_ids]
        for name in unique_ids:
            specs = [f for f in mapped if f.get("attribute") == name]
            if not specs:
                warnings.append(MappingWarning(schema, name, f"{path}: unique id '{name}' is not mapped by any "
                                               "field, so every event fails with MISSING_UNIQUE_IDENTIFIERS"))
                continue
            kinds = [kind for kind in _UNSEARCHABLE if any(kind in f for f in specs)]
            if kinds:
                warnings.append(MappingWarning(schema, name, f"{path}: unique id '{name}' is mapped as "
                                               f"{_UNSEARCHABLE[kinds[0]]}, which is not a searchable value"))
            if all(f.get("enabled", True) is not True for f in specs):
                warnings.append(MappingWarning(schema, name, f"{path}: unique id '{name}' is only mapped by "
                                               "conditional fields; events where they are disabled fail with "
                                               "MISSING_UNIQUE_IDENTIFIERS"))
        if "_id" in unique_ids and len(unique_ids) > 1:
            warnings.append(MappingWarning(schema, "_id", f"{path}: '_id' combined with other unique ids is "
                                           "searched as an AND query, not a direct lookup by entity id"))
    return warnings
