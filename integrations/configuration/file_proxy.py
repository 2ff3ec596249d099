"""File-proxy use-case configuration (``FileProxyUseCaseConfiguration``, docs/file-proxy.md,
configuring a use case).

Auth values and step url/headers/body are Handlebars templates (checked for balanced tags, and steps
may only read earlier steps); response body/filename/content_type are JSONata over ``{params, steps}``.
v1.33 adds ``direction`` (download, the default, or upload): a download needs ``response`` and may
declare ``params``/``allowed_origins``/step ``body``; an upload refuses those and may use step
``body_jsonata``/``enabled`` (JSONata) instead. ``requires_vpc`` no longer exists: it is dropped.
"""
from __future__ import annotations

import re
from typing import Any

from integrations.configuration.bindings import UPLOAD_BINDINGS, unknown_bindings
from integrations.configuration.checks import MISSING, Checker
from integrations.configuration.inbound import RESERVED_URL_PARAMS
from integrations.configuration.issues import key_path

AUTH_TYPES = ("oauth2_client_credentials", "oauth2_password")
METHODS = ("GET", "POST", "PUT", "PATCH")
DIRECTIONS = ("download", "upload")
MAX_FILE_BYTES = 100 * 1024 * 1024
SLUG_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
RESPONSE_TYPES = ("json", "binary")
ENCODINGS = ("base64", "binary")
SECRET_KEYS = ("client_secret", "password")
# A secret is only ever a reference to an (encrypted) environment value, never the secret itself.
SECRET_REFERENCE = re.compile(r"^\\?\{\{\s*env\.[A-Za-z0-9_.\-]+\s*\}\}$")


def validate_file_proxy(config: Any, check: Checker, path: str) -> None:
    if not check.object(config, path):
        return
    direction = config.get("direction", "download")
    if "direction" in config and not check.enum(direction, key_path(path, "direction"), DIRECTIONS):
        direction = None
    upload = direction == "upload"
    if "auth" in config:
        _auth(config["auth"], check, key_path(path, "auth"))
    for key in ("params", "allowed_origins", "response") if upload else ():
        if key in config:
            check.add(key_path(path, key), "is not allowed for direction 'upload' (download only)")
    if "params" in config and not upload:
        _params(config["params"], check, key_path(path, "params"))
    if "allowed_origins" in config and not upload:
        _origins(config["allowed_origins"], check, key_path(path, "allowed_origins"))
    _v133_options(config, check, path)
    steps = check.required(config, "steps", path)
    steps_path = key_path(path, "steps")
    if steps is not MISSING and check.array(steps, steps_path, min_items=1):
        for index, step, step_path in check.each(steps, steps_path):
            _step(step, check, step_path, index, upload=upload)
    if not upload:
        response = check.required(config, "response", path)
        if response is not MISSING:
            _response(response, check, key_path(path, "response"))


def normalise_file_proxy(config: dict, previous: dict | None) -> None:
    """``requires_vpc`` was removed from the contract (v1.33): it is neither stored nor returned."""
    config.pop("requires_vpc", None)


def _v133_options(config: dict, check: Checker, path: str) -> None:
    """``upload`` limits, ``fan_out``, ``secure_proxy`` attachment and ``prevent_indirect_serving``."""
    if "upload" in config:
        upload_path = key_path(path, "upload")
        if check.object(config["upload"], upload_path):
            limits = {"max_total_bytes": (1, None), "max_file_bytes": (1, MAX_FILE_BYTES),
                      "max_delivery_attempts": (1, 100)}
            for key, (low, high) in limits.items():
                if key in config["upload"]:
                    _integer(config["upload"][key], check, key_path(upload_path, key), low, high)
    if "fan_out" in config:
        fan_path = key_path(path, "fan_out")
        if check.object(config["fan_out"], fan_path):
            enabled = check.required(config["fan_out"], "enabled", fan_path)
            if enabled is not MISSING:
                check.boolean(enabled, key_path(fan_path, "enabled"))
    if "secure_proxy" in config:
        proxy_path = key_path(path, "secure_proxy")
        if check.object(config["secure_proxy"], proxy_path):
            slug = check.required(config["secure_proxy"], "use_case_slug", proxy_path)
            if slug is not MISSING:
                check.string(slug, key_path(proxy_path, "use_case_slug"), pattern=SLUG_PATTERN)
            for key in config["secure_proxy"]:
                if key != "use_case_slug":
                    check.add(key_path(proxy_path, key), "is not allowed (only use_case_slug)")
    if "prevent_indirect_serving" in config:
        check.boolean(config["prevent_indirect_serving"], key_path(path, "prevent_indirect_serving"))


def _integer(value: Any, check: Checker, path: str, low: int, high: int | None) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        check.add(path, "must be an integer")
    elif value < low or (high is not None and value > high):
        check.add(path, f"must be between {low} and {high}" if high else f"must be at least {low}")


def _origins(origins: Any, check: Checker, path: str) -> None:
    if not check.array(origins, path):
        return
    for _, origin, origin_path in check.each(origins, path):
        check.string(origin, origin_path, pattern=r"^https?://[^\s/]+$")


def _auth(auth: Any, check: Checker, path: str) -> None:
    """``FileProxyAuth``: OAuth2 client credentials or password grant; every value but scope is a template."""
    if not check.object(auth, path):
        return
    auth_type = check.required(auth, "type", path)
    if auth_type is not MISSING and not check.enum(auth_type, key_path(path, "type"), AUTH_TYPES):
        auth_type = MISSING
    required = ["token_url", "client_id", "client_secret"]
    if auth_type == "oauth2_password":
        required += ["username", "password"]
    for key in required:
        if key not in auth:
            suffix = " for type 'oauth2_password'" if key in ("username", "password") else ""
            check.add(key_path(path, key), f"is required{suffix}")
        elif check.string(auth[key], key_path(path, key)):
            _template_or_secret(auth, key, check, path)
    for key in ("audience", "resource", "username", "password"):
        if key in auth and key not in required:
            _template_or_secret(auth, key, check, path)
    if "scope" in auth:
        check.string(auth["scope"], key_path(path, "scope"), allow_empty=True)
    for key in ("body_params", "headers", "query_params"):
        if key in auth:
            check.string_map(auth[key], key_path(path, key), templates=True)


def _template_or_secret(auth: dict, key: str, check: Checker, path: str) -> None:
    if key in SECRET_KEYS:
        if not isinstance(auth[key], str) or not SECRET_REFERENCE.match(auth[key].strip()):
            check.add(key_path(path, key), "must be a reference to a SecretString environment value, "
                      "{{env.<key>}}: secrets are not stored in configurations")
        return
    check.template(auth[key], key_path(path, key))


def _params(params: Any, check: Checker, path: str) -> None:
    """``FileProxyParam[]``: query parameters the download URL declares beyond the injected ones."""
    if not check.array(params, path):
        return
    seen: dict[str, int] = {}
    for index, param, param_path in check.each(params, path):
        if not check.object(param, param_path):
            continue
        name = check.required(param, "name", param_path)
        name_path = key_path(param_path, "name")
        if name is not MISSING and check.string(name, name_path):
            if name in RESERVED_URL_PARAMS:
                check.add(name_path, f"{name} is always part of the download URL and cannot be declared")
            elif name in seen:
                check.add(name_path, f"{name!r} is already declared by params[{seen[name]}]")
            seen.setdefault(name, index)
        required = check.required(param, "required", param_path)
        if required is not MISSING:
            check.boolean(required, key_path(param_path, "required"))
        if "description" in param:
            check.string(param["description"], key_path(param_path, "description"), allow_empty=True)


def _step(step: Any, check: Checker, path: str, index: int, *, upload: bool = False) -> None:
    """``FileProxyStep``: its templates may read ``steps.0`` .. ``steps.<index-1>``, never later ones."""
    if not check.object(step, path):
        return
    url = check.required(step, "url", path)
    if url is not MISSING and check.string(url, key_path(path, "url")):
        check.template(url, key_path(path, "url"), available_steps=index)
    method = check.required(step, "method", path)
    if method is not MISSING:
        check.enum(method, key_path(path, "method"), METHODS)
    response_type = check.required(step, "response_type", path)
    if response_type is not MISSING:
        check.enum(response_type, key_path(path, "response_type"), RESPONSE_TYPES)
    if "headers" in step:
        headers_path = key_path(path, "headers")
        if check.string_map(step["headers"], headers_path):
            for name, value in step["headers"].items():
                check.template(value, key_path(headers_path, name), available_steps=index)
    if "body" in step:
        if upload:
            check.add(key_path(path, "body"), "is not allowed for direction 'upload' (use body_jsonata)")
        else:
            check.template(step["body"], key_path(path, "body"), available_steps=index)
    for key in ("body_jsonata", "enabled"):
        if key in step:
            if upload:
                if check.jsonata(step[key], key_path(path, key)):
                    unknown = unknown_bindings(step[key])
                    if unknown:
                        check.add(key_path(path, key), f"reads ${unknown[0]}, which is not a known binding "
                                                       f"(use {', '.join('$' + b for b in sorted(UPLOAD_BINDINGS))})")
            else:
                check.add(key_path(path, key), "is only allowed for direction 'upload'")


def _response(response: Any, check: Checker, path: str) -> None:
    """``FileProxyResponseConfig``: JSONata over ``{params, steps}`` plus the body encoding."""
    if not check.object(response, path):
        return
    body = check.required(response, "body", path)
    if body is not MISSING:
        check.jsonata(body, key_path(path, "body"))
    encoding = check.required(response, "encoding", path)
    if encoding is not MISSING:
        check.enum(encoding, key_path(path, "encoding"), ENCODINGS)
    for key in ("filename", "content_type"):
        if key in response:
            check.jsonata(response[key], key_path(path, key))
