"""One DRF exception handler: every API error is ``{"code", "message"}`` (plus optional ``details``)."""
import logging

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response

from erpintegration.exceptions import ApplicationError

logger = logging.getLogger(__name__)

_DRF_CODES = {
    exceptions.NotAuthenticated: "UNAUTHORIZED",
    exceptions.AuthenticationFailed: "UNAUTHORIZED",
    exceptions.PermissionDenied: "FORBIDDEN",
    exceptions.NotFound: "NOT_FOUND",
    exceptions.MethodNotAllowed: "METHOD_NOT_ALLOWED",
    exceptions.NotAcceptable: "NOT_ACCEPTABLE",
    exceptions.UnsupportedMediaType: "UNSUPPORTED_MEDIA_TYPE",
    exceptions.Throttled: "RATE_LIMITED",
    exceptions.ParseError: "MALFORMED_REQUEST",
}


def error_details(detail, prefix: str = "") -> list[dict]:
    """DRF error detail (nested dicts/lists) as ``[{"path", "message"}]`` (``details`` of a 400)."""
    if isinstance(detail, dict):
        out = []
        for key, value in detail.items():
            name = "" if key == "non_field_errors" else str(key)
            if name.isdigit():  # DRF keys list positions by index: render them as [i]
                path = f"{prefix}[{name}]"
            else:
                path = f"{prefix}.{name}" if prefix and name else (prefix or name)
            out.extend(error_details(value, path))
        return out
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return [{"path": prefix, "message": str(item)} for item in detail]
        out = []
        for index, item in enumerate(detail):
            out.extend(error_details(item, f"{prefix}[{index}]"))
        return out
    return [{"path": prefix, "message": str(detail)}]


def flatten_errors(detail, prefix: str = "") -> list[str]:
    """DRF error detail as ``path: message`` strings."""
    return [f"{e['path']}: {e['message']}" if e["path"] else e["message"] for e in error_details(detail, prefix)]


def api_exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        return Response(exc.as_body(), status=exc.status_code)
    if isinstance(exc, Http404):
        return Response({"code": "NOT_FOUND", "message": str(exc) or "Not found"}, status=404)
    if isinstance(exc, PermissionDenied):
        return Response({"code": "FORBIDDEN", "message": str(exc) or "Forbidden"}, status=403)
    if isinstance(exc, RequestDataTooBig):
        return Response({"code": "PAYLOAD_TOO_LARGE", "message": "Request body is too large"}, status=413)
    if isinstance(exc, exceptions.ValidationError):
        messages = flatten_errors(exc.detail)
        return Response(
            {"code": "VALIDATION_ERROR", "message": "; ".join(messages) or "Invalid request",
             "details": error_details(exc.detail)},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, exceptions.APIException):
        code = next((c for cls, c in _DRF_CODES.items() if isinstance(exc, cls)), "ERROR")
        detail = exc.detail
        message = detail if isinstance(detail, str) else "; ".join(flatten_errors(detail))
        if isinstance(exc, exceptions.ParseError):
            message = f"Malformed request body: {message}"
        response = Response({"code": code, "message": str(message)}, status=exc.status_code)
        if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
            response["WWW-Authenticate"] = 'Bearer realm="api"'
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            response["Retry-After"] = str(max(1, int(exc.wait + 0.999)))
        return response
    if isinstance(exc, OperationalError | InterfaceError):
        logger.error("database unavailable: %s", exc)
        response = Response({"code": "SERVICE_UNAVAILABLE",
                             "message": "The database is unavailable; try again shortly"}, status=503)
        response["Retry-After"] = "5"
        return response
    logger.exception("Unhandled API error", exc_info=exc)
    return Response({"code": "INTERNAL_ERROR", "message": "Internal server error"}, status=500)
