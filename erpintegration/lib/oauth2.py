"""The one OAuth2 token client: client-credentials and password grants with a token cache.

Used by the file proxy's auth and by managed calls' connector auth, so both request, cache and report
tokens the same way. The token request is form-encoded: ``grant_type`` + client credentials (+ username/
password) + scope, audience, resource + ``body_params``; ``headers`` are added and ``query_params`` appended
to ``token_url``. Every value but ``scope`` is a Handlebars template over ``{params, env}``.

Tokens are cached (Django cache) until shortly before ``expires_in``; the cache key is a hash of the rendered
request, so changing the configuration or a credential never serves a stale token, and no credential
appears in a cache key. Errors never carry a credential or the token endpoint's body (only its RFC 6749
``error`` code).
"""
from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import urlencode

from django.core.cache import cache

from erpintegration.lib import http
from erpintegration.lib.templating import TemplateError, render

GRANT_TYPES = {"oauth2_client_credentials": "client_credentials", "oauth2_password": "password"}
EXPIRY_MARGIN_SECONDS = 30
CACHE_PREFIX = "oauth2:token:"


class GrantConfigurationError(Exception):
    """The auth block cannot produce a token request (missing key, bad template, absent env value)."""


class GrantFailed(Exception):
    """The token endpoint refused or answered without a token. ``http_error`` is set for transport failures."""

    def __init__(self, message: str, http_error: http.OutboundHttpError | None = None):
        super().__init__(message)
        self.http_error = http_error


def _render(template: Any, context: dict, env: dict[str, str], where: str) -> str:
    try:
        return render(str(template), context, env=env)
    except TemplateError as exc:
        raise GrantConfigurationError(f"auth.{where}: {exc}")


def build_token_request(auth: dict, context: dict, env: dict[str, str]) -> tuple[str, dict, dict]:
    """(url, form fields, headers) of the token request, every template rendered."""
    grant = GRANT_TYPES.get(auth.get("type"))
    if grant is None:
        raise GrantConfigurationError(f"auth.type: must be one of {', '.join(GRANT_TYPES)}")
    required = ("token_url", "client_id", "client_secret") + (("username", "password") if grant == "password" else ())
    for key in required:
        if not isinstance(auth.get(key), str):
            raise GrantConfigurationError(f"auth.{key}: is required")
    form: dict[str, str] = {"grant_type": grant}
    for key in ("client_id", "client_secret") + (("username", "password") if grant == "password" else ()):
        form[key] = _render(auth[key], context, env, key)
    if auth.get("scope"):
        form["scope"] = auth["scope"]
    for key in ("audience", "resource"):
        if auth.get(key):
            form[key] = _render(auth[key], context, env, key)
    for key, value in (auth.get("body_params") or {}).items():
        form[key] = _render(value, context, env, f"body_params.{key}")
    headers = {"Accept": "application/json"}
    for key, value in (auth.get("headers") or {}).items():
        headers[key] = _render(value, context, env, f"headers.{key}")
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    url = _render(auth["token_url"], context, env, "token_url")
    query = {key: _render(value, context, env, f"query_params.{key}")
             for key, value in (auth.get("query_params") or {}).items()}
    if query:
        url += ("&" if "?" in url else "?") + urlencode(query)
    return url, form, headers


def _cache_key(url: str, form: dict, headers: dict, scope: str) -> str:
    material = json.dumps([scope, url, sorted(form.items()), sorted(headers.items())])
    return CACHE_PREFIX + hashlib.sha256(material.encode()).hexdigest()


def cache_seconds(expires_in: Any) -> int:
    """How long to keep a token: ``expires_in`` minus a margin (half of it for very short lifetimes)."""
    try:
        seconds = int(float(expires_in))
    except (TypeError, ValueError):
        return 0
    if seconds <= 1:
        return 0
    return seconds - EXPIRY_MARGIN_SECONDS if seconds > 2 * EXPIRY_MARGIN_SECONDS else seconds // 2


def get_access_token(auth: dict, context: dict, env: dict[str, str], *, scope: str,
                     policy: http.Policy | None = None) -> str:
    """A bearer token for ``auth``: from the cache, else requested from the token endpoint.

    ``scope`` separates caches of different callers (e.g. ``fileproxy:org:integration:use_case``).
    """
    url, form, headers = build_token_request(auth, context, env)
    key = _cache_key(url, form, headers, scope)
    token = cache.get(key)
    if token:
        return token
    try:
        with http.request("POST", url, headers=headers, body=urlencode(form), policy=policy) as response:
            status = response.status_code
            data = response.read()
    except http.OutboundHttpError as exc:
        raise GrantFailed(f"token request failed: {exc}", http_error=exc)
    try:
        payload = json.loads(data)
    except ValueError:
        payload = None
    if not 200 <= status < 300:
        detail = ""
        if isinstance(payload, dict) and isinstance(payload.get("error"), str):
            detail = f" ({payload['error'][:100]})"  # RFC 6749 error code only, never the whole body
        raise GrantFailed(f"token endpoint answered {status}{detail}")
    token = payload.get("access_token") if isinstance(payload, dict) else None
    if not isinstance(token, str) or not token:
        raise GrantFailed("token endpoint response has no access_token")
    ttl = cache_seconds(payload.get("expires_in"))
    if ttl:
        cache.set(key, token, ttl)
    return token
