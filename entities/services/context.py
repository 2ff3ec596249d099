"""State shared by the steps of one ``apply_mapping_result`` call (one transaction)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from entities.services.report import WriteReport


def identity_key(unique_ids: dict[str, Any]) -> tuple:
    return tuple(sorted((key, repr(value)) for key, value in unique_ids.items()))


@dataclass
class WriteContext:
    organization: object
    integration_id: str
    event_id: str | None
    now: datetime
    report: WriteReport = field(default_factory=WriteReport)
    # config_index -> ids of entities upserted by that entity configuration (kept by prune scopes).
    upserted: dict[int, set] = field(default_factory=dict)
    # identity advisory-lock keys this transaction holds (taken once, kept until it ends)
    locked: set[int] = field(default_factory=set)
    # entities this call upserted, by (schema, identity), while nothing else of their schema was written since:
    # a relation naming one of them (a contract's customer upserted just before) needs no lookup
    known: dict[tuple, Any] = field(default_factory=dict)

    def remember(self, schema: str, unique_ids: dict[str, Any], entity) -> None:
        self.known[(schema, identity_key(unique_ids))] = entity

    def recall(self, schema: str, unique_ids: dict[str, Any]):
        return self.known.get((schema, identity_key(unique_ids))) if self.known else None

    def forget(self, schema: str) -> None:
        """Any write of ``schema`` may change which entity an identity finds: drop what was remembered."""
        if self.known:
            self.known = {key: entity for key, entity in self.known.items() if key[0] != schema}

    def warn(self, message: str) -> None:
        self.report.warnings.append(message)
