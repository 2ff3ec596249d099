"""A store row in the v1.33 ``MonitoringEventV2`` shape, and the v2 id that carries the row's primary key."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from monitoring.models import MonitoringEvent

# UUID version 8 (RFC 9562 "custom"): 48 fixed bits naming this layout, the version, 12 zero bits, the variant,
# and the primary key in the last 62 bits. Stable, unique per row, and decodable for keyset paging.
_PREFIX = 0x6D6F6E763232  # "monv22"
_KEY_BITS = 62


def v2_id(pk: int) -> str:
    value = (_PREFIX << 80) | (0x8 << 76) | (0b10 << 62) | (pk & ((1 << _KEY_BITS) - 1))
    return str(uuid.UUID(int=value))


def pk_of_v2_id(value: str) -> int | None:
    """The primary key a v2 id carries; ``None`` for a UUID this store did not mint."""
    try:
        number = uuid.UUID(str(value)).int
    except ValueError:
        return None
    if number >> 80 != _PREFIX or (number >> 76) & 0xF != 0x8:
        return None
    return number & ((1 << _KEY_BITS) - 1)


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def as_v2(row: MonitoringEvent) -> dict[str, Any]:
    """The ``MonitoringEventV2`` body (no ``skipped``: v1 skipped rows are info)."""
    return {
        "id": v2_id(row.pk),
        "org_id": row.organization_id,
        "integration_id": row.integration_id or "",
        "event_id": row.event_id,
        "correlation_id": row.correlation_id or "",
        "use_case_id": row.use_case_id or "",
        "use_case_type": row.use_case_type or "",
        "level": row.level,
        "code": row.code or "",
        "message": row.message or "",
        "detail": row.details or None,
        "created_at": iso(row.completed_at),
    }
