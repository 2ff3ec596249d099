"""Inbound use-case configuration: ``{entities[], meter_readings[]}`` (docs/configuration-validation.md,
docs/mapping.md).

Checks the contract's schemas plus the rules the engine relies on: every entity unique id is mapped by a
field, each field has a value source, prune modes carry a resolvable scope, meter readings identify
their meter and map the attributes every reading needs. Every embedded JSONata expression must compile.
"""
from __future__ import annotations

from typing import Any

from integrations.configuration.checks import MISSING, Checker
from integrations.configuration.issues import key_path
from integrations.configuration.references import validate_env_var_ref, validate_portal_ref

ENTITY_MODES = ("upsert", "delete", "purge", "upsert-prune-scope-purge", "upsert-prune-scope-delete")
PRUNE_MODES = ("upsert-prune-scope-purge", "upsert-prune-scope-delete")
METER_READING_MODES = ("upsert", "delete", "upsert-prune-scope")
READING_MATCHING = ("external_id", "strict-date")
REPEATABLE_TYPES = ("email", "phone")
OPERATIONS = ("_set", "_append", "_append_all")
SCOPE_MODES = ("relations", "query")
READING_SOURCES = ("ECP", "ERP", "360", "journey-submission")
READING_REASONS = ("regular", "irregular", "last", "first", "meter_change", "contract_change",
                   "meter_adjustment", "")
READING_REQUIRED_ATTRIBUTES = ("external_id", "timestamp", "source", "value")
SLUG_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
RESERVED_URL_PARAMS = ("orgId", "integrationId", "useCaseSlug", "useCaseId")

PLAIN_SOURCES = ("field", "jsonataExpression", "constant")
SPECIAL_SOURCES = ("relations", "relation_refs", "file_proxy_url", "env_var_ref", "portal_ref")


def validate_inbound(config: Any, check: Checker, path: str) -> None:
    """Record every issue of an inbound configuration (``InboundIntegrationEventConfiguration``)."""
    if not check.object(config, path):
        return
    if "direct" in config and not check.boolean(config["direct"], key_path(path, "direct")):
        return
    if config.get("direct") is True:
        _direct_allow_list(config, check, path)
        return
    entities = config.get("entities", MISSING)
    if entities is not MISSING and check.array(entities, key_path(path, "entities")):
        for _, entity, entity_path in check.each(entities, key_path(path, "entities")):
            _entity(entity, check, entity_path)
    readings = config.get("meter_readings", MISSING)
    if readings is not MISSING and check.array(readings, key_path(path, "meter_readings")):
        for _, reading, reading_path in check.each(readings, key_path(path, "meter_readings")):
            _meter_reading(reading, check, reading_path)


def _direct_allow_list(config: dict, check: Checker, path: str) -> None:
    """Direct mode (docs/inbound.md, direct mode): ``entities`` is an optional allow-list of ``{entity_schema,
    unique_ids?}``; ``fields`` and ``meter_readings`` are not used (kept, not checked)."""
    entities = config.get("entities", MISSING)
    if entities is MISSING or not check.array(entities, key_path(path, "entities")):
        return
    for _, entity, entity_path in check.each(entities, key_path(path, "entities")):
        if not check.object(entity, entity_path):
            continue
        schema = check.required(entity, "entity_schema", entity_path)
        if schema is not MISSING:
            check.string(schema, key_path(entity_path, "entity_schema"))
        if "unique_ids" in entity:
            ids_path = key_path(entity_path, "unique_ids")
            if check.array(entity["unique_ids"], ids_path, min_items=1):
                for _, unique_id, id_path in check.each(entity["unique_ids"], ids_path):
                    check.string(unique_id, id_path)


def _entity(entity: Any, check: Checker, path: str) -> None:
    if not check.object(entity, path):
        return
    schema = check.required(entity, "entity_schema", path)
    if schema is not MISSING:
        check.string(schema, key_path(path, "entity_schema"))
    if "jsonataExpression" in entity:
        check.jsonata(entity["jsonataExpression"], key_path(path, "jsonataExpression"))
    if "enabled" in entity:
        check.enabled_flag(entity["enabled"], key_path(path, "enabled"))

    mode = entity.get("mode", "upsert")
    if "mode" in entity and not check.enum(mode, key_path(path, "mode"), ENTITY_MODES):
        mode = None
    if "scope" in entity:
        _prune_scope(entity["scope"], check, key_path(path, "scope"))
    elif mode in PRUNE_MODES:
        check.add(key_path(path, "scope"), f"is required when mode is {mode!r}")

    fields = check.required(entity, "fields", path)
    mapped: set[str] = set()
    if fields is not MISSING and check.array(fields, key_path(path, "fields")):
        for _, field, field_path in check.each(fields, key_path(path, "fields")):
            _field(field, check, field_path)
            if isinstance(field, dict) and isinstance(field.get("attribute"), str):
                mapped.add(field["attribute"])
    else:
        fields = None

    unique_ids = check.required(entity, "unique_ids", path)
    ids_path = key_path(path, "unique_ids")
    if unique_ids is MISSING or not check.array(unique_ids, ids_path, min_items=1):
        return
    seen: set[str] = set()
    for _, unique_id, id_path in check.each(unique_ids, ids_path):
        if not check.string(unique_id, id_path):
            continue
        if unique_id in seen:
            check.add(id_path, f"{unique_id!r} is listed twice")
        seen.add(unique_id)
        if fields is not None and unique_id not in mapped:
            check.add(id_path, f"unique id {unique_id!r} is not mapped by any field "
                               f"(add a field with attribute {unique_id!r})")


def _field(field: Any, check: Checker, path: str) -> None:
    """``IntegrationEntityField``: one attribute and where its value comes from."""
    if not check.object(field, path):
        return
    attribute = check.required(field, "attribute", path)
    if attribute is not MISSING:
        check.string(attribute, key_path(path, "attribute"))
    if "field" in field:
        check.source_field(field["field"], key_path(path, "field"))
    if "jsonataExpression" in field:
        check.jsonata(field["jsonataExpression"], key_path(path, "jsonataExpression"))
    if "_type" in field:
        check.enum(field["_type"], key_path(path, "_type"), REPEATABLE_TYPES)
    if "enabled" in field:
        check.enabled_flag(field["enabled"], key_path(path, "enabled"))
    if "relations" in field:
        _relations(field["relations"], check, key_path(path, "relations"), _relation_item)
    if "relation_refs" in field:
        _relations(field["relation_refs"], check, key_path(path, "relation_refs"), _relation_ref_item)
    if "file_proxy_url" in field:
        _file_proxy_url(field["file_proxy_url"], check, key_path(path, "file_proxy_url"))
    if "env_var_ref" in field:
        validate_env_var_ref(field["env_var_ref"], check, key_path(path, "env_var_ref"))
    if "portal_ref" in field:
        validate_portal_ref(field["portal_ref"], check, key_path(path, "portal_ref"))

    plain = [key for key in PLAIN_SOURCES if key in field]
    special = [key for key in SPECIAL_SOURCES if key in field]
    if not plain and not special:
        check.add(path, "needs a value source: set one of field, jsonataExpression, constant, relations, "
                        "relation_refs, file_proxy_url, env_var_ref or portal_ref")
    elif len(special) > 1:
        check.add(key_path(path, special[1]), f"cannot be combined with {special[0]}: a field maps one kind "
                                              "of value")
    elif special and plain:
        check.add(key_path(path, plain[0]), f"cannot be combined with {special[0]}, which computes the "
                                            "value itself")


def _unique_id_field(item: Any, check: Checker, path: str) -> None:
    """``RelationUniqueIdField``: an attribute of a related entity and how to compute its value."""
    if not check.object(item, path):
        return
    attribute = check.required(item, "attribute", path)
    if attribute is not MISSING:
        check.string(attribute, key_path(path, "attribute"))
    if "_type" in item:
        check.enum(item["_type"], key_path(path, "_type"), REPEATABLE_TYPES)
    _value_source(item, check, path)


def _value_source(item: dict, check: Checker, path: str) -> None:
    """``field`` | ``jsonataExpression`` | ``constant`` (at least one; precedence constant > JSONata > field)."""
    if "field" in item:
        check.source_field(item["field"], key_path(path, "field"))
    if "jsonataExpression" in item:
        check.jsonata(item["jsonataExpression"], key_path(path, "jsonataExpression"))
    if not any(key in item for key in PLAIN_SOURCES):
        check.add(path, "needs a value: set field, jsonataExpression or constant")


def _unique_ids(value: Any, check: Checker, path: str) -> None:
    if check.array(value, path, min_items=1):
        for _, item, item_path in check.each(value, path):
            _unique_id_field(item, check, item_path)


def _relations(config: Any, check: Checker, path: str, item_validator) -> None:
    """``RelationConfig`` / ``RelationRefsConfig``: an operation plus static items or a JSONata producing them."""
    if not check.object(config, path):
        return
    operation = check.required(config, "operation", path)
    if operation is not MISSING:
        check.enum(operation, key_path(path, "operation"), OPERATIONS)
    has_items = "items" in config
    has_expression = "jsonataExpression" in config
    if has_items and check.array(config["items"], key_path(path, "items")):
        for _, item, item_path in check.each(config["items"], key_path(path, "items")):
            item_validator(item, check, item_path)
    if has_expression:
        check.jsonata(config["jsonataExpression"], key_path(path, "jsonataExpression"))
    if not has_items and not has_expression:
        check.add(path, "needs items or a jsonataExpression that returns the items")
    elif has_items and has_expression and config["items"]:
        check.add(key_path(path, "jsonataExpression"), "items and jsonataExpression are alternatives; "
                                                      "set only one")


def _relation_item(item: Any, check: Checker, path: str) -> None:
    if not check.object(item, path):
        return
    schema = check.required(item, "entity_schema", path)
    if schema is not MISSING:
        check.string(schema, key_path(path, "entity_schema"))
    if "_tags" in item and check.array(item["_tags"], key_path(path, "_tags")):
        for _, tag, tag_path in check.each(item["_tags"], key_path(path, "_tags")):
            check.string(tag, tag_path)
    unique_ids = check.required(item, "unique_ids", path)
    if unique_ids is not MISSING:
        _unique_ids(unique_ids, check, key_path(path, "unique_ids"))


def _relation_ref_item(item: Any, check: Checker, path: str) -> None:
    if not check.object(item, path):
        return
    for key in ("entity_schema", "path"):
        value = check.required(item, key, path)
        if value is not MISSING:
            check.string(value, key_path(path, key))
    unique_ids = check.required(item, "unique_ids", path)
    if unique_ids is not MISSING:
        _unique_ids(unique_ids, check, key_path(path, "unique_ids"))
    value = check.required(item, "value", path)
    value_path = key_path(path, "value")
    if value is MISSING or not check.object(value, value_path):
        return
    attribute = check.required(value, "attribute", value_path)
    if attribute is not MISSING:
        check.string(attribute, key_path(value_path, "attribute"))
    if "operation" in value:
        check.enum(value["operation"], key_path(value_path, "operation"), OPERATIONS)
    _value_source(value, check, value_path)


def _file_proxy_url(config: Any, check: Checker, path: str) -> None:
    """``FileProxyUrlConfig``: exactly one of use_case_slug / use_case_id, plus params to append."""
    if not check.object(config, path):
        return
    has_slug, has_id = "use_case_slug" in config, "use_case_id" in config
    if has_slug and has_id:
        check.add(path, "set exactly one of use_case_slug or use_case_id, not both")
    elif not has_slug and not has_id:
        check.add(path, "needs use_case_slug (recommended) or use_case_id")
    if has_slug:
        check.string(config["use_case_slug"], key_path(path, "use_case_slug"), pattern=SLUG_PATTERN,
                     max_length=255)
    if has_id:
        check.uuid(config["use_case_id"], key_path(path, "use_case_id"))
    if "params" not in config:
        return
    params_path = key_path(path, "params")
    if not check.object(config["params"], params_path):
        return
    for name, param in config["params"].items():
        param_path = key_path(params_path, name)
        if not str(name).strip():
            check.add(param_path, "parameter names must not be empty")
        elif name in RESERVED_URL_PARAMS:
            check.add(param_path, f"{name} is set from the integration context and cannot be a parameter")
        if not check.object(param, param_path):
            continue
        sources = [key for key in PLAIN_SOURCES if key in param]
        if len(sources) != 1:
            check.add(param_path, "needs exactly one of field, constant or jsonataExpression"
                      + (f" (got {', '.join(sources)})" if sources else ""))
        if "field" in param:
            check.source_field(param["field"], key_path(param_path, "field"))
        if "jsonataExpression" in param:
            check.jsonata(param["jsonataExpression"], key_path(param_path, "jsonataExpression"))


def _prune_scope(scope: Any, check: Checker, path: str) -> None:
    """``PruneScopeConfig``: relations mode needs the scope entity, query mode needs the query."""
    if not check.object(scope, path):
        return
    scope_mode = check.required(scope, "scope_mode", path)
    if scope_mode is MISSING or not check.enum(scope_mode, key_path(path, "scope_mode"), SCOPE_MODES):
        return
    if scope_mode == "relations":
        schema = scope.get("schema", MISSING)
        if schema is MISSING:
            check.add(key_path(path, "schema"), "is required when scope_mode is 'relations'")
        else:
            check.string(schema, key_path(path, "schema"))
        if "unique_ids" not in scope:
            check.add(key_path(path, "unique_ids"), "is required when scope_mode is 'relations'")
        else:
            _unique_ids(scope["unique_ids"], check, key_path(path, "unique_ids"))
        if "query" in scope:
            _unique_ids(scope["query"], check, key_path(path, "query"))
    else:
        if "query" not in scope:
            check.add(key_path(path, "query"), "is required when scope_mode is 'query'")
        else:
            _unique_ids(scope["query"], check, key_path(path, "query"))
        if "unique_ids" in scope:
            _unique_ids(scope["unique_ids"], check, key_path(path, "unique_ids"))
        if "schema" in scope:
            check.string(scope["schema"], key_path(path, "schema"))


def _meter_ids(value: Any, check: Checker, path: str) -> None:
    """``MeterUniqueIdsConfig``: at least one unique id to find the meter (or counter)."""
    if not check.object(value, path):
        return
    unique_ids = check.required(value, "unique_ids", path)
    if unique_ids is not MISSING:
        _unique_ids(unique_ids, check, key_path(path, "unique_ids"))


def _meter_reading(reading: Any, check: Checker, path: str) -> None:
    if not check.object(reading, path):
        return
    if "jsonataExpression" in reading:
        check.jsonata(reading["jsonataExpression"], key_path(path, "jsonataExpression"))
    matching = reading.get("reading_matching", "external_id")
    if "reading_matching" in reading and not check.enum(matching, key_path(path, "reading_matching"),
                                                        READING_MATCHING):
        matching = None
    mode = reading.get("mode", "upsert")
    if "mode" in reading and not check.enum(mode, key_path(path, "mode"), METER_READING_MODES):
        mode = None
    if "scope" in reading:
        scope_path = key_path(path, "scope")
        if check.object(reading["scope"], scope_path) and "source" in reading["scope"]:
            check.enum(reading["scope"]["source"], key_path(scope_path, "source"), READING_SOURCES)
    meter = check.required(reading, "meter", path)
    if meter is not MISSING:
        _meter_ids(meter, check, key_path(path, "meter"))
    if "meter_counter" in reading:
        _meter_ids(reading["meter_counter"], check, key_path(path, "meter_counter"))

    fields = check.required(reading, "fields", path)
    fields_path = key_path(path, "fields")
    if fields is MISSING or not check.array(fields, fields_path):
        return
    mapped: set[str] = set()
    for _, field, field_path in check.each(fields, fields_path):
        _field(field, check, field_path)
        if not isinstance(field, dict) or not isinstance(field.get("attribute"), str):
            continue
        attribute = field["attribute"]
        mapped.add(attribute)
        if "constant" in field and attribute == "source":
            check.enum(field["constant"], key_path(field_path, "constant"), READING_SOURCES)
        if "constant" in field and attribute == "reason" and field["constant"] is not None:
            check.enum(field["constant"], key_path(field_path, "constant"), READING_REASONS)
    if mode in ("upsert", "upsert-prune-scope"):
        needed, why = READING_REQUIRED_ATTRIBUTES, "every upserted meter reading needs"
    elif mode == "delete" and matching:
        needed = ("external_id",) if matching == "external_id" else ("timestamp",)
        why = f"deleting with reading_matching {matching!r} needs"
    else:
        needed, why = (), ""
    missing = [attribute for attribute in needed if attribute not in mapped]
    if missing:
        check.add(fields_path, f"must map the attribute{'s' if len(missing) > 1 else ''} "
                               f"{', '.join(missing)} ({why} {', '.join(needed)})")
