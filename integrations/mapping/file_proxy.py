"""The file proxy download URL a ``file_proxy_url`` field builds (docs/file-proxy.md, the download URL). Pure:
no Django."""
from __future__ import annotations

from urllib.parse import urlencode


def download_url(base_url: str, org_id: str, integration_id: str, spec: dict) -> str:
    """``<base>/download?orgId=…&integrationId=…&useCaseSlug=…&<params>``, every value URL-encoded.

    ``spec`` is what the engine passes to ``RuntimeContext.build_file_proxy_url``:
    ``{"use_case_slug"|"use_case_id": str, "params": {name: str}}``. The declared params come after the
    injected ones and cannot override them.
    """
    query: list[tuple[str, str]] = [("orgId", org_id), ("integrationId", integration_id)]
    if spec.get("use_case_slug"):
        query.append(("useCaseSlug", spec["use_case_slug"]))
    else:
        query.append(("useCaseId", spec["use_case_id"]))
    reserved = {name for name, _ in query}
    query.extend((name, value) for name, value in (spec.get("params") or {}).items() if name not in reserved)
    return f"{base_url.rstrip('/')}/download?{urlencode(query)}"
