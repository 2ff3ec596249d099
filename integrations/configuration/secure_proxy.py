"""Secure-proxy use-case configuration (``SecureProxyUseCaseConfiguration``).

``vpc_mode`` is chosen at creation and read-only afterwards; the allow-lists (``allowed_domains``,
``allowed_ips``) are read-only on the ordinary use-case update and change only through the whitelist
endpoint. So an update silently keeps the stored three, whatever the request says; a create validates
them: a domain is exact (``api.example.com``) or a wildcard prefix whose suffix has at least two labels
(``*.example.com``), an IP range is CIDR notation.
"""
from __future__ import annotations

import ipaddress
import re
from typing import Any

from integrations.configuration.checks import MISSING, Checker
from integrations.configuration.issues import index_path, key_path

VPC_MODES = ("static_ip", "secure_link")
READ_ONLY_KEYS = ("vpc_mode", "allowed_domains", "allowed_ips")
_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
_DOMAIN = re.compile(rf"^(\*\.)?{_LABEL}(\.{_LABEL})+$")


def domain_problem(value: str) -> str | None:
    """None for ``api.example.com`` or ``*.example.com``; a message otherwise (``*.com`` is too broad)."""
    text = value.strip().lower()
    if not _DOMAIN.match(text):
        return (f"{value!r} is not a domain name or a wildcard prefix like '*.example.com'"
                if not text.startswith("*.") or text.count(".") > 1 else
                f"{value!r}: a wildcard needs a suffix of at least two labels (e.g. '*.example.com')")
    return None


def cidr_problem(value: str) -> str | None:
    try:
        ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        return f"{value!r} is not an IP address or CIDR range (e.g. '10.0.1.0/24')"
    return None


def validate_secure_proxy(config: Any, check: Checker, path: str, *, creating: bool) -> None:
    """On create ``vpc_mode`` is required and the lists are checked; on update they are ignored (kept)."""
    if not check.object(config, path):
        return
    if not creating:
        return
    mode = check.required(config, "vpc_mode", path)
    if mode is not MISSING:
        check.enum(mode, key_path(path, "vpc_mode"), VPC_MODES)
    for key, problem in (("allowed_domains", domain_problem), ("allowed_ips", cidr_problem)):
        if key not in config:
            continue
        items_path = key_path(path, key)
        if not check.array(config[key], items_path):
            continue
        for index, item in enumerate(config[key]):
            item_path = index_path(items_path, index)
            if check.string(item, item_path):
                message = problem(item)
                if message:
                    check.add(item_path, message)


def normalise_secure_proxy(config: dict, previous: dict | None) -> None:
    """Keep the stored read-only keys on update; default the lists to [] on create."""
    if previous is not None:
        for key in READ_ONLY_KEYS:
            config.pop(key, None)
            if key in previous:
                config[key] = previous[key]
        return
    for key in ("allowed_domains", "allowed_ips"):
        config.setdefault(key, [])
        config[key] = [item.strip().lower() if key == "allowed_domains" else item.strip() for item in config[key]]
