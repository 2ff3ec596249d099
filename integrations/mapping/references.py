"""``env_var_ref`` and ``portal_ref`` fields: values from the environment instead of the payload.

Both replace hard-coded, environment-specific values (URLs, prefixes, portal UUIDs) in mappings, so one
configuration runs unchanged on test and production hubs. Rules (docs/environment-mapping.md):

* ``env_var_ref {key, default?, return: value|jsonata, jsonataExpression?}``: the value of ``key``; a
  missing key and a secret give the same *undefined* (mappings never see secrets). Without ``default``
  that warns ``ENV_VAR_REF_NOT_FOUND``; with it the default is returned as it is.
* ``portal_ref {filter?, select: single|all, return: portal_id|origin|domain|name|jsonata}``: the
  organisation's portals filtered (``enabled`` defaults to true and ``is_dummy`` to false; null = any),
  oldest first by (created at, portal id), unknown creation times first. ``single`` takes the oldest and
  warns ``PORTAL_REF_AMBIGUOUS`` when several match; ``all`` gives an array (maybe empty).
"""
from __future__ import annotations

import re
from typing import Any

from integrations.mapping.evaluation import EventScope, Item, config_error
from integrations.mapping.jsonata import UNDEFINED

ENV_KEY = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,127}$")
PORTAL_ORIGINS = ("END_CUSTOMER_PORTAL", "INSTALLER_PORTAL", "B2B_PORTAL", "ADDITIONAL_PORTAL")
PORTAL_RETURNS = ("portal_id", "origin", "domain", "name")
_NOT_GIVEN = object()


def env_var_ref_value(scope: EventScope, config: Any, attribute: str, path: str) -> Any:
    if not isinstance(config, dict):
        raise config_error(path, "must be an object")
    key = config.get("key")
    if not isinstance(key, str) or not ENV_KEY.match(key):
        raise config_error(f"{path}.key", "is required and must match ^[a-z0-9][a-z0-9_.-]{0,127}$")
    default = config.get("default", _NOT_GIVEN)
    if default is not _NOT_GIVEN and not isinstance(default, str):
        raise config_error(f"{path}.default", "must be a string")
    returns = config.get("return", "value")
    if returns not in ("value", "jsonata"):
        raise config_error(f"{path}.return", "must be value or jsonata")
    if returns == "jsonata" and not isinstance(config.get("jsonataExpression"), str):
        raise config_error(f"{path}.jsonataExpression", "is required when return is jsonata")
    value = scope.environment.lookup(key)
    if value is UNDEFINED:
        if default is not _NOT_GIVEN:
            return default
        scope.warn("ENV_VAR_REF_NOT_FOUND", attribute, path,
                   f"the environment variable {key!r} is not set (or is a secret, which mappings never see); "
                   "the attribute is left out")
        return UNDEFINED
    if returns == "jsonata":
        return scope.expression(config["jsonataExpression"], Item(value), f"{path}.jsonataExpression")
    return value


def portal_ref_value(scope: EventScope, config: Any, attribute: str, path: str) -> Any:
    if not isinstance(config, dict):
        raise config_error(path, "must be an object")
    criteria = config.get("filter") or {}
    if not isinstance(criteria, dict):
        raise config_error(f"{path}.filter", "must be an object")
    select = config.get("select", "single")
    if select not in ("single", "all"):
        raise config_error(f"{path}.select", "must be single or all")
    returns = config.get("return", "portal_id")
    if returns not in (*PORTAL_RETURNS, "jsonata"):
        raise config_error(f"{path}.return", f"must be one of {', '.join(PORTAL_RETURNS)} or jsonata")
    if returns == "jsonata" and not isinstance(config.get("jsonataExpression"), str):
        raise config_error(f"{path}.jsonataExpression", "is required when return is jsonata")
    matches = sorted((p for p in scope.environment.portals if portal_matches(p, criteria, f"{path}.filter")),
                     key=portal_order)
    if select == "all":
        if returns == "jsonata":
            return scope.expression(config["jsonataExpression"], Item(matches), f"{path}.jsonataExpression")
        return [p.get(returns) for p in matches]
    if not matches:
        scope.warn("PORTAL_REF_NOT_FOUND", attribute, path, "no portal configuration matches the filter; "
                   "the attribute is left out")
        return UNDEFINED
    if len(matches) > 1:
        scope.warn("PORTAL_REF_AMBIGUOUS", attribute, path,
                   f"{len(matches)} portal configurations match the filter; the oldest "
                   f"({matches[0].get('portal_id')}) is used")
    if returns == "jsonata":
        return scope.expression(config["jsonataExpression"], Item(matches[0]), f"{path}.jsonataExpression")
    value = matches[0].get(returns)
    return UNDEFINED if value is None else value


def portal_order(portal: dict) -> tuple:
    created = portal.get("_created_at")
    return (created is not None, created or "", str(portal.get("portal_id") or ""))


def portal_matches(portal: dict, criteria: dict, path: str) -> bool:
    origin = criteria.get("origin")
    if origin is not None:
        origins = origin if isinstance(origin, list) else [origin]
        if not all(o in PORTAL_ORIGINS for o in origins):
            raise config_error(f"{path}.origin", f"must be one of {', '.join(PORTAL_ORIGINS)} or an array of them")
        if portal.get("origin") not in origins:
            return False
    for flag, default in (("enabled", True), ("is_dummy", False)):
        wanted = criteria.get(flag, default)
        if wanted is not None and bool(portal.get(flag)) is not wanted:
            if not isinstance(wanted, bool):
                raise config_error(f"{path}.{flag}", "must be true, false or null")
            return False
    epilot_domain = criteria.get("is_epilot_domain")
    if epilot_domain is not None and bool(portal.get("is_epilot_domain")) is not epilot_domain:
        return False
    for exact in ("name", "domain"):
        if exact in criteria and criteria[exact] is not None and portal.get(exact) != criteria[exact]:
            return False
    return True
