"""Signed URLs: HMAC-SHA256 over the canonical query, expiry, purpose separation."""
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from erpintegration.lib import signing

KEY = "test-secret-key"
NOW = 1_800_000_000


def sign(url="https://hub.example/download?orgId=1&number=4%262", ttl=60, purpose="p", key=KEY):
    return signing.sign_url(url, purpose=purpose, ttl_seconds=ttl, now=NOW, secret_key=key)


def test_signed_url_verifies_and_keeps_params():
    url = sign()
    query = dict(parse_qsl(urlsplit(url).query))
    assert query["orgId"] == "1" and query["number"] == "4&2" and query["expires"] == str(NOW + 60)
    assert len(query["signature"]) == 43  # 32 bytes, base64url without padding
    signing.verify_url(url, purpose="p", now=NOW + 59, secret_key=KEY)


def test_parameter_order_and_host_do_not_matter():
    url = sign()
    pairs = parse_qsl(urlsplit(url).query)
    signing.verify(list(reversed(pairs)), purpose="p", now=NOW, secret_key=KEY)
    signing.verify_url("http://other-host/prefix/download?" + urlencode(pairs), purpose="p", now=NOW,
                       secret_key=KEY)


@pytest.mark.parametrize("mutate", [
    lambda q: [(k, "5" if k == "number" else v) for k, v in q],
    lambda q: [*q, ("extra", "1")],
    lambda q: [(k, v) for k, v in q if k != "orgId"],
    lambda q: [(k, str(NOW + 10_000) if k == "expires" else v) for k, v in q],
    lambda q: [(k, v) for k, v in q if k != "expires"],
    lambda q: [(k, v[:-1] + ("A" if v[-1] != "A" else "B") if k == "signature" else v) for k, v in q],
    lambda q: [*q, ("signature", "x")],
])
def test_any_change_invalidates(mutate):
    pairs = mutate(parse_qsl(urlsplit(sign()).query))
    with pytest.raises(signing.SignatureInvalid):
        signing.verify(pairs, purpose="p", now=NOW, secret_key=KEY)


def test_expired():
    with pytest.raises(signing.SignatureExpired):
        signing.verify_url(sign(), purpose="p", now=NOW + 61, secret_key=KEY)


def test_missing_signature():
    with pytest.raises(signing.SignatureMissing):
        signing.verify_url("https://h/download?orgId=1", purpose="p", secret_key=KEY)


def test_other_purpose_or_key_is_invalid():
    with pytest.raises(signing.SignatureInvalid):
        signing.verify_url(sign(), purpose="other", now=NOW, secret_key=KEY)
    with pytest.raises(signing.SignatureInvalid):
        signing.verify_url(sign(), purpose="p", now=NOW, secret_key="rotated")


def test_without_ttl_there_is_no_expiry():
    url = sign(ttl=0)
    assert "expires" not in url
    signing.verify_url(url, purpose="p", now=NOW + 10**9, secret_key=KEY)


def test_resigning_replaces_old_signature_and_expiry():
    url = signing.sign_url(sign(), purpose="p", ttl_seconds=120, now=NOW, secret_key=KEY)
    query = parse_qsl(urlsplit(url).query)
    assert [k for k, _ in query].count("signature") == 1 and dict(query)["expires"] == str(NOW + 120)
    signing.verify_url(url, purpose="p", now=NOW + 100, secret_key=KEY)


def test_default_key_comes_from_settings(settings):
    settings.SECRET_KEY = "from-settings"
    url = signing.sign_url("https://h/download?a=1", purpose="p", ttl_seconds=60)
    signing.verify_url(url, purpose="p")
    with pytest.raises(signing.SignatureInvalid):
        signing.verify_url(url, purpose="p", secret_key=KEY)
