"""The monitoring code registry: every code the hub emits, each with one fixed level.

``MonitoringEventV2.code`` stays a plain string (the secure proxy adds ``HTTP_{status}``), but every code in
this registry always carries the same level, so a row's level can never contradict its code. The set of names
is the contract's ``MonitoringCode`` enum (``tests/monitoring/test_codes.py`` compares them).
"""
from __future__ import annotations

import re

SUCCESS, ERROR, WARNING, INFO = "success", "error", "warning", "info"
LEVELS = (SUCCESS, ERROR, WARNING, INFO)

_BY_LEVEL: dict[str, tuple[str, ...]] = {
    SUCCESS: (
        "CONDITIONAL_VARIANTS_WRITTEN", "ENTITY_CREATED", "ENTITY_DELETED", "ENTITY_UPDATED",
        "EXTERNAL_SUCCESS", "FILE_PROXY_OK", "FILE_PROXY_UPLOADED", "METER_READING_DELETED",
        "METER_READING_UPSERTED", "PRUNE_SCOPE_COMPLETED", "WEBHOOK_DELIVERED",
    ),
    INFO: (
        # the ACK lifecycle and the poll queue's life are info (the contract's info_count names them)
        "ACK_CONFIRMED", "ACK_PENDING", "DUPLICATE_EVENT", "ENTITY_NO_OP", "EVENT_NOT_CONFIGURED", "EXTERNAL_INFO",
        "FAN_OUT_EMPTY", "FILE_PROXY_UPLOAD_ENQUEUED", "MSG_ACKED", "MSG_ENQUEUED", "STEP_DISABLED",
        "USE_CASE_DISABLED",
    ),
    WARNING: (
        "ACK_TIMEOUT", "CONDITIONAL_VARIANT_WRITE_WARNING", "DEPRECATED_ENDPOINT", "EXTERNAL_WARNING",
        "FILE_PROXY_UPLOAD_RETRYING", "LOOKUP_UNMAPPED", "METER_READING_GROUP_RETRYING",
        "PRUNE_SCOPE_PARTIAL_FAILURE", "RELATION_REF_ITEM_NOT_FOUND",
        "RELATION_REF_VALUE_UNDEFINED", "SIGNATURE_VERIFICATION_UNAVAILABLE", "SOFT_DELETED_ENTITY_MATCHED",
    ),
    ERROR: (
        "ATTACHMENT_NOT_FOUND", "ATTRIBUTE_TYPE_MISMATCH", "CONDITIONAL_VARIANT_WRITE_FAILED",
        "DIRECT_ENTITY_NOT_ALLOWED", "DIRECT_PAYLOAD_INVALID", "DIRECT_VERSION_UNSUPPORTED",
        "ENTITY_REFERENCE_NOT_FOUND", "EXTERNAL_API_ERROR", "EXTERNAL_ERROR", "FAN_OUT_INVALID_RESULT",
        "FILE_EXTRACTION_FAILED", "FILE_FETCH_FAILED", "FILE_PROXY_UPLOAD_FAILED", "FILE_TOO_LARGE",
        "INTEGRATION_NOT_FOUND", "INVALID_METER_READING_ATTRIBUTES", "MALFORMED_PAYLOAD",
        "MAPPING_EXPRESSION_FAILED", "METERING_API_ERROR", "METER_READING_GROUP_FAILED", "MISSING_REQUIRED_PARAM",
        "MISSING_UNIQUE_IDENTIFIERS", "MSG_DEAD_LETTERED", "MSG_EXPIRED_UNPOLLED", "MSG_HEAD_BLOCKED",
        "OAUTH2_TOKEN_FAILURE", "PAYLOAD_TOO_LARGE",
        "RECURSION_DEPTH_EXCEEDED", "REQUIRED_PARAM_MISSING", "SECURE_PROXY_DISABLED", "SECURE_PROXY_DOMAIN_BLOCKED",
        "SECURE_PROXY_DOMAIN_NOT_ALLOWED", "SECURE_PROXY_ERROR", "SECURE_PROXY_INVALID_CONFIG",
        "SECURE_PROXY_INVALID_TYPE", "SECURE_PROXY_INVALID_URL", "SECURE_PROXY_IP_BLOCKED",
        "SECURE_PROXY_IP_NOT_ALLOWED", "SECURE_PROXY_NOT_FOUND", "SECURE_PROXY_UNAVAILABLE",
        "SIGNATURE_VERIFICATION_FAILED", "TIMEOUT", "UNIQUE_ID_MULTIPLE_MATCHES", "UNIQUE_ID_NOT_IN_SCHEMA",
        "UNKNOWN_ERROR", "USE_CASE_INVALID_TYPE", "USE_CASE_MISSING_CONFIG", "USE_CASE_NOT_FOUND",
    ),
}

LEVEL_OF: dict[str, str] = {code: level for level, codes in _BY_LEVEL.items() for code in codes}
CODES: frozenset[str] = frozenset(LEVEL_OF)
HTTP_CODE = re.compile(r"^HTTP_[1-5][0-9]{2}$")

# Code sentinels of notification scopes (settings.notifications monitoredCodes / rule codes).
SENTINELS = ("_error_", "_warning_", "_success_", "_info_", "_any_", "_parent_")
EXTERNAL_BY_LEVEL = {SUCCESS: "EXTERNAL_SUCCESS", ERROR: "EXTERNAL_ERROR", WARNING: "EXTERNAL_WARNING",
                     INFO: "EXTERNAL_INFO"}

# v1 inbound error codes (the pipeline's historical names) and the registry code each stands for in v2.
V1_CODE_TO_V2 = {
    "INVALID_PAYLOAD": "MALFORMED_PAYLOAD",
    "INVALID_JSON": "MALFORMED_PAYLOAD",
    "INVALID_XML": "MALFORMED_PAYLOAD",
    "JSONATA_ERROR": "MAPPING_EXPRESSION_FAILED",
    "MAPPING_ERROR": "MAPPING_EXPRESSION_FAILED",
    "JSONATA_TIMEOUT": "TIMEOUT",
    "INVALID_CONFIGURATION": "USE_CASE_MISSING_CONFIG",
    "INVALID_METER_READING": "INVALID_METER_READING_ATTRIBUTES",
    "ENTITY_NOT_FOUND": "ENTITY_REFERENCE_NOT_FOUND",
    "METER_NOT_FOUND": "ENTITY_REFERENCE_NOT_FOUND",
    "PROCESSING_FAILED": "UNKNOWN_ERROR",
    "WEBHOOK_FAILED": "EXTERNAL_API_ERROR",
}


class UnknownCode(ValueError):
    pass


def is_known(code: str) -> bool:
    """A registry code or an ``HTTP_nnn`` code."""
    return code in CODES or bool(HTTP_CODE.match(code))


def level_of(code: str) -> str | None:
    """The fixed level of a registry code (``None`` for ``HTTP_nnn`` and codes outside the registry)."""
    return LEVEL_OF.get(code)


def resolve_level(code: str, level: str | None) -> str:
    """The level a row with ``code`` gets: the registry's fixed level (a conflicting ``level`` is a bug in the
    caller and raises), else the given level (``HTTP_nnn`` and ``""`` need one; ``""`` defaults to success)."""
    fixed = LEVEL_OF.get(code)
    if fixed is not None:
        if level is not None and level != fixed:
            raise ValueError(f"{code} is always {fixed}, not {level}")
        return fixed
    if level is None:
        if code == "":
            return SUCCESS
        raise UnknownCode(f"{code!r} is not a monitoring code; pass level= for HTTP_nnn or custom codes")
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}")
    return level


def v2_code_for_v1(error_code: str | None) -> str:
    """The registry code a v1 error code is reported under in v2 (unknown ones are kept as they are)."""
    if not error_code:
        return ""
    return V1_CODE_TO_V2.get(error_code, error_code)


def codes_for_sentinel(sentinel: str) -> frozenset[str] | None:
    """The registry codes a scope sentinel stands for (``_any_``/``_parent_`` → ``None``: no code filter)."""
    level = {"_error_": ERROR, "_warning_": WARNING, "_success_": SUCCESS, "_info_": INFO}.get(sentinel)
    return None if level is None else frozenset(_BY_LEVEL[level])
