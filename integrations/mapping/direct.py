"""Direct mode (docs/inbound.md, direct mode): a ``DirectPayload`` of pre-mapped operations instead of raw ERP
data.

The payload is validated strictly (unknown keys are rejected with their path; attribute values pass through
verbatim except ``$relation`` / ``$relation_ref`` envelopes) and translated into the same ``MappingResult``
the mapping engine produces, so the write stage (create-vs-update, relations, ordering, monitoring) is the
one of mapped mode. Simulation collects every problem; the runtime stops at the first one.

Unique-id types: explicit ``unique_id_types`` win; otherwise, without an entity schema registry, the hub
derives the type from the attribute name: ``email`` is an email and ``phone`` a phone attribute, as in the
platform's standard schemas. Pure: no Django.
"""
from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from integrations.mapping.meter_readings import REASONS, SOURCES, normalise_timestamp
from integrations.mapping.results import (
    EntityUpdate,
    MappingError,
    MappingResult,
    MappingWarning,
    MeterReadingUpdate,
)

PAYLOAD_INVALID = "DIRECT_PAYLOAD_INVALID"
VERSION_UNSUPPORTED = "DIRECT_VERSION_UNSUPPORTED"
ENTITY_NOT_ALLOWED = "DIRECT_ENTITY_NOT_ALLOWED"
SUPPORTED_VERSION = "1"
MAX_OPERATIONS = 100
MAX_PAYLOAD_BYTES = 1024 * 1024

ENTITY_KEYS = ("type", "entity_slug", "unique_ids", "unique_id_types", "mode", "attributes")
READING_KEYS = ("type", "meter", "counter", "mode", "reading_matching", "attributes")
RELATION_ITEM_KEYS = ("entity_id", "schema", "unique_ids", "unique_id_types", "tags")
REF_ITEM_KEYS = ("schema", "unique_ids", "unique_id_types", "path", "value")
ENTITY_MODES = ("upsert", "delete", "purge")
READING_MODES = ("upsert", "delete")
READING_MATCHING = ("external_id", "strict-date")
ID_TYPES = ("email", "phone")
OPERATIONS = ("_set", "_append", "_append_all")
DERIVED_TYPES = {"email": "email", "phone": "phone"}  # attribute name -> repeatable type (no schema registry)
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?)?$")


@dataclass
class DirectIssue:
    code: str
    message: str  # starts with the path of the offending element
    operation_index: int | None = None

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.operation_index is not None:
            body["operation_index"] = self.operation_index
        return body


class _Stop(Exception):
    """The first issue, at runtime (no need to look further)."""


@dataclass
class _Collector:
    first_only: bool
    issues: list[DirectIssue] = field(default_factory=list)

    def add(self, code: str, path: str, message: str, operation_index: int | None = None) -> None:
        self.issues.append(DirectIssue(code, f"{path}: {message}", operation_index))
        if self.first_only:
            raise _Stop()


@dataclass
class DirectTranslation:
    result: MappingResult
    metadata: list[dict[str, Any]]  # per entity update: unique_identifiers_metadata ({} when none)


# --- entry points -----------------------------------------------------------------------------------


def parse_direct_payload(payload: Any, fmt: str = "json") -> tuple[Any, DirectIssue | None]:
    """The payload object: a dict as is, a JSON string parsed. XML is never a direct payload."""
    if fmt == "xml":
        return None, DirectIssue(PAYLOAD_INVALID, "payload: direct use cases accept JSON only, not format 'xml'")
    if isinstance(payload, str):
        if len(payload.encode("utf-8")) > MAX_PAYLOAD_BYTES:
            return None, DirectIssue(PAYLOAD_INVALID, f"payload: exceeds the {MAX_PAYLOAD_BYTES} bytes budget")
        try:
            return json.loads(payload), None
        except ValueError as exc:
            return None, DirectIssue(PAYLOAD_INVALID, f"payload: is not valid JSON ({exc})")
    return payload, None


def check_direct(configuration: dict, payload: Any, *, first_only: bool = False) -> list[DirectIssue]:
    """Every problem of ``payload`` for the direct use case ``configuration`` (or just the first)."""
    collector = _Collector(first_only)
    with contextlib.suppress(_Stop):
        _check_payload(payload, _allow_list(configuration), collector)
    return collector.issues


def translate_direct(configuration: dict, payload: dict) -> DirectTranslation:
    """The ``MappingResult`` of a payload that passed :func:`check_direct`, with the warnings of the preview."""
    result = MappingResult()
    metadata: list[dict[str, Any]] = []
    for index, operation in enumerate(payload["operations"]):
        if operation.get("type") == "meter_reading":
            result.meter_readings_updates.append(_reading_update(operation, index))
            continue
        ids, types = _typed_ids(operation["unique_ids"], operation.get("unique_id_types"))
        result.entity_updates.append(EntityUpdate(
            entity_slug=operation["entity_slug"], unique_identifiers=ids,
            attributes=_attributes(operation.get("attributes") or {}), mode=operation.get("mode", "upsert"),
            config_index=index))
        metadata.append({name: {"fieldType": kind, "index": 0} for name, kind in types.items()})
        explicit = operation.get("unique_id_types") or {}
        for name, kind in types.items():
            if name not in explicit:
                result.warnings.append(MappingWarning(
                    operation["entity_slug"], name, f"payload.operations[{index}].unique_ids.{name}: searched as "
                    f"a repeatable {kind} attribute (type derived from the attribute name; set unique_id_types "
                    "to be explicit)"))
    return DirectTranslation(result, metadata)


def map_direct(configuration: dict, payload_text: str, fmt: str) -> MappingResult:
    """Runtime: the translated operations, or a ``MappingError`` with the first problem's code."""
    payload, issue = parse_direct_payload(payload_text, fmt)
    issues = [issue] if issue else check_direct(configuration, payload, first_only=True)
    if issues:
        first = issues[0]
        details: dict[str, Any] = {"path": first.message.split(":", 1)[0]}
        if first.operation_index is not None:
            details["operation_index"] = first.operation_index
        raise MappingError(first.code, first.message, details)
    return translate_direct(configuration, payload).result


def simulate_direct(configuration: dict, payload: Any) -> dict[str, Any]:
    """The ``DirectSimulationResponse``: every error, or the previews and warnings."""
    parsed, issue = parse_direct_payload(payload)
    issues = [issue] if issue else check_direct(configuration, parsed)
    if issues:
        return {"valid": False, "errors": [i.as_dict() for i in issues], "warnings": []}
    translation = translate_direct(configuration, parsed)
    entity_updates = []
    for update, metadata in zip(translation.result.entity_updates, translation.metadata, strict=True):
        body = update.to_contract()
        if metadata:
            body["unique_identifiers_metadata"] = metadata
        entity_updates.append(body)
    readings = []
    for update in translation.result.meter_readings_updates:
        body = update.to_contract()
        body["_config"] = {"reading_matching": update.reading_matching}
        readings.append(body)
    return {"valid": True, "errors": [], "warnings": [w.to_contract() for w in translation.result.warnings],
            "entity_updates": entity_updates, "meter_reading_updates": readings}


# --- validation -------------------------------------------------------------------------------------


def _allow_list(configuration: dict) -> list[dict]:
    entities = configuration.get("entities") if isinstance(configuration, dict) else None
    return [e for e in entities or [] if isinstance(e, dict)]


def _check_payload(payload: Any, allowed: list[dict], c: _Collector) -> None:
    if not isinstance(payload, dict):
        c.add(PAYLOAD_INVALID, "payload", "must be an object {version, operations}")
        return
    for key in payload:
        if key not in ("version", "operations"):
            c.add(PAYLOAD_INVALID, f"payload.{key}", "unknown property")
    if "version" not in payload:
        c.add(PAYLOAD_INVALID, "payload.version", "is required")
    elif payload["version"] != SUPPORTED_VERSION:
        c.add(VERSION_UNSUPPORTED, "payload.version",
              f"{payload['version']!r} is not supported (only \"{SUPPORTED_VERSION}\")")
    operations = payload.get("operations")
    if operations is None:
        c.add(PAYLOAD_INVALID, "payload.operations", "is required")
        return
    if not isinstance(operations, list):
        c.add(PAYLOAD_INVALID, "payload.operations", "must be an array")
        return
    if len(operations) > MAX_OPERATIONS:
        c.add(PAYLOAD_INVALID, "payload.operations", f"at most {MAX_OPERATIONS} operations per event "
              f"(got {len(operations)})")
    for index, operation in enumerate(operations):
        path = f"payload.operations[{index}]"
        if not isinstance(operation, dict):
            c.add(PAYLOAD_INVALID, path, "must be an object", index)
            continue
        kind = operation.get("type", "entity")
        if kind == "entity":
            _check_entity(operation, path, index, allowed, c)
        elif kind == "meter_reading":
            _check_reading(operation, path, index, c)
        else:
            c.add(PAYLOAD_INVALID, f"{path}.type", f"must be 'entity' or 'meter_reading' (got {kind!r})", index)


def _unknown_keys(value: dict, allowed: tuple, path: str, index: int | None, c: _Collector) -> None:
    for key in value:
        if key not in allowed:
            c.add(PAYLOAD_INVALID, f"{path}.{key}", "unknown property", index)


def _check_ids(ids: Any, path: str, index: int | None, c: _Collector) -> bool:
    if not isinstance(ids, dict) or not ids:
        c.add(PAYLOAD_INVALID, path, "must be a non-empty object {attribute: value}", index)
        return False
    ok = True
    for name, value in ids.items():
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            c.add(PAYLOAD_INVALID, f"{path}.{name}", "must be a string or a number", index)
            ok = False
        elif not str(value).strip():
            c.add(PAYLOAD_INVALID, f"{path}.{name}", "must not be empty", index)
            ok = False
    return ok


def _check_id_types(types: Any, path: str, index: int | None, c: _Collector) -> None:
    if types is None:
        return
    if not isinstance(types, dict):
        c.add(PAYLOAD_INVALID, path, "must be an object {attribute: email|phone}", index)
        return
    for name, kind in types.items():
        if kind not in ID_TYPES:
            c.add(PAYLOAD_INVALID, f"{path}.{name}", f"must be email or phone (got {kind!r})", index)


def _check_entity(op: dict, path: str, index: int, allowed: list[dict], c: _Collector) -> None:
    _unknown_keys(op, ENTITY_KEYS, path, index, c)
    slug = op.get("entity_slug")
    if not isinstance(slug, str) or not slug.strip():
        c.add(PAYLOAD_INVALID, f"{path}.entity_slug", "is required (a non-empty string)", index)
        slug = None
    ids_ok = "unique_ids" in op and _check_ids(op["unique_ids"], f"{path}.unique_ids", index, c)
    if "unique_ids" not in op:
        c.add(PAYLOAD_INVALID, f"{path}.unique_ids", "is required", index)
    _check_id_types(op.get("unique_id_types"), f"{path}.unique_id_types", index, c)
    mode = op.get("mode", "upsert")
    if mode not in ENTITY_MODES:
        c.add(PAYLOAD_INVALID, f"{path}.mode", f"must be one of {', '.join(ENTITY_MODES)} (got {mode!r})", index)
    attributes = op.get("attributes")
    if attributes is None:
        if mode == "upsert":
            c.add(PAYLOAD_INVALID, f"{path}.attributes", "is required for mode upsert (may be {})", index)
    elif not isinstance(attributes, dict):
        c.add(PAYLOAD_INVALID, f"{path}.attributes", "must be an object", index)
    else:
        for name, value in attributes.items():
            if isinstance(value, dict) and ("$relation" in value or "$relation_ref" in value):
                _check_relation_value(value, f"{path}.attributes.{name}", index, c)
    if slug is not None and ids_ok and allowed:
        _check_allowed(slug, op["unique_ids"], path, index, allowed, c)


def _check_allowed(slug: str, ids: dict, path: str, index: int, allowed: list[dict], c: _Collector) -> None:
    entries = [e for e in allowed if e.get("entity_schema") == slug]
    if not entries:
        names = ", ".join(sorted({str(e.get("entity_schema")) for e in allowed}))
        c.add(ENTITY_NOT_ALLOWED, f"{path}.entity_slug", f"'{slug}' is not an entity of this use case "
              f"(allowed: {names})", index)
        return
    keys = set(ids)
    if keys == {"_id"}:
        return
    if any(not isinstance(e.get("unique_ids"), list) or set(e["unique_ids"]) == keys for e in entries):
        return
    expected = " or ".join(str(sorted(e["unique_ids"])) for e in entries)
    c.add(ENTITY_NOT_ALLOWED, f"{path}.unique_ids", f"keys {sorted(keys)} are not allowed for '{slug}': "
          f"use exactly {expected}, or just _id", index)


def _check_relation_value(value: dict, path: str, index: int, c: _Collector) -> None:
    marker = "$relation" if "$relation" in value else "$relation_ref"
    _unknown_keys(value, (marker,), path, index, c)
    spec = value[marker]
    item_path = f"{path}.{marker}"
    if isinstance(spec, list):
        lists = [(item_path, spec)]
    elif isinstance(spec, dict):
        _unknown_keys(spec, OPERATIONS, item_path, index, c)
        given = [op for op in OPERATIONS if op in spec]
        if len(given) != 1:
            c.add(PAYLOAD_INVALID, item_path, "must have exactly one of _set, _append, _append_all", index)
        lists = []
        for op in given:
            if isinstance(spec[op], list):
                lists.append((f"{item_path}.{op}", spec[op]))
            else:
                c.add(PAYLOAD_INVALID, f"{item_path}.{op}", "must be an array", index)
    else:
        c.add(PAYLOAD_INVALID, item_path, "must be an array or an object with one of _set, _append, _append_all",
              index)
        return
    for list_path, items in lists:
        for position, item in enumerate(items):
            item_at = f"{list_path}[{position}]"
            if marker == "$relation":
                _check_relation_item(item, item_at, index, c)
            else:
                _check_ref_item(item, item_at, index, c)


def _check_relation_item(item: Any, path: str, index: int, c: _Collector) -> None:
    if not isinstance(item, dict):
        c.add(PAYLOAD_INVALID, path, "must be an object", index)
        return
    _unknown_keys(item, RELATION_ITEM_KEYS, path, index, c)
    if "entity_id" in item:
        if "schema" in item or "unique_ids" in item:
            c.add(PAYLOAD_INVALID, path, "either entity_id or schema + unique_ids, not both", index)
        if not isinstance(item["entity_id"], str) or not item["entity_id"].strip():
            c.add(PAYLOAD_INVALID, f"{path}.entity_id", "must be a non-empty string", index)
    else:
        if not isinstance(item.get("schema"), str) or not item.get("schema", "").strip():
            c.add(PAYLOAD_INVALID, f"{path}.schema", "is required when entity_id is not given", index)
        if "unique_ids" not in item:
            c.add(PAYLOAD_INVALID, f"{path}.unique_ids", "is required when entity_id is not given", index)
        else:
            _check_ids(item["unique_ids"], f"{path}.unique_ids", index, c)
    _check_id_types(item.get("unique_id_types"), f"{path}.unique_id_types", index, c)
    tags = item.get("tags")
    if tags is not None and (not isinstance(tags, list) or not all(isinstance(t, str) for t in tags)):
        c.add(PAYLOAD_INVALID, f"{path}.tags", "must be an array of strings", index)


def _check_ref_item(item: Any, path: str, index: int, c: _Collector) -> None:
    if not isinstance(item, dict):
        c.add(PAYLOAD_INVALID, path, "must be an object", index)
        return
    _unknown_keys(item, REF_ITEM_KEYS, path, index, c)
    if not isinstance(item.get("schema"), str) or not item.get("schema", "").strip():
        c.add(PAYLOAD_INVALID, f"{path}.schema", "is required (a non-empty string)", index)
    if "unique_ids" not in item:
        c.add(PAYLOAD_INVALID, f"{path}.unique_ids", "is required", index)
    else:
        _check_ids(item["unique_ids"], f"{path}.unique_ids", index, c)
    _check_id_types(item.get("unique_id_types"), f"{path}.unique_id_types", index, c)
    if not isinstance(item.get("path"), str) or not item.get("path", "").strip():
        c.add(PAYLOAD_INVALID, f"{path}.path", "is required (the target entity's repeatable attribute)", index)
    if "value" not in item:
        c.add(PAYLOAD_INVALID, f"{path}.value", "is required (the item to reference at path)", index)


def _check_reading(op: dict, path: str, index: int, c: _Collector) -> None:
    _unknown_keys(op, READING_KEYS, path, index, c)
    for name, required in (("meter", True), ("counter", False)):
        ref = op.get(name)
        if ref is None:
            if required:
                c.add(PAYLOAD_INVALID, f"{path}.{name}", "is required ({unique_ids})", index)
            continue
        if not isinstance(ref, dict):
            c.add(PAYLOAD_INVALID, f"{path}.{name}", "must be an object {unique_ids}", index)
            continue
        _unknown_keys(ref, ("unique_ids",), f"{path}.{name}", index, c)
        if "unique_ids" not in ref:
            c.add(PAYLOAD_INVALID, f"{path}.{name}.unique_ids", "is required", index)
        else:
            _check_ids(ref["unique_ids"], f"{path}.{name}.unique_ids", index, c)
    mode = op.get("mode", "upsert")
    if mode not in READING_MODES:
        c.add(PAYLOAD_INVALID, f"{path}.mode", f"must be upsert or delete (got {mode!r})", index)
    matching = op.get("reading_matching", "external_id")
    if matching not in READING_MATCHING:
        c.add(PAYLOAD_INVALID, f"{path}.reading_matching", f"must be external_id or strict-date (got {matching!r})",
              index)
    elif matching == "strict-date" and op.get("counter") is None:
        c.add(PAYLOAD_INVALID, f"{path}.counter", "is required when reading_matching is strict-date", index)
    attributes = op.get("attributes")
    apath = f"{path}.attributes"
    if not isinstance(attributes, dict):
        c.add(PAYLOAD_INVALID, apath, "is required (an object with external_id, timestamp, source, value)", index)
        return
    for name in ("external_id", "timestamp", "source", "value"):
        if name not in attributes:
            c.add(PAYLOAD_INVALID, f"{apath}.{name}", "is required", index)
    external_id = attributes.get("external_id")
    if "external_id" in attributes and (isinstance(external_id, bool) or not isinstance(external_id, str | int | float)
                                        or not str(external_id).strip()):
        c.add(PAYLOAD_INVALID, f"{apath}.external_id", "must be a non-empty string or a number", index)
    timestamp = attributes.get("timestamp")
    if "timestamp" in attributes and not (isinstance(timestamp, str) and _TIMESTAMP.match(timestamp)
                                          and normalise_timestamp(timestamp)):
        c.add(PAYLOAD_INVALID, f"{apath}.timestamp", f"{timestamp!r} is not YYYY-MM-DD or an ISO 8601 date-time",
              index)
    if "source" in attributes and attributes["source"] not in SOURCES:
        c.add(PAYLOAD_INVALID, f"{apath}.source", f"must be one of {', '.join(SOURCES)}", index)
    if "value" in attributes and _number(attributes["value"]) is None:
        c.add(PAYLOAD_INVALID, f"{apath}.value", "must be a number or a numeric string", index)
    reason = attributes.get("reason")
    if reason not in (None, "") and reason not in REASONS:
        c.add(PAYLOAD_INVALID, f"{apath}.reason", f"must be one of {', '.join(REASONS)} (or empty)", index)


def _number(value: Any) -> int | float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    if isinstance(value, str) and value.strip():
        try:
            number = float(value)
        except ValueError:
            return None
        return int(number) if number.is_integer() and re.fullmatch(r"\s*[+-]?\d+\s*", value) else number
    return None


# --- translation ------------------------------------------------------------------------------------


def _typed_ids(ids: dict, explicit: dict | None, derive: bool = True) -> tuple[dict[str, Any], dict[str, str]]:
    """Store identifiers (``email.email`` for repeatable types; values as strings) and the types used."""
    explicit = explicit or {}
    out: dict[str, Any] = {}
    types: dict[str, str] = {}
    for name, value in ids.items():
        text = value if isinstance(value, str) else _number_text(value)
        kind = explicit.get(name) or (DERIVED_TYPES.get(name) if derive and name != "_id" else None)
        if kind:
            types[name] = kind
            out[f"{name}.{kind}"] = text
        else:
            out[name] = text
    return out, types


def _number_text(value: int | float) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _attributes(attributes: dict) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in attributes.items():
        if isinstance(value, dict) and "$relation" in value:
            op, items = _envelope(value["$relation"])
            out[name] = {"$relation": {op: [_relation_item(item) for item in items]}}
        elif isinstance(value, dict) and "$relation_ref" in value:
            op, items = _envelope(value["$relation_ref"])
            out[name] = {"$relation_ref": {op: [_ref_item(item) for item in items]}}
        else:
            out[name] = value
    return out


def _envelope(spec: Any) -> tuple[str, list]:
    if isinstance(spec, list):
        return "_set", spec
    ((op, items),) = spec.items()
    return op, items


def _relation_item(item: dict) -> dict[str, Any]:
    if "entity_id" in item:
        out: dict[str, Any] = {"$entity_unique_ids": {"_id": item["entity_id"]}, "_schema": None}
    else:
        ids, _ = _typed_ids(item["unique_ids"], item.get("unique_id_types"))
        out = {"$entity_unique_ids": ids, "_schema": item["schema"]}
    if item.get("tags"):
        out["_tags"] = list(item["tags"])
    return out


def _ref_item(item: dict) -> dict[str, Any]:
    ids, _ = _typed_ids(item["unique_ids"], item.get("unique_id_types"))
    return {"$entity_unique_ids": ids, "_schema": item["schema"], "path": item["path"],
            "value": {"attribute": item["path"], "operation": "_append", "value": item["value"]}}


def _reading_update(op: dict, index: int) -> MeterReadingUpdate:
    attributes = dict(op["attributes"])
    attributes["external_id"] = attributes["external_id"] if isinstance(attributes["external_id"], str) \
        else _number_text(attributes["external_id"])
    attributes["timestamp"] = normalise_timestamp(attributes["timestamp"])
    attributes["value"] = _number(attributes["value"])
    meter, _ = _typed_ids(op["meter"]["unique_ids"], None, derive=False)
    counter = _typed_ids(op["counter"]["unique_ids"], None, derive=False)[0] if op.get("counter") else None
    return MeterReadingUpdate(
        meter={"$entity_unique_ids": meter},
        meter_counter={"$entity_unique_ids": counter} if counter is not None else None,
        attributes=attributes, mode=op.get("mode", "upsert"),
        reading_matching=op.get("reading_matching", "external_id"), config_index=index)
