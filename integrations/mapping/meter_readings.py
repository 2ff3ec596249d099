"""Meter reading configurations (docs/entity-store.md, meter readings): items, meter/counter ids, required
attributes, enums."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from integrations.mapping.evaluation import EventScope, config_error, expand
from integrations.mapping.fields import FileProxyBuilder, map_fields, resolve_unique_ids
from integrations.mapping.jsonata import UNDEFINED
from integrations.mapping.results import (
    METER_READING_MODES,
    READING_MATCHING,
    MappingError,
    MappingWarning,
    MeterReadingPrune,
    MeterReadingUpdate,
)

REQUIRED_ATTRIBUTES = ("external_id", "timestamp", "source", "value")
SOURCES = ("ECP", "ERP", "360", "journey-submission")
REASONS = ("regular", "irregular", "last", "first", "meter_change", "contract_change", "meter_adjustment")
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def reading_error(path: str, index: int, message: str) -> MappingError:
    return MappingError("INVALID_METER_READING", f"{path} (item {index}) {message}", {"path": path, "item": index})


def map_meter_readings(
    scope: EventScope, config_index: int, config: Any, file_proxy: FileProxyBuilder | None
) -> tuple[list[MeterReadingUpdate], list[MeterReadingPrune]]:
    path = f"meter_readings[{config_index}]"
    if not isinstance(config, dict):
        raise config_error(path, "must be an object")
    mode = config.get("mode", "upsert")
    if mode not in METER_READING_MODES:
        raise config_error(f"{path}.mode", f"must be one of {', '.join(METER_READING_MODES)}")
    matching = config.get("reading_matching", "external_id")
    if matching not in READING_MATCHING:
        raise config_error(f"{path}.reading_matching", f"must be one of {', '.join(READING_MATCHING)}")
    scope_source = _scope_source(config.get("scope"), f"{path}.scope")
    meter_cfg = config.get("meter")
    if not isinstance(meter_cfg, dict):
        raise config_error(f"{path}.meter", "is required: an object with unique_ids")
    counter_cfg = config.get("meter_counter")
    if counter_cfg is not None and not isinstance(counter_cfg, dict):
        raise config_error(f"{path}.meter_counter", "must be an object with unique_ids")

    data = scope.payload
    if "jsonataExpression" in config:
        data = scope.expression(config["jsonataExpression"], scope.root, f"{path}.jsonataExpression")
    updates: list[MeterReadingUpdate] = []
    for index, value in enumerate(expand(data)):
        item = scope.item(value)
        attributes, _types = map_fields(scope, config.get("fields"), item, path, file_proxy)
        meter = _ids(scope, meter_cfg, item, f"{path}.meter", index)
        counter = _ids(scope, counter_cfg, item, f"{path}.meter_counter", index) if counter_cfg else None
        _validate(attributes, path, index, mode, matching)
        updates.append(MeterReadingUpdate(
            meter={"$entity_unique_ids": meter},
            meter_counter={"$entity_unique_ids": counter} if counter is not None else None,
            attributes=attributes,
            mode=mode,
            reading_matching=matching,
            scope_source=scope_source,
            config_index=config_index,
        ))
    prunes = _prunes(scope, updates, meter_cfg, counter_cfg, scope_source, config_index, path) \
        if mode == "upsert-prune-scope" else []
    return updates, prunes


def _scope_source(scope_cfg: Any, path: str) -> str | None:
    if scope_cfg is None:
        return None
    if not isinstance(scope_cfg, dict):
        raise config_error(path, "must be an object")
    source = scope_cfg.get("source")
    if source is not None and not isinstance(source, str):
        raise config_error(f"{path}.source", "must be a string")
    return source


def _ids(scope: EventScope, cfg: dict, item, path: str, index: int) -> dict[str, Any]:
    ids, missing = resolve_unique_ids(scope, cfg.get("unique_ids"), item, f"{path}.unique_ids")
    if missing:
        raise reading_error(path, index, f"is missing unique identifiers: {', '.join(missing)}")
    return ids


def _validate(attributes: dict[str, Any], path: str, index: int, mode: str, matching: str) -> None:
    required = REQUIRED_ATTRIBUTES
    if mode == "delete":  # a delete only needs to find the reading
        required = ("external_id",) if matching == "external_id" else ("timestamp",)
    missing = [name for name in required if _empty(attributes.get(name, UNDEFINED))]
    if missing:
        raise reading_error(path, index, f"is missing required field attributes: {', '.join(missing)}")
    if "source" in attributes and attributes["source"] not in SOURCES:
        raise reading_error(path, index, f"has an invalid source {attributes['source']!r}: "
                                         f"must be one of {', '.join(SOURCES)}")
    if "timestamp" in attributes:
        normalised = normalise_timestamp(attributes["timestamp"])
        if normalised is None:
            raise reading_error(path, index, f"has an invalid timestamp {attributes['timestamp']!r}: "
                                             "must be an ISO 8601 date or date-time")
        attributes["timestamp"] = normalised


def reason_warnings(updates: list[MeterReadingUpdate]) -> list[MappingWarning]:
    """A reading is never rejected for its reason (ERPs export their own codes, e.g. ``monthly_billing``):
    it is mapped and stored as written, and a value outside the documented ones is reported here."""
    warnings = []
    for index, update in enumerate(updates):
        reason = update.attributes.get("reason")
        if reason not in (None, "") and reason not in REASONS:
            warnings.append(MappingWarning(
                "meter_reading", "reason",
                f"meter_readings[{update.config_index}] (item {index}): reason {reason!r} is not one of "
                f"{', '.join(REASONS)}; it is kept as written"))
    return warnings


def _empty(value: Any) -> bool:
    return value is UNDEFINED or value is None or value == ""


def normalise_timestamp(value: Any) -> str | None:
    """ISO 8601 to UTC ``YYYY-MM-DDTHH:MM:SS.sssZ``; a date alone is midnight UTC; no offset means UTC."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        if _DATE_ONLY.match(text):
            parsed = datetime.combine(date.fromisoformat(text), datetime.min.time())
        else:
            if text.endswith(("z", "Z")):
                text = text[:-1] + "+00:00"
            parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        parsed = parsed.astimezone(UTC)
    except OverflowError:  # e.g. 9999-12-31T23:59:59-12:00 is in year 10000 in UTC
        return None
    return (f"{parsed.year:04d}-{parsed.month:02d}-{parsed.day:02d}T{parsed.hour:02d}:{parsed.minute:02d}:"
            f"{parsed.second:02d}.{parsed.microsecond // 1000:03d}Z")


def _prunes(scope, updates, meter_cfg, counter_cfg, scope_source, config_index, path) -> list[MeterReadingPrune]:
    """One prune per meter (+counter) of the payload; with no readings, the meter named by the payload."""
    groups: dict[str, MeterReadingPrune] = {}
    for update in updates:
        key = repr((sorted(update.meter.items()), sorted((update.meter_counter or {}).items())))
        prune = groups.get(key)
        if prune is None:
            prune = groups[key] = MeterReadingPrune(update.meter, update.meter_counter, [], scope_source,
                                                    config_index)
        external_id = update.attributes.get("external_id")
        if external_id is not None and str(external_id) not in prune.kept_external_ids:
            prune.kept_external_ids.append(str(external_id))
    if not updates:
        meter, missing = resolve_unique_ids(scope, meter_cfg.get("unique_ids"), scope.root, f"{path}.meter.unique_ids")
        if missing:
            return []  # no reading and no meter to scope: nothing can be pruned safely
        counter = None
        if counter_cfg:
            counter, missing = resolve_unique_ids(scope, counter_cfg.get("unique_ids"), scope.root,
                                                  f"{path}.meter_counter.unique_ids")
            if missing:
                return []
        return [MeterReadingPrune({"$entity_unique_ids": meter},
                                  {"$entity_unique_ids": counter} if counter is not None else None,
                                  [], scope_source, config_index)]
    return list(groups.values())
