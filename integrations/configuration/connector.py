"""An integration's ``connector_config`` (shared base URL and auth of its managed calls).

Secrets never live in configuration: ``client_secret``, ``api_key`` and ``token`` must be exactly an
``{{env.key}}`` reference to the organisation's environment store, and a literal value is refused naming
the field. The type-package bookkeeping (``types_versions``, ``latest_types_*``) is written by
commitTypes, so a client's values are ignored and the stored ones kept.
"""
from __future__ import annotations

import copy
import re
from typing import Any

from integrations.configuration.checks import MISSING, Checker
from integrations.configuration.issues import ConfigIssue, ConfigurationInvalid, key_path

AUTH_TYPES = ("oauth2_client_credentials", "api_key", "bearer")
SECRET_KEYS = ("client_secret", "api_key", "token")
TEMPLATE_KEYS = ("token_url", "client_id", "audience", "resource", "api_key_header", "scope")
MAP_KEYS = ("body_params", "headers", "query_params")
BOOKKEEPING_KEYS = ("types_versions", "latest_types_version", "latest_types_package_name")
ENV_REFERENCE = re.compile(r"^\{\{\s*env\.[a-z0-9][a-z0-9_.\-]{0,127}\s*\}\}$")
REQUIRED_BY_TYPE = {
    "oauth2_client_credentials": ("token_url", "client_id", "client_secret"),
    "api_key": ("api_key",),
    "bearer": ("token",),
}


def validate_connector_config(value: Any, previous: dict | None = None, *, root: str = "connector_config") -> dict:
    """The normalised copy of ``value`` (bookkeeping kept from ``previous``) or ConfigurationInvalid."""
    check = Checker()
    if not check.object(value, root):
        check.issues.raise_if_any()
    base_url_ok = "base_url" in value and check.string(value["base_url"], key_path(root, "base_url"))
    if base_url_ok and not re.match(r"^https?://[^\s/]+", value["base_url"]):
        check.add(key_path(root, "base_url"), "must be an http(s) URL, e.g. 'https://api.example.com/v1'")
    if "auth" in value:
        _auth(value["auth"], check, key_path(root, "auth"))
    check.issues.raise_if_any()
    result = {k: copy.deepcopy(v) for k, v in value.items() if k not in BOOKKEEPING_KEYS}
    for key in BOOKKEEPING_KEYS:
        if previous and key in previous:
            result[key] = previous[key]
    return result


def _auth(auth: Any, check: Checker, path: str) -> None:
    if not check.object(auth, path):
        return
    auth_type = check.required(auth, "type", path)
    if auth_type is not MISSING and check.enum(auth_type, key_path(path, "type"), AUTH_TYPES):
        for key in REQUIRED_BY_TYPE[auth_type]:
            if key not in auth:
                check.add(key_path(path, key), f"is required for type {auth_type!r}")
    for key in SECRET_KEYS:
        if key in auth and check.string(auth[key], key_path(path, key)) and not ENV_REFERENCE.match(auth[key]):
            check.add(key_path(path, key), "must be a reference to a secret environment value like "
                                           "'{{env.erp_client_secret}}', not a literal secret")
    for key in TEMPLATE_KEYS:
        if key in auth and check.string(auth[key], key_path(path, key), allow_empty=key == "scope"):
            check.template(auth[key], key_path(path, key))
    for key in MAP_KEYS:
        if key in auth:
            check.string_map(auth[key], key_path(path, key), templates=True)


__all__ = ["ConfigIssue", "ConfigurationInvalid", "validate_connector_config"]
