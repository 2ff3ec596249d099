"""Errors of managed calls, shaped as ``ManagedCallErrorResponse{error{code, message, details?}}``."""
from __future__ import annotations

from erpintegration.exceptions import ApplicationError, NotFound


class ManagedCallError(ApplicationError):
    """Rendered by the execute view in the contract's ``{"error": {...}}`` envelope."""

    status_code = 500
    code = "MANAGED_CALL_EXECUTION_ERROR"

    def as_body(self) -> dict:
        error = {"code": self.code, "message": self.message}
        if self.details is not None:
            error["details"] = self.details
        return {"error": error}


class ManagedCallBadRequest(ManagedCallError):
    """A malformed execute request: the contract's 400 is the same ``{"error": {...}}`` envelope."""

    status_code = 400
    code = "VALIDATION_ERROR"


class SsrfBlocked(ManagedCallError):
    status_code = 400
    code = "SSRF_BLOCKED"


class ExternalApiError(ManagedCallError):
    status_code = 502
    code = "EXTERNAL_API_ERROR"


class ManagedCallNotFound(NotFound):
    """The contract's 404 for execute is the plain ``{code, message}`` shape."""
