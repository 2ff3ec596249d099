"""Managed-call use-case configuration (``ManagedCallOperationConfig``) and ``type_annotations``.

One API operation of the integration's connector: method, a path with ``{{var}}`` placeholders, headers
and query parameters (templates), optional JSONata request/response mappings and an optional inbound
use case (by slug) that receives the response. Only configuration here: executing it is a later package.
"""
from __future__ import annotations

from typing import Any

from integrations.configuration.checks import MISSING, Checker
from integrations.configuration.issues import key_path

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
SLUG_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"


def validate_managed_call(config: Any, check: Checker, path: str) -> None:
    if not check.object(config, path):
        return
    operation = check.required(config, "operation", path)
    if operation is not MISSING:
        _operation(operation, check, key_path(path, "operation"))
    for key in ("request_mapping", "response_mapping"):
        if key in config:
            check.jsonata(config[key], key_path(path, key))
    if "inbound_use_case_slug" in config:
        check.string(config["inbound_use_case_slug"], key_path(path, "inbound_use_case_slug"), pattern=SLUG_PATTERN)


def _operation(operation: Any, check: Checker, path: str) -> None:
    if not check.object(operation, path):
        return
    method = check.required(operation, "method", path)
    if method is not MISSING:
        check.enum(method, key_path(path, "method"), METHODS)
    op_path = check.required(operation, "path", path)
    if op_path is not MISSING and check.string(op_path, key_path(path, "path")):
        check.template(op_path, key_path(path, "path"))
    for key in ("headers", "query_params"):
        if key in operation:
            check.string_map(operation[key], key_path(path, key), templates=True)


def validate_type_annotations(value: Any, check: Checker, path: str) -> None:
    """``TypeAnnotations{request?, response?}``: each a map of dot-path -> type name (strings)."""
    if not check.object(value, path):
        return
    for key in ("request", "response"):
        if key in value:
            check.string_map(value[key], key_path(path, key))
