"""HMAC-SHA256 signed URLs with an expiry (the file proxy's ``/download`` links).

The signature covers every query parameter except ``signature`` itself, canonicalised (sorted
``name=value`` pairs, URL-encoded), so neither a changed value, an added or removed parameter nor the
expiry can be altered; parameter order does not matter. Host and path are not covered (they differ behind
reverse proxies and path prefixes): the *purpose* binds a signature to one endpoint instead. The key is
derived from ``SECRET_KEY`` and the purpose, so a signature for one purpose is useless for another, and
rotating ``SECRET_KEY`` invalidates every URL. Verification is constant-time.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit

SIGNATURE_PARAM = "signature"
EXPIRES_PARAM = "expires"


class SignatureError(Exception):
    """Base class for a URL that must not be honoured."""


class SignatureMissing(SignatureError):
    pass


class SignatureInvalid(SignatureError):
    pass


class SignatureExpired(SignatureError):
    pass


def _key(purpose: str, secret_key: str | None = None) -> bytes:
    if secret_key is None:
        from django.conf import settings

        secret_key = settings.SECRET_KEY
    return hashlib.sha256(f"erpintegration.signing:{purpose}:{secret_key}".encode()).digest()


def _canonical(params: Iterable[tuple[str, str]]) -> bytes:
    return urlencode(sorted((name, value) for name, value in params if name != SIGNATURE_PARAM)).encode()


def signature_for(params: Iterable[tuple[str, str]], *, purpose: str, secret_key: str | None = None) -> str:
    digest = hmac.new(_key(purpose, secret_key), _canonical(params), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def sign_url(url: str, *, purpose: str, ttl_seconds: int | None, now: float | None = None,
             secret_key: str | None = None) -> str:
    """``url`` plus ``expires`` (unix seconds; omitted when ``ttl_seconds`` is falsy) and ``signature``."""
    parts = urlsplit(url)
    params = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
              if k not in (SIGNATURE_PARAM, EXPIRES_PARAM)]
    if ttl_seconds:
        params.append((EXPIRES_PARAM, str(int((now if now is not None else time.time()) + ttl_seconds))))
    signature = signature_for(params, purpose=purpose, secret_key=secret_key)
    query = urlencode([*params, (SIGNATURE_PARAM, signature)])
    return parts._replace(query=query).geturl()


def verify(params: Iterable[tuple[str, str]], *, purpose: str, now: float | None = None,
           secret_key: str | None = None) -> None:
    """Raise a ``SignatureError`` unless ``params`` carry a valid, unexpired signature for ``purpose``.

    ``params`` are the query pairs as received (repeated names allowed). The signature is checked before
    the expiry, so an expired URL is only reported as such when it is otherwise genuine.
    """
    params = list(params)
    signatures = [value for name, value in params if name == SIGNATURE_PARAM]
    if not signatures or not signatures[0]:
        raise SignatureMissing("the URL carries no signature")
    if len(signatures) > 1:
        raise SignatureInvalid("the URL carries more than one signature")
    expected = signature_for(params, purpose=purpose, secret_key=secret_key)
    if not hmac.compare_digest(expected.encode(), signatures[0].encode()):
        raise SignatureInvalid("the URL signature does not match")
    expires = [value for name, value in params if name == EXPIRES_PARAM]
    if expires:
        try:
            deadline = int(expires[0])
        except ValueError:
            raise SignatureInvalid("the URL expiry is not a number")
        if (now if now is not None else time.time()) > deadline:
            raise SignatureExpired("the URL has expired")


def verify_url(url: str, *, purpose: str, now: float | None = None, secret_key: str | None = None) -> None:
    verify(parse_qsl(urlsplit(url).query, keep_blank_values=True), purpose=purpose, now=now,
           secret_key=secret_key)
