"""The one error type of the entity store. Raised inside the write transaction, so nothing is written."""
from __future__ import annotations

from typing import Any


class StoreError(Exception):
    """``code`` e.g. UNIQUE_ID_MULTIPLE_MATCHES, ENTITY_NOT_FOUND, METER_NOT_FOUND, READING_MULTIPLE_MATCHES,
    INVALID_METER_READING; ``details`` names the place (entity_schema, unique_identifiers, config_index ...)."""

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

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"
