"""``env_var_ref`` and ``portal_ref`` of an inbound field (``EnvVarRefConfig``, ``PortalRefConfig``).

The shapes the contract allows, checked on save so a typo is a 400 naming the field instead of a
runtime warning; what they resolve to is the engine's business (``integrations/mapping/references.py``).
"""
from __future__ import annotations

from typing import Any

from integrations.configuration.checks import MISSING, Checker
from integrations.configuration.issues import key_path

ENV_KEY_PATTERN = r"^[a-z0-9][a-z0-9_.-]{0,127}$"
PORTAL_ORIGINS = ("END_CUSTOMER_PORTAL", "INSTALLER_PORTAL", "B2B_PORTAL", "ADDITIONAL_PORTAL")
PORTAL_RETURNS = ("portal_id", "origin", "domain", "name", "jsonata")
ENV_VAR_REF_KEYS = ("key", "default", "return", "jsonataExpression")
PORTAL_REF_KEYS = ("filter", "select", "return", "jsonataExpression")
FILTER_KEYS = ("origin", "enabled", "is_dummy", "is_epilot_domain", "name", "domain")


def validate_env_var_ref(config: Any, check: Checker, path: str) -> None:
    if not check.object(config, path):
        return
    _unknown_keys(config, ENV_VAR_REF_KEYS, check, path)
    key = check.required(config, "key", path)
    if key is not MISSING:
        check.string(key, key_path(path, "key"), pattern=ENV_KEY_PATTERN)
    if "default" in config:
        check.string(config["default"], key_path(path, "default"), allow_empty=True)
    returns = config.get("return", "value")
    if "return" in config and not check.enum(returns, key_path(path, "return"), ("value", "jsonata")):
        return
    _expression(config, returns, check, path)


def validate_portal_ref(config: Any, check: Checker, path: str) -> None:
    if not check.object(config, path):
        return
    _unknown_keys(config, PORTAL_REF_KEYS, check, path)
    if "filter" in config:
        _portal_filter(config["filter"], check, key_path(path, "filter"))
    if "select" in config:
        check.enum(config["select"], key_path(path, "select"), ("single", "all"))
    returns = config.get("return", "portal_id")
    if "return" in config and not check.enum(returns, key_path(path, "return"), PORTAL_RETURNS):
        return
    _expression(config, returns, check, path)


def _expression(config: dict, returns: Any, check: Checker, path: str) -> None:
    expression_path = key_path(path, "jsonataExpression")
    if returns == "jsonata":
        if "jsonataExpression" not in config:
            check.add(expression_path, "is required when return is 'jsonata'")
        else:
            check.jsonata(config["jsonataExpression"], expression_path)
    elif "jsonataExpression" in config:
        check.add(expression_path, "is only allowed when return is 'jsonata'")


def _portal_filter(criteria: Any, check: Checker, path: str) -> None:
    if not check.object(criteria, path):
        return
    _unknown_keys(criteria, FILTER_KEYS, check, path)
    if "origin" in criteria:
        origin = criteria["origin"]
        origin_path = key_path(path, "origin")
        if isinstance(origin, list):
            if check.array(origin, origin_path, min_items=1):
                for _, item, item_path in check.each(origin, origin_path):
                    check.enum(item, item_path, PORTAL_ORIGINS)
        else:
            check.enum(origin, origin_path, PORTAL_ORIGINS)
    for flag in ("enabled", "is_dummy"):
        if flag in criteria and criteria[flag] is not None:
            check.boolean(criteria[flag], key_path(path, flag))
    if "is_epilot_domain" in criteria:
        check.boolean(criteria["is_epilot_domain"], key_path(path, "is_epilot_domain"))
    for exact in ("name", "domain"):
        if exact in criteria:
            check.string(criteria[exact], key_path(path, exact), allow_empty=True)


def _unknown_keys(obj: dict, allowed: tuple[str, ...], check: Checker, path: str) -> None:
    for key in obj:
        if key not in allowed:
            check.add(key_path(path, key), f"is not a known property (allowed: {', '.join(allowed)})")
