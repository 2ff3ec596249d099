"""State shared by the steps of one ``apply_mapping_result`` call (one transaction)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .report import WriteReport


@dataclass
class WriteContext:
    organization: object
    integration_id: str
    event_id: str | None
    now: datetime
    report: WriteReport = field(default_factory=WriteReport)
    # config_index -> ids of entities upserted by that entity configuration (kept by prune scopes).
    upserted: dict[int, set] = field(default_factory=dict)

    def warn(self, message: str) -> None:
        self.report.warnings.append(message)
