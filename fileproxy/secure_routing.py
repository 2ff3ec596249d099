"""Route file-proxy steps through a secure-proxy use case (``secure_proxy.use_case_slug``) of the same
integration: each step's URL gets that proxy's policy (allowed domains, every resolved address inside its
CIDRs with the connection pinned, or its static-IP egress), instead of the ordinary SSRF guard."""
from __future__ import annotations

from erpintegration.lib import http
from integrations.connectors.services.secure_proxy import ProxyRefused, policy_for
from integrations.models import UseCase


class SecureRouteRefused(Exception):
    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


def attached_proxy(use_case: UseCase) -> UseCase | None:
    """The enabled secure_proxy use case the file-proxy configuration names; None when none is named."""
    config = use_case.configuration if isinstance(use_case.configuration, dict) else {}
    slug = (config.get("secure_proxy") or {}).get("use_case_slug")
    if not slug:
        return None
    proxy = UseCase.objects.filter(integration_id=use_case.integration_id, slug=slug, type="secure_proxy").first()
    if proxy is None or not proxy.enabled:
        raise SecureRouteRefused(f"secure_proxy.use_case_slug: {slug!r} is not an enabled secure proxy of this "
                                 "integration", "SECURE_PROXY_NOT_FOUND")
    return proxy


def policy_for_step(proxy: UseCase | None, url: str, default: http.Policy) -> http.Policy:
    if proxy is None:
        return default
    try:
        return policy_for(proxy.configuration or {}, http.parse_url(url).host)
    except ProxyRefused as exc:
        raise SecureRouteRefused(f"secure proxy {proxy.slug}: {exc.message}", exc.monitoring_code)
    except http.InvalidUrl as exc:
        raise SecureRouteRefused(f"url: {exc}", "SECURE_PROXY_INVALID_URL")
