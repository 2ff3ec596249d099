"""OAuth2 token requests and the token cache."""
from urllib.parse import parse_qsl

import pytest

from erpintegration.lib import http
from fileproxy import oauth
from fileproxy.errors import ConfigurationError, UpstreamError
from tests.fileproxy.fake_erp import CLIENT_SECRET, PASSWORD

POLICY = http.Policy(allowlist=("127.0.0.1/32",))


def auth(base_url, **extra):
    return {"type": "oauth2_client_credentials", "token_url": base_url + "/oauth/token",
            "client_id": "hub-client", "client_secret": "\\{{env.secret}}", **extra}


def test_token_request_is_form_encoded_with_all_options():
    config = auth("https://idp.example", scope="a b", audience="{{params.aud}}", resource="urn:erp",
                  body_params={"tenant": "{{params.tenant}}"}, headers={"X-Org": "{{params.orgId}}"},
                  query_params={"p": "{{params.tenant}}", "q": "x y"})
    url, form, headers = oauth.build_token_request(
        config, {"params": {"aud": "erp-api", "tenant": "t1", "orgId": "9"}}, {"secret": "S"})
    assert url == "https://idp.example/oauth/token?p=t1&q=x+y"
    assert form == {"grant_type": "client_credentials", "client_id": "hub-client", "client_secret": "S",
                    "scope": "a b", "audience": "erp-api", "resource": "urn:erp", "tenant": "t1"}
    assert headers == {"Accept": "application/json", "X-Org": "9",
                       "Content-Type": "application/x-www-form-urlencoded"}


def test_query_params_are_appended_to_an_existing_query():
    url, _, _ = oauth.build_token_request(auth("https://idp.example", query_params={"b": "2"})
                                          | {"token_url": "https://idp.example/t?a=1"}, {}, {"secret": "S"})
    assert url == "https://idp.example/t?a=1&b=2"


def test_password_grant_needs_username_and_password():
    config = auth("https://idp", type="oauth2_password", username="u", password="\\{{env.pw}}")
    _, form, _ = oauth.build_token_request(config, {}, {"secret": "S", "pw": "P"})
    assert form["grant_type"] == "password" and form["username"] == "u" and form["password"] == "P"


def test_a_missing_environment_value_names_the_auth_field():
    with pytest.raises(ConfigurationError, match="auth.client_secret: environment value 'secret'"):
        oauth.build_token_request(auth("https://idp"), {}, {})


@pytest.mark.parametrize("expires_in, seconds", [
    (3600, 3570), ("120", 90), (60, 30), (10, 5), (1, 0), (None, 0), ("soon", 0), (0, 0),
])
def test_cache_lifetime(expires_in, seconds):
    assert oauth.cache_seconds(expires_in) == seconds


def test_token_is_cached_per_rendered_request(fake_erp):
    env = {"secret": CLIENT_SECRET}
    first = oauth.get_access_token(auth(fake_erp.base_url), {}, env, scope="uc-1", policy=POLICY)
    again = oauth.get_access_token(auth(fake_erp.base_url), {}, env, scope="uc-1", policy=POLICY)
    other_use_case = oauth.get_access_token(auth(fake_erp.base_url), {}, env, scope="uc-2", policy=POLICY)
    assert first == again == "tok-1" and other_use_case == "tok-2"
    assert fake_erp.tokens_issued == 2


def test_changed_credentials_do_not_reuse_a_cached_token(fake_erp):
    oauth.get_access_token(auth(fake_erp.base_url), {}, {"secret": CLIENT_SECRET}, scope="s", policy=POLICY)
    with pytest.raises(UpstreamError) as error:
        oauth.get_access_token(auth(fake_erp.base_url), {}, {"secret": "changed"}, scope="s", policy=POLICY)
    assert error.value.code == "UPSTREAM_AUTH_FAILED" and "changed" not in error.value.message


def test_password_grant_against_the_fake_erp(fake_erp):
    config = auth(fake_erp.base_url, type="oauth2_password", username="svc-user", password="\\{{env.pw}}")
    token = oauth.get_access_token(config, {}, {"secret": CLIENT_SECRET, "pw": PASSWORD}, scope="s",
                                   policy=POLICY)
    assert token == "tok-1"
    assert dict(parse_qsl(fake_erp.token_requests()[0].body.decode()))["password"] == PASSWORD


def test_token_endpoint_without_access_token_is_502(fake_erp):
    config = auth(fake_erp.base_url) | {"token_url": fake_erp.base_url + "/health"}
    with pytest.raises(UpstreamError, match="no access_token"):
        oauth.get_access_token(config, {}, {"secret": "S"}, scope="s", policy=POLICY)


def test_token_endpoint_is_guarded(fake_erp):
    with pytest.raises(UpstreamError) as error:
        oauth.get_access_token(auth(fake_erp.base_url), {}, {"secret": "S"}, scope="s", policy=http.Policy())
    assert error.value.code == "DESTINATION_BLOCKED"
    assert fake_erp.requests == []
