"""``simulateMapping`` configurations: the v1.0 objects format and the legacy v2.0 events wrapper
(docs/configuration-validation.md, docs/mapping.md).

v1.0: ``{version?: "1.0", mapping: {objects: {<object_type>: {unique_ids, fields[]}}}}`` where unique_ids
maps an entity slug to local keys (each mapped by a field of that entity) or to ``{remote: local}``.
v2.0 wrapper: ``{version: "2.0", mapping: {events: {<event name>: <inbound configuration>}}}``.
"""
from __future__ import annotations

from typing import Any

from integrations.configuration.checks import MISSING, Checker
from integrations.configuration.inbound import validate_inbound
from integrations.configuration.issues import index_path, key_path

VERSIONS = ("1.0", "2.0")


def validate_legacy_mapping(config: Any, check: Checker, path: str) -> None:
    if not check.object(config, path):
        return
    version = config.get("version", "1.0")
    if "version" in config and not check.enum(version, key_path(path, "version"), VERSIONS):
        return
    mapping = check.required(config, "mapping", path)
    mapping_path = key_path(path, "mapping")
    if mapping is MISSING or not check.object(mapping, mapping_path):
        return
    if version == "2.0":
        events = check.required(mapping, "events", mapping_path)
        events_path = key_path(mapping_path, "events")
        if events is not MISSING and check.object(events, events_path):
            for name, event_config in events.items():
                validate_inbound(event_config, check, key_path(events_path, name))
        return
    if "objects" not in mapping and "events" in mapping:
        check.add(key_path(path, "version"), "must be '2.0' for the events format (mapping.events)")
        return
    objects = check.required(mapping, "objects", mapping_path)
    objects_path = key_path(mapping_path, "objects")
    if objects is not MISSING and check.object(objects, objects_path):
        for name, object_config in objects.items():
            _object(object_config, check, key_path(objects_path, name))


def _object(config: Any, check: Checker, path: str) -> None:
    """``IntegrationObjectV1``."""
    if not check.object(config, path):
        return
    fields = check.required(config, "fields", path)
    fields_path = key_path(path, "fields")
    mapped: dict[str, set[str]] = {}
    if fields is not MISSING and check.array(fields, fields_path):
        for _, field, field_path in check.each(fields, fields_path):
            _field(field, check, field_path)
            if isinstance(field, dict) and isinstance(field.get("entity"), str) \
                    and isinstance(field.get("attribute"), str):
                mapped.setdefault(field["entity"], set()).add(field["attribute"])
    else:
        fields = None

    unique_ids = check.required(config, "unique_ids", path)
    ids_path = key_path(path, "unique_ids")
    if unique_ids is MISSING or not check.object(unique_ids, ids_path):
        return
    for slug, ids in unique_ids.items():
        slug_path = key_path(ids_path, slug)
        if isinstance(ids, list):
            for index, local in enumerate(ids):
                local_path = index_path(slug_path, index)
                if check.string(local, local_path) and fields is not None \
                        and local not in mapped.get(slug, set()):
                    check.add(local_path, f"{local!r} is not mapped by any field of entity {slug!r} "
                                          f"(array-form unique ids must be attributes in fields)")
        elif isinstance(ids, dict):
            for remote, local in ids.items():
                if not str(remote).strip():
                    check.add(slug_path, "remote payload keys must not be empty")
                check.string(local, key_path(slug_path, remote))
        else:
            check.add(slug_path, "must be an array of local attribute names or an object mapping "
                                 "remote payload keys to local attributes")


def _field(field: Any, check: Checker, path: str) -> None:
    """``IntegrationFieldV1``: ``field`` and ``jsonataExpression`` are mutually exclusive."""
    if not check.object(field, path):
        return
    for key in ("entity", "attribute"):
        value = check.required(field, key, path)
        if value is not MISSING:
            check.string(value, key_path(path, key))
    has_field, has_expression = "field" in field, "jsonataExpression" in field
    if has_field:
        check.source_field(field["field"], key_path(path, "field"))
    if has_expression:
        check.jsonata(field["jsonataExpression"], key_path(path, "jsonataExpression"))
    if has_field and has_expression:
        check.add(path, "field and jsonataExpression are mutually exclusive; set only one")
    elif not has_field and not has_expression:
        check.add(path, "needs a value: set field or jsonataExpression")
