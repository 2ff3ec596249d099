"""What every log line should say about where it comes from: request id, organisation, integration and
correlation id, kept in a context variable (per thread / task) and added to records by ``ContextFilter``.

``LOG_FORMAT=json`` (settings) switches the console to ``JsonFormatter``: one JSON object per line with
those fields, for log shippers. Requests bind the request (``RequestContextMiddleware`` in monitoring);
inbound processing binds each event it works on (``bind_event``).
"""
from __future__ import annotations

import json
import logging
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

_context: ContextVar[dict | None] = ContextVar("erpintegration_log_context", default=None)
FIELDS = ("request_id", "organization", "integration", "correlation_id")


def bind(**values) -> None:
    _context.set({**(_context.get() or {}), **values})


def clear() -> None:
    _context.set(None)


@contextmanager
def scope(**values):
    token = _context.set({**(_context.get() or {}), **values})
    try:
        yield
    finally:
        _context.reset(token)


def bind_event(event) -> None:
    """The inbound event being mapped or written (its correlation id travels with its log lines)."""
    bind(organization=event.organization_id, integration=str(event.integration_id),
         correlation_id=event.correlation_id, event_id=str(event.pk))


def _from_request(request) -> dict:
    values = {"request_id": getattr(request, "request_id", None)}
    organization = getattr(request, "organization", None)
    token = getattr(request, "auth", None)
    values["organization"] = getattr(organization, "pk", None) or getattr(token, "organization_id", None)
    match = getattr(request, "resolver_match", None)
    if match is not None and match.kwargs.get("integration_id"):
        values["integration"] = str(match.kwargs["integration_id"])
    return values


def current() -> dict:
    """The context of this thread or task, the request's fields read now (they fill in as it proceeds)."""
    values = dict(_context.get() or {})
    request = values.pop("request", None)
    if request is not None:
        values = {**_from_request(request), **{k: v for k, v in values.items() if v is not None}}
    return values


class ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        values = current()
        for name in (*FIELDS, "event_id"):
            if not hasattr(record, name):
                setattr(record, name, values.get(name))
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the context fields, and the exception."""

    def format(self, record: logging.LogRecord) -> str:
        body = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in (*FIELDS, "event_id"):
            value = getattr(record, name, None)
            if value is not None:
                body[name] = value
        if record.exc_info:
            body["exception"] = self.formatException(record.exc_info)
        return json.dumps(body, ensure_ascii=False, default=str)
