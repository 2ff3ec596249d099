import pytest

from erpintegration.lib import crypto


def test_round_trip_with_derived_key(settings):
    settings.SECRETS_ENCRYPTION_KEYS = []
    token = crypto.encrypt("s3cret")
    assert crypto.is_encrypted(token) and "s3cret" not in token
    assert crypto.decrypt(token) == "s3cret"


def test_rotation_keeps_old_values_readable(settings):
    old, new = crypto.generate_key(), crypto.generate_key()
    settings.SECRETS_ENCRYPTION_KEYS = [old]
    stored = crypto.encrypt("client-secret")
    settings.SECRETS_ENCRYPTION_KEYS = [new, old]
    assert crypto.decrypt(stored) == "client-secret"
    rotated = crypto.rotate(stored)
    settings.SECRETS_ENCRYPTION_KEYS = [new]
    assert crypto.decrypt(rotated) == "client-secret"
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt(stored)


def test_plain_value_is_refused():
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt("not encrypted")
