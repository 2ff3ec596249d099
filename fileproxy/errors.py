"""The file proxy's error vocabulary, all rendered as ``{"code", "message"}``.

Upstream problems are 502 with a code saying which kind; messages name the step and host but never the
query string, headers or bodies (they may carry credentials).
"""
from __future__ import annotations

from erpintegration.exceptions import ApplicationError
from erpintegration.lib import http


class UpstreamError(ApplicationError):
    status_code = 502
    code = "UPSTREAM_ERROR"


class ConfigurationError(ApplicationError):
    """The use case cannot run as configured (bad template, missing environment value, bad expression)."""

    status_code = 502
    code = "CONFIGURATION_ERROR"


class SignatureRejected(ApplicationError):
    status_code = 403
    code = "INVALID_SIGNATURE"


_CODES = {
    http.DestinationBlocked: "DESTINATION_BLOCKED",
    http.InvalidUrl: "INVALID_UPSTREAM_URL",
    http.RequestTimeout: "UPSTREAM_TIMEOUT",
    http.ConnectionFailed: "UPSTREAM_UNREACHABLE",
    http.TooManyRedirects: "UPSTREAM_TOO_MANY_REDIRECTS",
    http.ResponseTooLarge: "UPSTREAM_RESPONSE_TOO_LARGE",
    http.InvalidResponse: "UPSTREAM_INVALID_RESPONSE",
}


def from_http_error(exc: http.OutboundHttpError, what: str) -> UpstreamError:
    code = next((c for cls, c in _CODES.items() if isinstance(exc, cls)), "UPSTREAM_ERROR")
    return UpstreamError(f"{what}: {exc}", code=code)
