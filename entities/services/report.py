"""What one ``apply_mapping_result`` did, entity by entity and reading by reading (for monitoring rows)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ENTITY_ACTIONS = ("created", "updated", "no_change", "deleted", "purged", "pruned_deleted", "pruned_purged")
READING_ACTIONS = ("created", "updated", "no_change", "deleted")


@dataclass
class EntityOutcome:
    entity_schema: str
    entity_id: str | None
    action: str
    unique_identifiers: dict[str, Any]
    config_index: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "entity_schema": self.entity_schema,
            "entity_id": self.entity_id,
            "action": self.action,
            "unique_identifiers": self.unique_identifiers,
            "config_index": self.config_index,
        }


@dataclass
class MeterReadingOutcome:
    reading_id: str | None
    meter_id: str | None
    counter_id: str | None
    action: str
    external_id: str | None
    config_index: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "reading_id": self.reading_id,
            "meter_id": self.meter_id,
            "counter_id": self.counter_id,
            "action": self.action,
            "external_id": self.external_id,
            "config_index": self.config_index,
        }


@dataclass
class WriteReport:
    entity_outcomes: list[EntityOutcome] = field(default_factory=list)
    meter_reading_outcomes: list[MeterReadingOutcome] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "entity_outcomes": [o.as_dict() for o in self.entity_outcomes],
            "meter_reading_outcomes": [o.as_dict() for o in self.meter_reading_outcomes],
            "warnings": list(self.warnings),
        }
