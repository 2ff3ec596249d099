"""Forward one request through a secure-proxy use case (``POST /v1/secure-proxy``).

- ``secure_link``: the host must match ``allowed_domains``, and *every* address it resolves to must lie in
  ``allowed_ips``; the connection goes to the checked address (pinned: no second DNS answer counts), and the
  private-range SSRF guard is relaxed for those CIDRs only (never for ``OUTBOUND_HTTP_ALLOWLIST``).
- ``static_ip``: the same domain check, then out through the operator's egress proxy
  (``SECURE_PROXY_STATIC_IP_HTTP_PROXY``, an HTTP CONNECT proxy on the host with the fixed address); the
  ordinary SSRF guard applies. Not configured → 503.

Any upstream answer is passed through as 200 ``{status_code, headers, body}``; no answer → 502
``{message, code, reason?}``; a timeout → 504. Every call writes one monitoring row (no bodies, no headers).
"""
from __future__ import annotations

import base64
import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from erpintegration.exceptions import ApplicationError, ValidationFailed
from erpintegration.lib import http
from integrations.connectors import selectors
from integrations.connectors.services import audit
from integrations.models import UseCaseType

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers",
              "transfer-encoding", "upgrade", "host", "content-length"}


class ProxyRefused(ApplicationError):
    """A 403/404/503 of the proxy itself, with the monitoring code that explains it."""

    def __init__(self, message: str, *, status_code: int, code: str, monitoring_code: str):
        super().__init__(message, status_code=status_code, code=code)
        self.monitoring_code = monitoring_code


class UpstreamUnavailable(ApplicationError):
    """No HTTP response: 502 with the contract's ``SecureProxyUpstreamError`` body (or 504 on timeout)."""

    def __init__(self, message: str, *, status_code: int, code: str, reason: str | None):
        super().__init__(message, status_code=status_code, code=code)
        self.reason = reason

    def as_body(self) -> dict:
        if self.status_code == 504:
            return {"code": "UPSTREAM_TIMEOUT", "message": "Upstream timeout"}
        body = {"message": self.message, "code": self.code}
        if self.reason:
            body["reason"] = self.reason
        return body


@dataclass
class ProxyRequest:
    integration_id: str
    use_case_id: str | None
    use_case_slug: str | None
    url: str
    method: str
    headers: dict[str, str]
    body: Any
    response_type: str


def parse_request(data: Any) -> ProxyRequest:
    if not isinstance(data, dict):
        raise ValidationFailed("request body must be a JSON object")
    problems = []
    for key in ("integration_id", "url", "method"):
        if not isinstance(data.get(key), str) or not data.get(key):
            problems.append(f"{key}: is required (a string)")
    if not data.get("use_case_id") and not data.get("use_case_slug"):
        problems.append("use_case_id or use_case_slug: one of them is required")
    method = str(data.get("method") or "").upper()
    if data.get("method") and method not in METHODS:
        problems.append(f"method: must be one of {', '.join(METHODS)}")
    headers = data.get("headers") or {}
    if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
        problems.append("headers: must be an object of strings")
    response_type = data.get("response_type", "json")
    if response_type not in ("json", "binary"):
        problems.append("response_type: must be 'json' or 'binary'")
    if problems:
        raise ValidationFailed("; ".join(problems))
    return ProxyRequest(data["integration_id"], data.get("use_case_id"), data.get("use_case_slug"), data["url"],
                        method, dict(headers), data.get("body"), response_type)


def domain_allowed(host: str, allowed: list[str]) -> bool:
    host = host.lower().rstrip(".")
    for rule in allowed:
        rule = rule.lower()
        if rule.startswith("*.") and host.endswith(rule[1:]) and host != rule[2:]:
            return True
        if rule == host:
            return True
    return False


def _error_code(exc: http.OutboundHttpError) -> tuple[str, str | None]:
    text = str(exc)
    if isinstance(exc, http.RequestTimeout):
        return "ETIMEDOUT", "The target did not answer in time"
    if "cannot resolve" in text:
        return "ENOTFOUND", "The target host name could not be resolved"
    if "CERTIFICATE_VERIFY_FAILED" in text or "certificate" in text.lower():
        return "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "The target's TLS certificate could not be verified"
    if "refused" in text.lower():
        return "ECONNREFUSED", "The target refused the connection"
    if "reset" in text.lower():
        return "ECONNRESET", "The target reset the connection"
    return "EUPSTREAM", None


def _encode_body(body: Any, headers: dict[str, str]) -> bytes | None:
    if body is None:
        return None
    if isinstance(body, str):
        return body.encode()
    if not any(k.lower() == "content-type" for k in headers):
        headers["Content-Type"] = "application/json"
    return json.dumps(body).encode()


def _decode_body(data: bytes, response_type: str, content_type: str) -> Any:
    if response_type == "binary":
        return base64.b64encode(data).decode()
    if not data:
        return None
    if "json" in content_type or data[:1] in (b"{", b"["):
        try:
            return json.loads(data)
        except (ValueError, UnicodeDecodeError):
            pass
    return data.decode("utf-8", errors="replace")


def resolve_use_case(organization, request: ProxyRequest):
    use_case = selectors.secure_proxy_by_reference(organization, request.integration_id, request.use_case_id,
                                                   request.use_case_slug)
    if use_case is None:
        raise ProxyRefused("secure proxy use case not found in that integration", status_code=404,
                           code="NOT_FOUND", monitoring_code="SECURE_PROXY_NOT_FOUND")
    if use_case.type != UseCaseType.SECURE_PROXY:
        raise ProxyRefused(f"use case {use_case.slug or use_case.pk} is not of type secure_proxy", status_code=400,
                           code="BAD_REQUEST", monitoring_code="SECURE_PROXY_INVALID_TYPE")
    if not use_case.enabled:
        raise ProxyRefused(f"secure proxy {use_case.slug or use_case.pk} is disabled", status_code=403,
                           code="FORBIDDEN", monitoring_code="SECURE_PROXY_DISABLED")
    return use_case


def policy_for(config: dict, host: str) -> http.Policy:
    mode = config.get("vpc_mode")
    if not domain_allowed(host, list(config.get("allowed_domains") or [])):
        raise ProxyRefused(f"host {host!r} is not in the allowed domains", status_code=403, code="FORBIDDEN",
                           monitoring_code="SECURE_PROXY_DOMAIN_NOT_ALLOWED")
    if mode == "secure_link":
        networks = tuple(config.get("allowed_ips") or ())
        if not networks:
            raise ProxyRefused("the secure link has no allowed IP ranges", status_code=403, code="FORBIDDEN",
                               monitoring_code="SECURE_PROXY_IP_NOT_ALLOWED")
        return http.Policy.from_settings(required_networks=networks, allowlist=())
    if mode == "static_ip":
        egress = settings.SECURE_PROXY_STATIC_IP_HTTP_PROXY
        if not egress:
            raise ProxyRefused("static_ip mode is not available: no egress proxy is configured "
                               "(SECURE_PROXY_STATIC_IP_HTTP_PROXY)", status_code=503, code="SERVICE_UNAVAILABLE",
                               monitoring_code="SECURE_PROXY_UNAVAILABLE")
        return http.Policy.from_settings(egress_proxy=egress)
    raise ProxyRefused("the secure proxy has no vpc_mode", status_code=503, code="SERVICE_UNAVAILABLE",
                       monitoring_code="SECURE_PROXY_INVALID_CONFIG")


def forward(organization, data: Any) -> dict:
    """The ``SecureProxyResponse`` of one forwarded call; raises ProxyRefused/UpstreamUnavailable."""
    request = parse_request(data)
    use_case = resolve_use_case(organization, request)
    correlation_id = str(uuid.uuid4())
    started = time.monotonic()
    host = audit.host_of(request.url)

    def row(code: str, level: str | None, status: int | None, message: str) -> None:
        audit.record_call(use_case=use_case, use_case_type="secure_proxy", code=code, level=level,
                          correlation_id=correlation_id, method=request.method, url=request.url, status=status,
                          duration_ms=int((time.monotonic() - started) * 1000), message=message)

    try:
        try:
            target = http.parse_url(request.url)
        except http.InvalidUrl as exc:
            raise ProxyRefused(f"url: {exc}", status_code=400, code="BAD_REQUEST",
                               monitoring_code="SECURE_PROXY_INVALID_URL")
        policy = policy_for(use_case.configuration or {}, target.host)
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
        body = _encode_body(request.body, headers)
        try:
            with http.request(request.method, request.url, headers=headers, body=body, policy=policy,
                              follow_redirects=False) as response:
                status = response.status_code
                response_headers = response.header_dict()
                data_bytes = response.read()
        except http.AddressNotAllowed as exc:
            raise ProxyRefused(str(exc), status_code=403, code="FORBIDDEN", monitoring_code="SECURE_PROXY_IP_NOT_ALLOWED")
        except http.DestinationBlocked as exc:
            raise ProxyRefused(str(exc), status_code=403, code="FORBIDDEN", monitoring_code="SECURE_PROXY_IP_BLOCKED")
        except http.InvalidUrl as exc:
            raise ProxyRefused(f"url: {exc}", status_code=400, code="BAD_REQUEST",
                               monitoring_code="SECURE_PROXY_INVALID_URL")
        except http.OutboundHttpError as exc:
            code, reason = _error_code(exc)
            timeout = isinstance(exc, http.RequestTimeout)
            raise UpstreamUnavailable("Upstream network error" if code != "EUPSTREAM" else "Upstream error",
                                      status_code=504 if timeout else 502, code=code, reason=reason)
    except ProxyRefused as exc:
        row(exc.monitoring_code, None, None, f"{request.method} {host}: {exc.message}")
        raise
    except UpstreamUnavailable as exc:
        row("TIMEOUT" if exc.status_code == 504 else "SECURE_PROXY_ERROR", None, None,
            f"{request.method} {host}: {exc.message} ({exc.code})")
        raise
    level = "success" if status < 400 else "error"
    row(f"HTTP_{status}", level, status, f"{request.method} {host} answered {status}")
    passed = {k: v for k, v in response_headers.items() if k not in HOP_BY_HOP}
    return {"status_code": status, "headers": passed,
            "body": _decode_body(data_bytes, request.response_type, response_headers.get("content-type", ""))}
