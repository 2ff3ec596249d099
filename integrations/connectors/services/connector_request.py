"""Build the HTTP request of one managed call from its use case, the connector and the payload.

- body: ``request_mapping`` (JSONata over the payload) or the payload itself;
- URL: ``connector_config.base_url`` + ``operation.path``; path and query values are ``{{var}}`` templates
  over the payload (path values percent-encoded, so a value cannot add path segments);
- headers: templates over the payload plus ``env`` *with* secrets (``{{env.api_secret}}``); the URL only
  ever sees non-secret environment values, so no secret lands in a URL, a log line or a monitoring row;
- auth from ``connector_config.auth``: OAuth2 client credentials (the shared grant client and its token
  cache), ``api_key`` in ``api_key_header`` (default ``X-API-Key``) or ``bearer``.

Two guards make a template fail loudly instead of quietly: a referenced ``env`` key that is absent, and
``{{`` left over after rendering.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from erpintegration.lib import http, oauth2
from erpintegration.lib.templating import TemplateError, env_references, has_residual_braces, render, to_text
from integrations.connectors.services.environment import ConnectorEnvironment
from integrations.connectors.services.errors import ExternalApiError, ManagedCallError, SsrfBlocked
from integrations.mapping import jsonata

BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")


@dataclass
class PreparedRequest:
    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    body_value: Any = None  # the mapped body (for the console), None when nothing is sent
    body: bytes | None = None


def _encoded(value: Any) -> Any:
    """Payload values for path templates: every scalar percent-encoded."""
    if isinstance(value, dict):
        return {k: _encoded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_encoded(v) for v in value]
    if isinstance(value, (str, int, float, bool)) and value is not None:
        return quote(to_text(value), safe="")
    return value


def render_template(template: str, context: dict, env: dict[str, str], where: str) -> str:
    missing = sorted(key for key in env_references(template) if key not in env)
    if missing:
        raise ManagedCallError(f"{where}: the environment value {missing[0]!r} is not set (or is a secret, "
                               "which only headers and auth may use)")
    try:
        text = render(template, {**context, "env": env}, env=env)
    except TemplateError as exc:
        raise ManagedCallError(f"{where}: {exc}")
    if has_residual_braces(text):
        raise ManagedCallError(f"{where}: '{{{{' remains after rendering; write templates without a backslash")
    return text


def map_body(request_mapping: str | None, payload: dict, bindings: dict | None) -> Any:
    if not request_mapping:
        return payload
    try:
        value = jsonata.evaluate(request_mapping, payload, bindings)
    except jsonata.ExpressionError as exc:
        raise ManagedCallError(f"request_mapping: {exc.message}", details={"expression_error": exc.as_dict()})
    return None if value is jsonata.UNDEFINED else value


def build_request(integration, config: dict, payload: dict, env: ConnectorEnvironment, *,
                  bindings: dict | None = None, policy: http.Policy | None = None) -> PreparedRequest:
    connector = integration.connector_config or {}
    base_url = connector.get("base_url")
    if not isinstance(base_url, str) or not base_url:
        raise ManagedCallError("connector_config.base_url is not set on the integration")
    operation = config.get("operation") or {}
    method = str(operation.get("method") or "GET").upper()
    public = env.public_values()
    path = render_template(str(operation.get("path") or ""), _encoded(payload), public, "operation.path")
    url = base_url.rstrip("/") + "/" + path.lstrip("/") if path else base_url
    query = {key: render_template(str(value), payload, public, f"operation.query_params.{key}")
             for key, value in (operation.get("query_params") or {}).items()}
    if query:
        url += ("&" if "?" in url else "?") + urlencode(query)
    headers = {"Accept": "application/json"}
    for key, value in (operation.get("headers") or {}).items():
        headers[key] = render_template(str(value), payload, env.values, f"operation.headers.{key}")
    body_value = map_body(config.get("request_mapping"), payload, bindings)
    body = None
    if method in BODY_METHODS and (method != "DELETE" or config.get("request_mapping")):
        body = json.dumps(body_value).encode()
        headers.setdefault("Content-Type", "application/json")
    else:
        body_value = None
    headers.update(auth_headers(integration, connector.get("auth"), env, policy=policy))
    return PreparedRequest(method, url, headers, body_value, body)


def auth_headers(integration, auth: Any, env: ConnectorEnvironment, *, policy: http.Policy | None = None
                 ) -> dict[str, str]:
    if not isinstance(auth, dict) or not auth.get("type"):
        return {}
    kind = auth["type"]
    if kind == "api_key":
        header = auth.get("api_key_header") or "X-API-Key"
        value = render_template(str(auth.get("api_key") or ""), {}, env.values, "connector_config.auth.api_key")
        env.extra_secrets.add(value)
        return {header: value}
    if kind == "bearer":
        token = render_template(str(auth.get("token") or ""), {}, env.values, "connector_config.auth.token")
        env.extra_secrets.add(token)
        return {"Authorization": f"Bearer {token}"}
    if kind == "oauth2_client_credentials":
        for key in ("token_url", "client_id", "client_secret", "audience", "resource"):
            if isinstance(auth.get(key), str):
                render_template(auth[key], {}, env.values, f"connector_config.auth.{key}")  # absent-key guard
        try:
            token = oauth2.get_access_token(auth, {"env": env.values}, env.values,
                                            scope=f"managed_call:{integration.pk}", policy=policy)
        except oauth2.GrantConfigurationError as exc:
            raise ManagedCallError(f"connector_config.{exc}")
        except oauth2.GrantFailed as exc:
            if isinstance(exc.http_error, (http.DestinationBlocked, http.InvalidUrl)):
                raise SsrfBlocked(f"token request refused: {exc.http_error}")
            error = ExternalApiError(f"OAuth2 token request failed: {exc}", details={"stage": "token"})
            error.monitoring_code = "OAUTH2_TOKEN_FAILURE"
            raise error
        env.extra_secrets.add(token)
        return {"Authorization": f"Bearer {token}"}
    raise ManagedCallError(f"connector_config.auth.type: {kind!r} is not supported")
