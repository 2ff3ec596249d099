"""Meter readings (docs/entity-store.md, meter readings): validation, matching by external_id or strict-date,
modes."""
from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from entities.models import Entity, MeterReading
from entities.services.context import WriteContext
from entities.services.errors import StoreError
from entities.services.lookup import find_by_unique_ids
from entities.services.report import MeterReadingOutcome

BERLIN = ZoneInfo("Europe/Berlin")
REQUIRED = ("external_id", "timestamp", "source", "value")
MODES = ("upsert", "delete", "upsert-prune-scope")
MATCHING = ("external_id", "strict-date")
COLUMNS = ("external_id", "timestamp", "value", "source", "reason", "direction")


def _invalid(message: str, config_index: int, **details) -> StoreError:
    return StoreError("INVALID_METER_READING", message, {"config_index": config_index, **details})


def parse_timestamp(value: Any) -> datetime | None:
    """ISO 8601; a date alone is midnight UTC; no offset means UTC."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime.combine(value, time())
    elif isinstance(value, str) and value.strip():
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    else:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_value(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def berlin_day(moment: datetime) -> tuple[datetime, datetime]:
    """The Europe/Berlin calendar day holding ``moment``, as an aware [start, end) range."""
    day = moment.astimezone(BERLIN).date()
    start = datetime.combine(day, time(), tzinfo=BERLIN)
    end = datetime.combine(day + timedelta(days=1), time(), tzinfo=BERLIN)
    return start, end


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def validate_reading(update, index: int) -> dict[str, Any]:
    """Check the attributes the mode needs; returns the parsed columns."""
    attributes = update.attributes if isinstance(update.attributes, dict) else {}
    where = f"(item {index})"
    if update.mode not in MODES:
        raise _invalid(f"{where} mode '{update.mode}' must be one of {', '.join(MODES)}", update.config_index,
                       item=index, field="mode")
    if update.reading_matching not in MATCHING:
        raise _invalid(f"{where} reading_matching '{update.reading_matching}' must be one of "
                       f"{', '.join(MATCHING)}", update.config_index, item=index, field="reading_matching")
    if update.mode == "delete":
        needed = ("timestamp",) if update.reading_matching == "strict-date" else ("external_id",)
    else:
        needed = REQUIRED
    missing = [name for name in needed if attributes.get(name) in (None, "")]
    if missing:
        raise _invalid(f"{where} is missing required field attributes: {', '.join(missing)}", update.config_index,
                       item=index, missing=missing)
    columns: dict[str, Any] = {"external_id": _text(attributes.get("external_id"))}
    if attributes.get("timestamp") not in (None, ""):
        timestamp = parse_timestamp(attributes["timestamp"])
        if timestamp is None:
            raise _invalid(f"{where} timestamp '{attributes['timestamp']}' is not ISO 8601", update.config_index,
                           item=index, field="timestamp")
        columns["timestamp"] = timestamp
    if update.mode != "delete":
        value = parse_value(attributes["value"])
        if value is None:
            raise _invalid(f"{where} value '{attributes['value']}' is not a number", update.config_index,
                           item=index, field="value")
        columns["value"] = value
        source = _text(attributes["source"])
        if source not in MeterReading.SOURCES:
            raise _invalid(f"{where} source '{source}' must be one of {', '.join(MeterReading.SOURCES)}",
                           update.config_index, item=index, field="source")
        columns["source"] = source
        # never rejected for its reason: kept as written (bounded by the column), flagged by apply_reading_update
        columns["reason"] = _text(attributes.get("reason"))[:MeterReading.REASON_MAX_LENGTH]
    columns["direction"] = _text(attributes.get("direction"))
    return columns


def resolve_meter(ctx: WriteContext, ref: Any, schema: str, config_index: int, *, required: bool) -> Entity | None:
    """The meter (schema ``meter``) or counter (``meter_counter``) named by ``{"$entity_unique_ids": {...}}``."""
    if ref is None:
        return None
    ids = ref.get("$entity_unique_ids") if isinstance(ref, dict) else None
    if not isinstance(ids, dict) or not ids:
        raise _invalid(f"'{schema}' needs $entity_unique_ids", config_index, field=schema)
    matches = find_by_unique_ids(ctx.organization, schema, ids)
    if len(matches) > 1:
        raise StoreError("UNIQUE_ID_MULTIPLE_MATCHES", f"More than one '{schema}' entity matches {ids}",
                         {"entity_schema": schema, "unique_identifiers": ids, "config_index": config_index})
    if not matches:
        if not required:
            return None
        code = "METER_NOT_FOUND" if schema == "meter" else "METER_COUNTER_NOT_FOUND"
        raise StoreError(code, f"No '{schema}' entity matches {ids}",
                         {"entity_schema": schema, "unique_identifiers": ids, "config_index": config_index})
    return matches[0]


def _find_reading(ctx, meter, counter, columns, matching: str, config_index: int) -> MeterReading | None:
    qs = MeterReading.objects.filter(organization=ctx.organization, meter=meter, counter=counter)
    if matching == "strict-date":
        start, end = berlin_day(columns["timestamp"])
        qs = qs.filter(direction=columns["direction"], timestamp__gte=start, timestamp__lt=end)
    else:
        qs = qs.filter(external_id=columns["external_id"])
    found = list(qs.select_for_update()[:2])
    if len(found) > 1:
        raise StoreError(
            "READING_MULTIPLE_MATCHES",
            f"More than one reading of meter {meter.pk} matches ({matching})",
            {"meter_id": str(meter.pk), "counter_id": str(counter.pk) if counter else None,
             "reading_matching": matching, "external_id": columns.get("external_id"),
             "config_index": config_index, "reading_ids": [str(r.pk) for r in found]},
        )
    return found[0] if found else None


def apply_reading_update(ctx: WriteContext, update, index: int) -> None:
    columns = validate_reading(update, index)
    if columns.get("reason") and columns["reason"] not in MeterReading.REASONS:
        ctx.warn(f"NON_STANDARD_READING_REASON: meter_readings[{update.config_index}] (item {index}) reason "
                 f"'{columns['reason']}' is not one of {', '.join(MeterReading.REASONS)}; stored as written")
    meter = resolve_meter(ctx, update.meter, "meter", update.config_index, required=True)
    counter = resolve_meter(ctx, update.meter_counter, "meter_counter", update.config_index, required=True)
    reading = _find_reading(ctx, meter, counter, columns, update.reading_matching, update.config_index)

    def outcome(reading_id, action, external_id):
        ctx.report.meter_reading_outcomes.append(MeterReadingOutcome(
            reading_id, str(meter.pk), str(counter.pk) if counter else None, action, external_id or None,
            update.config_index))

    if update.mode == "delete":
        if reading is None:
            outcome(None, "no_change", columns["external_id"])
            return
        reading_id, external_id = str(reading.pk), reading.external_id
        reading.delete()
        outcome(reading_id, "deleted", external_id)
        return
    attributes = {k: v for k, v in update.attributes.items() if k not in COLUMNS}  # the extras
    if reading is None:
        reading = MeterReading(organization=ctx.organization, meter=meter, counter=counter, attributes=attributes,
                               created_at=ctx.now, updated_at=ctx.now, last_event_id=ctx.event_id or "",
                               last_integration_id=ctx.integration_id or "", **columns)
        reading.save(force_insert=True)
        outcome(str(reading.pk), "created", reading.external_id)
        return
    merged = {**reading.attributes, **attributes}
    before = (reading.external_id, reading.timestamp, reading.value, reading.source, reading.reason,
              reading.direction, reading.attributes)
    for name, value in columns.items():
        setattr(reading, name, value)
    reading.attributes = merged
    after = (reading.external_id, reading.timestamp, reading.value, reading.source, reading.reason,
             reading.direction, reading.attributes)
    if before == after:
        outcome(str(reading.pk), "no_change", reading.external_id)
        return
    reading.updated_at = ctx.now
    reading.last_event_id = ctx.event_id or ""
    reading.last_integration_id = ctx.integration_id or ""
    reading.save()
    outcome(str(reading.pk), "updated", reading.external_id)


def apply_reading_prune(ctx: WriteContext, prune) -> None:
    """Delete the meter's (+counter's) readings whose external_id was not in the payload (only ``source`` ones)."""
    meter = resolve_meter(ctx, prune.meter, "meter", prune.config_index, required=False)
    counter = resolve_meter(ctx, prune.meter_counter, "meter_counter", prune.config_index, required=False)
    if meter is None or (prune.meter_counter is not None and counter is None):
        ctx.warn(f"meter reading prune scope (meter_readings[{prune.config_index}]): meter or counter not found; "
                 "nothing pruned")
        return
    qs = MeterReading.objects.filter(organization=ctx.organization, meter=meter, counter=counter)
    if prune.scope_source:
        qs = qs.filter(source=prune.scope_source)
    kept = [_text(e) for e in prune.kept_external_ids or [] if e not in (None, "")]
    for reading in list(qs.exclude(external_id__in=kept).order_by("timestamp")):
        reading_id, external_id = str(reading.pk), reading.external_id
        reading.delete()
        ctx.report.meter_reading_outcomes.append(MeterReadingOutcome(
            reading_id, str(meter.pk), str(counter.pk) if counter else None, "deleted", external_id or None,
            prune.config_index))
