"""File-proxy use-case configuration (``FileProxyUseCaseConfiguration``, DOMAIN §1.9).

Auth values and step url/headers/body are Handlebars templates (checked for balanced tags, and steps
may only read earlier steps); response body/filename/content_type are JSONata over ``{params, steps}``.
``requires_vpc`` is read-only: the input value is ignored and the stored one (default false) kept.
"""
from __future__ import annotations

from typing import Any

from integrations.configuration.checks import MISSING, Checker
from integrations.configuration.inbound import RESERVED_URL_PARAMS
from integrations.configuration.issues import key_path

AUTH_TYPES = ("oauth2_client_credentials", "oauth2_password")
METHODS = ("GET", "POST")
RESPONSE_TYPES = ("json", "binary")
ENCODINGS = ("base64", "binary")


def validate_file_proxy(config: Any, check: Checker, path: str) -> None:
    if not check.object(config, path):
        return
    if "auth" in config:
        _auth(config["auth"], check, key_path(path, "auth"))
    if "params" in config:
        _params(config["params"], check, key_path(path, "params"))
    steps = check.required(config, "steps", path)
    steps_path = key_path(path, "steps")
    if steps is not MISSING and check.array(steps, steps_path, min_items=1):
        for index, step, step_path in check.each(steps, steps_path):
            _step(step, check, step_path, index)
    response = check.required(config, "response", path)
    if response is not MISSING:
        _response(response, check, key_path(path, "response"))


def normalise_file_proxy(config: dict, previous: dict | None) -> None:
    config["requires_vpc"] = bool(previous and previous.get("requires_vpc") is True)


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
            check.template(auth[key], key_path(path, key))
    for key in ("audience", "resource", "username", "password"):
        if key in auth and key not in required:
            check.template(auth[key], key_path(path, key))
    if "scope" in auth:
        check.string(auth["scope"], key_path(path, "scope"), allow_empty=True)
    for key in ("body_params", "headers", "query_params"):
        if key in auth:
            check.string_map(auth[key], key_path(path, key), templates=True)


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


def _step(step: Any, check: Checker, path: str, index: int) -> None:
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
        check.template(step["body"], key_path(path, "body"), available_steps=index)


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
