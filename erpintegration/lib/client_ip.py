"""The client's address: REMOTE_ADDR, or the forwarded address when the request came through a trusted proxy
(``TRUSTED_PROXIES``). Used by the access log and by login throttling."""
from __future__ import annotations

import ipaddress
import logging
from functools import cache

logger = logging.getLogger(__name__)


@cache
def _trusted_networks(proxies: tuple[str, ...]) -> tuple:
    networks = []
    for entry in proxies:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            logger.warning("TRUSTED_PROXIES: ignoring %r (not an IP address or CIDR)", entry)
    return tuple(networks)


def _is_trusted(address: str, networks: tuple) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_ip(meta: dict, trusted_proxies: list[str] | tuple[str, ...]) -> str:
    """REMOTE_ADDR, or - when it is a trusted proxy - the right-most X-Forwarded-For address that is not
    itself a trusted proxy (entries further left are client-supplied and could be forged)."""
    remote = meta.get("REMOTE_ADDR", "") or ""
    networks = _trusted_networks(tuple(trusted_proxies))
    if not networks or not _is_trusted(remote, networks):
        return remote
    forwarded = [part.strip() for part in (meta.get("HTTP_X_FORWARDED_FOR") or "").split(",") if part.strip()]
    for address in reversed(forwarded):
        if not _is_trusted(address, networks):
            return address
    return forwarded[0] if forwarded else remote
