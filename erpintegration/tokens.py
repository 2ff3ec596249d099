"""Issuing, verifying and revoking API access tokens.

A token reads ``<id>.<secret>``: the id (``api_…``) is public and appears in access logs and in an
integration's ``access_token_ids``; only the SHA-256 of the secret is stored.
"""
import hashlib
import hmac
import secrets
import string
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from erpintegration.models import AccessToken, Organization
from erpintegration.scopes import default_scopes, normalize_scopes

_ALPHABET = string.ascii_letters + string.digits
LAST_USED_RESOLUTION = timedelta(seconds=60)


@dataclass(frozen=True)
class IssuedToken:
    token: AccessToken
    plaintext: str


def _random_id() -> str:
    return "api_" + "".join(secrets.choice(_ALPHABET) for _ in range(24))


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(organization: Organization, name: str, created_by=None, scopes=None) -> IssuedToken:
    """A new token; ``scopes`` defaults to all (ValueError for an unknown or empty list)."""
    scopes = default_scopes() if scopes is None else normalize_scopes(scopes)
    if not scopes:
        raise ValueError("a token needs at least one scope")
    secret = secrets.token_urlsafe(32)
    token = AccessToken.objects.create(
        id=_random_id(),
        organization=organization,
        name=name,
        secret_hash=hash_secret(secret),
        created_by=created_by,
        scopes=scopes,
    )
    return IssuedToken(token=token, plaintext=f"{token.id}.{secret}")


def verify_token(plaintext: str) -> AccessToken | None:
    """The active token for ``plaintext``, or None. Records ``last_used_at`` (at most once a minute)."""
    token_id, sep, secret = plaintext.partition(".")
    if not sep or not token_id.startswith("api_") or not secret or len(token_id) > 40:
        return None
    token = AccessToken.objects.select_related("organization").filter(id=token_id).first()
    if token is None or not token.is_active:
        return None
    if not hmac.compare_digest(token.secret_hash, hash_secret(secret)):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


@transaction.atomic
def revoke_token(organization: Organization, token_id: str) -> bool:
    updated = AccessToken.objects.filter(
        organization=organization, id=token_id, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    return bool(updated)


def list_tokens(organization: Organization):
    """The organisation's API tokens, active ones first, newest first."""
    return list(
        AccessToken.objects.filter(organization=organization)
        .select_related("created_by")
        .order_by("revoked_at", "-created_at")
    )
