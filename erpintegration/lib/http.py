"""The one outbound HTTP client of the codebase (webhooks, OAuth2 token calls, file-proxy steps).

Why a client of our own on ``http.client`` rather than ``requests``/``httpx``: the SSRF guard must check the
address the socket actually connects to. We resolve the host once, refuse loopback, private, link-local,
multicast, reserved and otherwise non-global addresses (unless ``OUTBOUND_HTTP_ALLOWLIST`` allows them,
for ERPs on the LAN), then connect to exactly that checked IP while TLS still verifies the certificate
for the host name (SNI). A second DNS answer (rebinding) never gets a say. Redirects are followed by hand
so every hop is checked again. Environment proxies (``HTTP_PROXY``) are ignored on purpose.

Usage::

    with request("GET", url, headers={...}) as response:
        for chunk in response.iter_bytes():   # streamed, size-limited
            ...
    # or: request(...).read() / .json()

Every failure is an ``OutboundHttpError`` subclass with a message safe to show (no query strings).
"""
from __future__ import annotations

import http.client
import ipaddress
import json
import logging
import socket
import ssl
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from urllib.parse import quote, urljoin, urlsplit

ALLOWED_SCHEMES = ("http", "https")
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
CHUNK_SIZE = 64 * 1024


logger = logging.getLogger(__name__)


class OutboundHttpError(Exception):
    """Base class: the request could not be completed."""


class InvalidUrl(OutboundHttpError):
    """Not an absolute http(s) URL with a host."""


class DestinationBlocked(OutboundHttpError):
    """The host resolves only to addresses the SSRF guard refuses."""


class AddressNotAllowed(DestinationBlocked):
    """The host resolves (also) to an address outside ``Policy.required_networks`` (secure proxy)."""


class ConnectionFailed(OutboundHttpError):
    """DNS, TCP, TLS or protocol failure."""


class RequestTimeout(ConnectionFailed):
    """Connecting or waiting for data took longer than the configured timeout."""


class TooManyRedirects(OutboundHttpError):
    """More redirects than ``max_redirects``."""


class ResponseTooLarge(OutboundHttpError):
    """The body exceeds ``max_response_bytes`` (announced or while streaming)."""


class InvalidResponse(OutboundHttpError):
    """The body is not what the caller asked for (e.g. not JSON)."""


@dataclass(frozen=True)
class Policy:
    """Limits of one call. ``allowlist`` holds CIDRs (``10.0.0.0/8``) and host names (``erp.lan``,
    ``*.corp.example``) whose non-global addresses are nevertheless allowed."""

    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    max_redirects: int = 5
    max_response_bytes: int = 50 * 1024 * 1024
    allowlist: tuple[str, ...] = ()
    user_agent: str = "erpintegration"
    #: When set (the secure proxy's ``allowed_ips``), *every* resolved address must lie in one of these
    #: CIDRs, and only these non-global ranges are let through the guard (``allowlist`` is not consulted).
    required_networks: tuple[str, ...] = ()
    #: ``http://host:port`` of an HTTP CONNECT proxy (static egress IP); the tunnel carries HTTP and TLS alike.
    egress_proxy: str | None = None

    @classmethod
    def from_settings(cls, **overrides) -> Policy:
        from django.conf import settings

        values = {
            "connect_timeout": settings.OUTBOUND_HTTP_CONNECT_TIMEOUT,
            "read_timeout": settings.OUTBOUND_HTTP_READ_TIMEOUT,
            "max_redirects": settings.OUTBOUND_HTTP_MAX_REDIRECTS,
            "max_response_bytes": settings.OUTBOUND_HTTP_MAX_RESPONSE_BYTES,
            "allowlist": tuple(settings.OUTBOUND_HTTP_ALLOWLIST),
        }
        values.update(overrides)
        return cls(**values)


@dataclass
class _Target:
    scheme: str
    host: str
    port: int
    path: str  # path + query, what goes on the request line
    origin: tuple[str, str, int] = field(init=False)

    def __post_init__(self):
        self.origin = (self.scheme, self.host.lower(), self.port)


def parse_url(url: str) -> _Target:
    if not isinstance(url, str) or any(c in url for c in "\r\n\t "):
        raise InvalidUrl("URL must be a string without whitespace")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise InvalidUrl(f"URL is malformed: {exc}")
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise InvalidUrl(f"only http and https URLs are allowed, not {scheme or 'a relative URL'!r}")
    if not parts.hostname:
        raise InvalidUrl("URL has no host")
    if parts.username is not None or parts.password is not None:
        raise InvalidUrl("credentials in the URL are not allowed; use headers")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    path = "".join(c if ord(c) < 128 else quote(c) for c in path)  # like browsers: UTF-8 percent-encoded
    return _Target(scheme, parts.hostname, port or (443 if scheme == "https" else 80), path)


def _plain_ip(address: ipaddress.IPv4Address | ipaddress.IPv6Address):
    if isinstance(address, ipaddress.IPv6Address):
        mapped = address.ipv4_mapped or address.sixtofour
        if mapped is not None:
            return mapped
    return address


def is_public_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    address = _plain_ip(address)
    return not (
        address.is_loopback or address.is_private or address.is_link_local or address.is_multicast
        or address.is_reserved or address.is_unspecified or not address.is_global
    )


def _host_allowed(host: str, allowlist: tuple[str, ...]) -> bool:
    host = host.lower().rstrip(".")
    for entry in allowlist:
        entry = entry.strip().lower().rstrip(".")
        if entry.startswith("*.") and (host.endswith(entry[1:]) or host == entry[2:]):
            return True
        if entry == host:
            return True
    return False


def _networks(allowlist: tuple[str, ...]):
    for entry in allowlist:
        try:
            yield ipaddress.ip_network(entry.strip(), strict=False)
        except ValueError:
            continue  # a host name entry


def address_allowed(host: str, address: str, allowlist: tuple[str, ...]) -> bool:
    """Whether connecting to ``address`` (resolved from ``host``) passes the SSRF guard."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if is_public_address(ip):
        return True
    if _host_allowed(host, allowlist):
        return True
    plain = _plain_ip(ip)
    return any(plain.version == net.version and plain in net for net in _networks(allowlist))


def resolve_host(host: str, port: int) -> list[str]:
    """All addresses of ``host`` (the one DNS lookup of a request; tests replace it with a fake resolver)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def _resolve(host: str, port: int) -> list[str]:
    try:
        return resolve_host(host, port)
    except (socket.gaierror, UnicodeError) as exc:
        # One answer for "does not resolve" and "resolves to a private address": what internal names resolve
        # to (or whether they exist) stays in the server's log.
        logger.warning("outbound request refused: cannot resolve %r: %s", host, exc)
        raise DestinationBlocked(_NOT_ALLOWED % host) from None


def addresses_in_networks(addresses: list[str], cidrs: tuple[str, ...]) -> list[str]:
    """The addresses of ``addresses`` that lie in none of ``cidrs`` (empty: all inside)."""
    networks = list(_networks(cidrs))
    outside = []
    for address in addresses:
        ip = _plain_ip(ipaddress.ip_address(address.split("%", 1)[0]))
        if not any(ip.version == net.version and ip in net for net in networks):
            outside.append(address)
    return outside


def resolve_checked(host: str, port: int, policy: Policy) -> str:
    """The first resolved address of ``host`` that the guard allows; DestinationBlocked when none is.

    With ``policy.required_networks`` every address must be inside them (AddressNotAllowed otherwise), so a
    name that also resolves elsewhere is refused outright rather than connected to its "good" address.
    """
    addresses = _resolve(host, port)
    if policy.required_networks:
        outside = addresses_in_networks(addresses, policy.required_networks)
        if outside:
            raise AddressNotAllowed(
                f"host {host!r} resolves to {', '.join(outside)}, outside the allowed IP ranges"
            )
        return addresses[0]
    for address in addresses:
        if address_allowed(host, address, policy.allowlist):
            return address
    logger.warning("outbound request refused: %r resolves to non-public %s", host, ", ".join(addresses))
    raise DestinationBlocked(_NOT_ALLOWED % host)


_NOT_ALLOWED = ("destination not allowed: %r is not a reachable public address (operators can allow "
                "destinations on their own network with OUTBOUND_HTTP_ALLOWLIST)")


def _open_socket(ip: str, port: int, connect_timeout: float, read_timeout: float) -> socket.socket:
    """A TCP socket to exactly ``ip`` (no second name resolution, not even for the literal)."""
    sock = socket.socket(socket.AF_INET6 if ":" in ip else socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.settimeout(connect_timeout)
        sock.connect((ip, port))
        sock.settimeout(read_timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except BaseException:
        sock.close()
        raise
    return sock


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the checked IP; the Host header still names the host."""

    def __init__(self, host, port, ip, connect_timeout, read_timeout):
        super().__init__(host, port, timeout=connect_timeout)
        self._ip, self._read_timeout = ip, read_timeout

    def connect(self):
        self.sock = _open_socket(self._ip, self.port, self.timeout, self._read_timeout)
        if self._tunnel_host:  # through an egress proxy: CONNECT first
            self._tunnel()


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """Connects to the checked IP and verifies the certificate for the host name (SNI)."""

    def __init__(self, host, port, ip, connect_timeout, read_timeout, context):
        super().__init__(host, port, timeout=connect_timeout, context=context)
        self._ip, self._read_timeout, self._context = ip, read_timeout, context

    def connect(self):
        sock = _open_socket(self._ip, self.port, self.timeout, self._read_timeout)
        try:
            if self._tunnel_host:  # through an egress proxy: CONNECT, then TLS with the destination
                self.sock = sock
                self._tunnel()
            self.sock = self._context.wrap_socket(sock, server_hostname=self._tunnel_host or self.host)
        except BaseException:
            sock.close()
            raise


class Response:
    """An open response. Read it with ``iter_bytes``/``read``/``json`` and close it (or use ``with``)."""

    def __init__(self, url: str, raw: http.client.HTTPResponse, connection, limit: int):
        self.url = url
        self.status_code = raw.status
        self.reason = raw.reason
        self.headers = raw.headers  # case-insensitive ``email.message.Message``
        self._raw, self._connection, self._limit = raw, connection, limit
        self._consumed = 0
        length = raw.headers.get("Content-Length")
        self.content_length = int(length) if length and length.isdigit() else None
        if self.content_length is not None and self.content_length > limit:
            self.close()
            raise ResponseTooLarge(f"response announces {self.content_length} bytes, limit is {limit}")

    @property
    def ok(self) -> bool:
        return 200 <= self.status_code < 300

    def header_dict(self) -> dict[str, str]:
        """Headers with lower-case names (repeated headers joined with ', ')."""
        out: dict[str, str] = {}
        for name, value in self.headers.items():
            key = name.lower()
            out[key] = f"{out[key]}, {value}" if key in out else value
        return out

    def iter_bytes(self, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
        try:
            while True:
                try:
                    chunk = self._raw.read(chunk_size)
                except TimeoutError:
                    raise RequestTimeout("timed out reading the response")
                except (OSError, http.client.HTTPException) as exc:
                    raise ConnectionFailed(f"connection failed while reading the response: {exc}")
                if not chunk:
                    return
                self._consumed += len(chunk)
                if self._consumed > self._limit:
                    raise ResponseTooLarge(f"response exceeds the limit of {self._limit} bytes")
                yield chunk
        finally:
            self.close()

    def read(self) -> bytes:
        return b"".join(self.iter_bytes())

    def text(self) -> str:
        return self.read().decode(self.headers.get_content_charset() or "utf-8", errors="replace")

    def json(self):
        data = self.read()
        try:
            return json.loads(data)
        except (ValueError, UnicodeDecodeError) as exc:
            raise InvalidResponse(f"response is not valid JSON: {exc}")

    def close(self) -> None:
        self._raw.close()
        self._connection.close()

    def __enter__(self) -> Response:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _proxy_connection(target: _Target, policy: Policy, ssl_context: ssl.SSLContext | None):
    """A connection tunnelled through ``policy.egress_proxy`` (CONNECT); the destination is still checked
    against the policy first, the proxy itself is the operator's own host and is not."""
    resolve_checked(target.host, target.port, policy)
    proxy = parse_url(policy.egress_proxy)
    addresses = _resolve(proxy.host, proxy.port)
    if target.scheme == "https":
        connection = _PinnedHTTPSConnection(proxy.host, proxy.port, addresses[0], policy.connect_timeout,
                                            policy.read_timeout, ssl_context or ssl.create_default_context())
    else:
        connection = _PinnedHTTPConnection(proxy.host, proxy.port, addresses[0], policy.connect_timeout,
                                           policy.read_timeout)
    connection.set_tunnel(target.host, target.port)
    return connection


def _send(method: str, target: _Target, headers: Mapping[str, str], body: bytes | None, policy: Policy,
          ssl_context: ssl.SSLContext | None):
    if policy.egress_proxy:
        connection = _proxy_connection(target, policy, ssl_context)
    else:
        connection = _direct_connection(target, policy, ssl_context)
    return _exchange(connection, method, target, headers, body, policy)


def _direct_connection(target: _Target, policy: Policy, ssl_context: ssl.SSLContext | None):
    ip = resolve_checked(target.host, target.port, policy)
    if target.scheme == "https":
        context = ssl_context or ssl.create_default_context()
        connection = _PinnedHTTPSConnection(target.host, target.port, ip, policy.connect_timeout,
                                            policy.read_timeout, context)
    else:
        connection = _PinnedHTTPConnection(target.host, target.port, ip, policy.connect_timeout,
                                           policy.read_timeout)
    return connection


def _exchange(connection, method: str, target: _Target, headers: Mapping[str, str], body: bytes | None,
              policy: Policy):
    try:
        connection.putrequest(method, target.path, skip_accept_encoding=True)
        names = {name.lower() for name in headers}
        if "user-agent" not in names:
            connection.putheader("User-Agent", policy.user_agent)
        if "accept-encoding" not in names:
            connection.putheader("Accept-Encoding", "identity")
        for name, value in headers.items():
            if any(c in str(name) + str(value) for c in "\r\n\0"):
                raise InvalidUrl(f"header {name!r} contains a line break")
            value = str(value)
            try:
                value.encode("latin-1")
            except UnicodeEncodeError:
                value = value.encode()  # http.client would fail on it as str; send UTF-8 bytes
            connection.putheader(name, value)
        if body is not None or method in ("POST", "PUT", "PATCH"):
            connection.putheader("Content-Length", str(len(body or b"")))
        connection.endheaders(body)
        return connection, connection.getresponse()
    except OutboundHttpError:
        connection.close()
        raise
    except TimeoutError:
        connection.close()
        raise RequestTimeout(f"timed out talking to {target.host}")
    except ssl.SSLError as exc:
        connection.close()
        raise ConnectionFailed(f"TLS failure with {target.host}: {exc.reason or exc}")
    except (UnicodeError, ValueError) as exc:  # e.g. an unencodable host or header name
        connection.close()
        raise InvalidUrl(f"request to {target.host} cannot be encoded: {exc}")
    except (OSError, http.client.HTTPException) as exc:
        connection.close()
        raise ConnectionFailed(f"connection to {target.host} failed: {exc}")


def request(method: str, url: str, *, headers: Mapping[str, str] | None = None, body: bytes | str | None = None,
            policy: Policy | None = None, follow_redirects: bool = True,
            ssl_context: ssl.SSLContext | None = None) -> Response:
    """Send one request through the guard and return the open response (any status code).

    Redirects are followed (each hop re-checked); 303, and 301/302 after a POST, continue as GET without a
    body. ``Authorization`` and ``Cookie`` headers are dropped when a redirect leaves the origin.
    """
    policy = policy or Policy.from_settings()
    method = method.upper()
    headers = dict(headers or {})
    if isinstance(body, str):
        body = body.encode()
    target = parse_url(url)
    for _hop in range(policy.max_redirects + 1):
        connection, raw = _send(method, target, headers, body, policy, ssl_context)
        location = raw.headers.get("Location")
        if not (follow_redirects and raw.status in REDIRECT_STATUSES and location):
            return Response(url, raw, connection, policy.max_response_bytes)
        raw.close()
        connection.close()
        url = urljoin(url, location.strip())
        next_target = parse_url(url)
        if next_target.origin != target.origin:
            headers = {k: v for k, v in headers.items() if k.lower() not in ("authorization", "cookie")}
        if raw.status == 303 or (raw.status in (301, 302) and method == "POST"):
            method, body = "GET", None
            headers = {k: v for k, v in headers.items() if k.lower() not in ("content-type", "content-length")}
        target = next_target
    raise TooManyRedirects(f"more than {policy.max_redirects} redirects")
