"""Signed file-proxy URLs: what a ``file_proxy_url`` mapping field turns into while an event is processed.

The URL is built here, on the inbound side, and verified by ``fileproxy`` (which sits above ``integrations``
in the dependency chain and imports ``SIGNING_PURPOSE`` from here), so integrations never imports fileproxy.
"""
from __future__ import annotations

from django.conf import settings

from erpintegration.lib import signing
from integrations.mapping.file_proxy import download_url

SIGNING_PURPOSE = "fileproxy.download"


def build_signed_download_url(base_url: str, org_id: str, integration_id: str, spec: dict,
                              *, ttl_seconds: int | None = None) -> str:
    """The ``/download`` URL of ``spec`` (``{use_case_slug|use_case_id, params}``), signed.

    ``ttl_seconds`` defaults to ``FILE_PROXY_URL_TTL_SECONDS``; 0 signs without expiry.
    """
    ttl = settings.FILE_PROXY_URL_TTL_SECONDS if ttl_seconds is None else ttl_seconds
    return signing.sign_url(download_url(base_url, org_id, str(integration_id), spec),
                            purpose=SIGNING_PURPOSE, ttl_seconds=ttl)


def file_proxy_url_builder(org_id: str, integration_id, base_url: str | None = None):
    """A ``RuntimeContext.build_file_proxy_url`` for one integration (inbound processing)."""
    base = base_url or settings.PUBLIC_BASE_URL
    return lambda spec: build_signed_download_url(base, org_id, str(integration_id), spec)
