"""Secrets at rest: Fernet encryption with key rotation.

Keys come from ``SECRETS_ENCRYPTION_KEYS`` (comma-separated Fernet keys, newest first). Encrypting uses the
first key; decrypting tries all, so a new key can be prepended and old values re-encrypted at leisure
(``rotate``). Without configured keys a key is derived from ``SECRET_KEY`` (fine for the embedded default).
"""
import base64
import hashlib
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

PREFIX = "enc:v1:"


class DecryptionFailed(Exception):
    """The value was not encrypted with any configured key."""


def _derived_key(secret_key: str) -> bytes:
    return base64.urlsafe_b64encode(hashlib.sha256(("erpintegration-secrets:" + secret_key).encode()).digest())


@cache
def _fernet(keys: tuple[str, ...], secret_key: str) -> MultiFernet:
    material = [k.encode() for k in keys] or [_derived_key(secret_key)]
    return MultiFernet([Fernet(k) for k in material])


def _current() -> MultiFernet:
    return _fernet(tuple(settings.SECRETS_ENCRYPTION_KEYS), settings.SECRET_KEY)


def is_encrypted(value: str) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def encrypt(plaintext: str) -> str:
    return PREFIX + _current().encrypt(plaintext.encode()).decode()


def decrypt(ciphertext: str) -> str:
    if not is_encrypted(ciphertext):
        raise DecryptionFailed("value is not an encrypted secret")
    try:
        return _current().decrypt(ciphertext[len(PREFIX):].encode()).decode()
    except InvalidToken:
        raise DecryptionFailed("no configured key decrypts this secret")


def rotate(ciphertext: str) -> str:
    """Re-encrypt with the newest key."""
    return PREFIX + _current().rotate(ciphertext[len(PREFIX):].encode()).decode()


def generate_key() -> str:
    return Fernet.generate_key().decode()
