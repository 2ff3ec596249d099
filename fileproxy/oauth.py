"""File-proxy auth tokens: the shared grant client (``erpintegration.lib.oauth2``) with the file proxy's
error vocabulary (a bad auth block is CONFIGURATION_ERROR, a refused grant UPSTREAM_AUTH_FAILED)."""
from __future__ import annotations

from erpintegration.lib import http, oauth2
from fileproxy.errors import ConfigurationError, UpstreamError, from_http_error

GRANT_TYPES = oauth2.GRANT_TYPES
cache_seconds = oauth2.cache_seconds


def build_token_request(auth: dict, context: dict, env: dict[str, str]) -> tuple[str, dict, dict]:
    try:
        return oauth2.build_token_request(auth, context, env)
    except oauth2.GrantConfigurationError as exc:
        raise ConfigurationError(str(exc))


def get_access_token(auth: dict, context: dict, env: dict[str, str], *, scope: str,
                     policy: http.Policy | None = None) -> str:
    try:
        return oauth2.get_access_token(auth, context, env, scope=f"fileproxy:{scope}", policy=policy)
    except oauth2.GrantConfigurationError as exc:
        raise ConfigurationError(str(exc))
    except oauth2.GrantFailed as exc:
        if exc.http_error is not None:
            raise from_http_error(exc.http_error, "token request failed")
        raise UpstreamError(str(exc), code="UPSTREAM_AUTH_FAILED")
