"""Event payloads (JSON text, a JSON object, or XML text) to the data the mapping evaluates."""
from __future__ import annotations

import json
from typing import Any

from .results import MappingError
from .xml import XmlPayloadError, xml_to_data

FORMATS = ("json", "xml")


def parse_payload(payload: str | dict, format: str = "json") -> Any:  # noqa: A002 - the contract's name
    """The parsed payload; raises ``MappingError(code="INVALID_PAYLOAD")`` naming what is wrong.

    ``json``: a JSON text or an already-parsed object. ``xml``: XML text only (an object is refused).
    """
    if format not in FORMATS:
        raise MappingError("INVALID_PAYLOAD", f"format must be one of {', '.join(FORMATS)}, not {format!r}",
                           {"path": "format"})
    if format == "xml":
        if not isinstance(payload, str | bytes):
            raise MappingError("INVALID_PAYLOAD", "An XML payload must be sent as a string",
                               {"path": "payload"})
        try:
            return xml_to_data(payload)
        except XmlPayloadError as exc:
            raise MappingError("INVALID_PAYLOAD", str(exc), {"path": "payload"}) from None
    if isinstance(payload, dict | list):
        return payload
    if isinstance(payload, bytes):
        payload = payload.decode("utf-8", errors="replace")
    if not isinstance(payload, str):
        raise MappingError("INVALID_PAYLOAD", "payload must be a JSON string or an object", {"path": "payload"})
    try:
        return json.loads(payload, parse_constant=_reject_constant)
    except ValueError as exc:  # JSONDecodeError, NaN/Infinity
        raise MappingError("INVALID_PAYLOAD", f"payload is not valid JSON: {exc}", {"path": "payload"}) from None
    except RecursionError:
        raise MappingError("INVALID_PAYLOAD", "payload is nested too deeply", {"path": "payload"}) from None


def _reject_constant(name: str):
    raise ValueError(f"{name} is not a JSON value")
