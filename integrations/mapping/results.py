"""What the mapping engine produces and the entity store consumes. Pure data, no Django.

Interface contract between ``integrations.mapping`` (producer) and ``entities.services`` (consumer):

* ``EntityUpdate.unique_identifiers``: attribute name -> value (AND). A ``_type`` email/phone id uses the
  key ``"<attribute>.<type>"`` (e.g. ``"email.email"``) with the scalar value: "search inside the
  repeatable values". ``{"_id": "<uuid>"}`` alone means a direct lookup by entity id.
* Relations in ``attributes`` stay unresolved:
  ``{"$relation": {"<op>": [{"$entity_unique_ids": {...}, "_schema": "contact", "_tags": [...]}]}}``
  with ``<op>`` one of ``_set``, ``_append``, ``_append_all``.
* Relation references stay unresolved:
  ``{"$relation_ref": {"<op>": [{"$entity_unique_ids": {...}, "_schema": "...", "path": "...",
  "value": {"attribute": "...", "operation": "_set|_append|_append_all", "value": <resolved value>}}]}}``
* Array operations on plain attributes: ``{"_set"|"_append"|"_append_all": [...]}``, applied by the store.
* ``PruneScope`` is emitted once per entity configuration in a prune mode, even with zero items
  (zero items prune the whole scope), resolved against the original payload.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ENTITY_MODES = ("upsert", "delete", "purge", "upsert-prune-scope-purge", "upsert-prune-scope-delete")
METER_READING_MODES = ("upsert", "delete", "upsert-prune-scope")
READING_MATCHING = ("external_id", "strict-date")


def effective_mode(mode: str) -> str:
    """The runtime mode a simulation reports: prune modes upsert (their destructive part is the prune)."""
    return "upsert" if mode.startswith("upsert") else mode


@dataclass
class EntityUpdate:
    entity_slug: str
    unique_identifiers: dict[str, Any]
    attributes: dict[str, Any]
    mode: str = "upsert"
    config_index: int = 0

    def to_contract(self) -> dict[str, Any]:
        return {
            "entity_slug": self.entity_slug,
            "unique_identifiers": self.unique_identifiers,
            "attributes": self.attributes,
            "mode": effective_mode(self.mode),
        }


@dataclass
class PruneScope:
    """After the upserts of one entity configuration, delete/purge the in-scope entities not upserted."""

    entity_schema: str
    action: str  # "delete" | "purge"
    scope_mode: str  # "relations" | "query"
    config_index: int
    scope_schema: str | None = None  # relations: schema of the scope entity
    scope_unique_ids: dict[str, Any] | None = None  # relations: resolved ids of the scope entity
    query: dict[str, Any] | None = None  # query: attribute -> resolved value

    def to_contract(self, kept: list[dict[str, Any]]) -> dict[str, Any]:
        """``EntityPruneScopeUpdate``: ``kept`` are the identifiers this configuration upserts."""
        scope: dict[str, Any] = {"scope_mode": self.scope_mode}
        if self.scope_mode == "relations":
            scope["schema"] = self.scope_schema
            scope["unique_ids"] = self.scope_unique_ids or {}
        else:
            scope["query"] = self.query or {}
        return {"entity_slug": self.entity_schema, "scope": scope, "keep_unique_ids": kept,
                "deletion_mode": self.action}


@dataclass
class MeterReadingUpdate:
    meter: dict[str, Any]  # {"$entity_unique_ids": {...}}
    attributes: dict[str, Any]
    meter_counter: dict[str, Any] | None = None
    mode: str = "upsert"
    reading_matching: str = "external_id"
    scope_source: str | None = None
    config_index: int = 0

    def to_contract(self) -> dict[str, Any]:
        out: dict[str, Any] = {"meter": self.meter}
        if self.meter_counter is not None:
            out["meter_counter"] = self.meter_counter
        out["attributes"] = self.attributes
        out["mode"] = effective_mode(self.mode)
        return out


@dataclass
class MeterReadingPrune:
    """``upsert-prune-scope`` for readings: the meter (+counter) whose other readings are deleted."""

    meter: dict[str, Any]
    meter_counter: dict[str, Any] | None
    kept_external_ids: list[str]
    scope_source: str | None
    config_index: int

    def to_contract(self) -> dict[str, Any]:
        """``MeterReadingPruneScopeUpdate``."""
        out: dict[str, Any] = {"meter": self.meter}
        if self.meter_counter is not None:
            out["meter_counter"] = self.meter_counter
        out["keep_external_ids"] = list(self.kept_external_ids)
        if self.scope_source:
            out["source"] = self.scope_source
        return out


@dataclass
class MappingWarning:
    entity_schema: str
    field: str
    message: str
    code: str | None = None  # e.g. ENV_VAR_REF_NOT_FOUND; the contract's warning has no code: it leads the message

    def to_contract(self) -> dict[str, str]:
        return {"entity_schema": self.entity_schema, "field": self.field, "message": self.message}


@dataclass
class MappingResult:
    entity_updates: list[EntityUpdate] = field(default_factory=list)
    meter_readings_updates: list[MeterReadingUpdate] = field(default_factory=list)
    prune_scopes: list[PruneScope] = field(default_factory=list)
    meter_reading_prunes: list[MeterReadingPrune] = field(default_factory=list)
    warnings: list[MappingWarning] = field(default_factory=list)

    def to_contract(self) -> dict[str, Any]:
        """The ``MappingSimulationResponse`` shape."""
        return {
            "entity_updates": [u.to_contract() for u in self.entity_updates],
            "meter_readings_updates": [u.to_contract() for u in self.meter_readings_updates],
            "prune_scope_updates": [
                scope.to_contract([u.unique_identifiers for u in self.entity_updates
                                   if u.config_index == scope.config_index])
                for scope in self.prune_scopes],
            "meter_readings_prune_scope_updates": [p.to_contract() for p in self.meter_reading_prunes],
            "warnings": [w.to_contract() for w in self.warnings],
        }


class MappingError(Exception):
    """A configuration, payload or expression error for one event.

    ``code`` e.g. MISSING_UNIQUE_IDENTIFIERS, JSONATA_ERROR, INVALID_PAYLOAD, INVALID_CONFIGURATION;
    ``details`` names the place: {"path": "entities[0].fields[2].jsonataExpression", "jsonata": {...}}.
    """

    def __init__(self, code: str, message: str, details: dict[str, Any] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or {}

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            body["details"] = self.details
        return body
