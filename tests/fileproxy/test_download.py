"""End to end: configure a file_proxy use case through the API, sign a URL, GET /download from the fake ERP."""
import base64
import json
import os
import time
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from fileproxy.environment import set_environment_value
from fileproxy.models import EnvironmentValue
from integrations.inbound.services.file_urls import build_signed_download_url, file_proxy_url_builder
from monitoring.models import MonitoringEvent
from tests.factories import IntegrationFactory, UseCaseFactory
from tests.fileproxy.fake_erp import CLIENT_SECRET, DOCUMENT, PASSWORD

pytestmark = pytest.mark.django_db

ENVIRONMENT = [
    {"key": "erp_url", "label": "ERP base URL", "type": "String"},
    {"key": "client_secret", "label": "Client secret", "type": "SecretString"},
    {"key": "password", "label": "Service password", "type": "SecretString"},
    {"key": "prefix", "label": "File name prefix", "type": "String"},
]


def binary_config(erp_url_template="\\{{env.erp_url}}"):
    """Two steps (search -> binary content), client-credentials auth, 0.46.0 escaped env form."""
    return {
        "auth": {
            "type": "oauth2_client_credentials",
            "token_url": erp_url_template + "/oauth/token",
            "client_id": "hub-client",
            "client_secret": "\\{{env.client_secret}}",
            "scope": "documents.read",
            "query_params": {"tenant": "{{params.tenant}}"},
            "headers": {"X-Tenant": "{{params.tenant}}"},
        },
        "params": [{"name": "number", "required": True, "description": "Document number"},
                   {"name": "tenant", "required": False}],
        "steps": [
            {"url": erp_url_template + "/api/documents/search?number={{urlencode params.number}}",
             "method": "GET", "response_type": "json"},
            {"url": erp_url_template + "/api/documents/{{steps.0.body.fileId}}/content",
             "method": "GET", "response_type": "binary"},
        ],
        "response": {"body": "steps[1].body", "encoding": "binary",
                     "filename": "steps[0].body.name", "content_type": "steps[0].body.mime"},
    }


def base64_config():
    """Password grant, a POST step with a JSON body, base64 payload; the later single-pass env form."""
    return {
        "auth": {
            "type": "oauth2_password",
            "token_url": "{{env.erp_url}}/oauth/token",
            "client_id": "hub-client",
            "client_secret": "{{env.client_secret}}",
            "username": "svc-user",
            "password": "{{env.password}}",
        },
        "params": [{"name": "number", "required": True}],
        "steps": [
            {"url": "{{env.erp_url}}/api/documents/search?number={{params.number}}", "method": "GET",
             "response_type": "json"},
            {"url": "{{env.erp_url}}/api/documents/{{steps.0.body.fileId}}/export", "method": "POST",
             "body": '{"name": {{{json steps.0.body.fileId}}}, "format": "pdf"}', "response_type": "json"},
        ],
        "response": {"body": "steps[1].body.data", "encoding": "base64",
                     "filename": "'{{env.prefix}}-' & steps[1].body.fileName"},
    }


@pytest.fixture
def integration(owner, fake_erp):
    response = owner.client.post("/v1/integrations", {"name": "Archive", "environment_config": ENVIRONMENT},
                                 format="json")
    assert response.status_code == 201, response.json()
    from integrations.models import Integration

    integration = Integration.objects.get(pk=response.json()["id"])
    set_environment_value(integration, "erp_url", fake_erp.base_url)
    set_environment_value(integration, "client_secret", CLIENT_SECRET)
    set_environment_value(integration, "password", PASSWORD)
    set_environment_value(integration, "prefix", "ACME")
    return integration


def create_use_case(owner, integration, name, configuration):
    response = owner.client.post(f"/v1/integrations/{integration.id}/use-cases",
                                 {"name": name, "type": "file_proxy", "enabled": True,
                                  "configuration": configuration}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def signed(owner, integration, slug, **params):
    return build_signed_download_url("http://testserver", owner.organization.id, str(integration.id),
                                     {"use_case_slug": slug, "params": params})


def path_of(url):
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def test_two_step_binary_download_streams_the_document(owner, anonymous, integration, fake_erp, allow_loopback):
    create_use_case(owner, integration, "Invoice PDF", binary_config())
    url = signed(owner, integration, "invoice-pdf", number="42", tenant="t-1")

    response = anonymous.get(path_of(url))

    assert response.status_code == 200, response.content
    assert b"".join(response.streaming_content) == DOCUMENT
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        "attachment; filename=\"Invoice 42.pdf\"; filename*=UTF-8''Invoice%2042.pdf")
    assert response["X-Content-Type-Options"] == "nosniff"
    token_request = fake_erp.token_requests()[0]
    form = dict(parse_qsl(token_request.body.decode()))
    assert form == {"grant_type": "client_credentials", "client_id": "hub-client",
                    "client_secret": CLIENT_SECRET, "scope": "documents.read"}
    assert token_request.query == {"tenant": ["t-1"]} and token_request.headers["X-Tenant"] == "t-1"
    assert token_request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    search, content = fake_erp.document_requests()
    assert search.query == {"number": ["42"]} and search.headers["Authorization"] == "Bearer tok-1"
    assert content.path == "/api/documents/doc-42/content"


def test_large_files_stream_through_in_chunks(owner, anonymous, integration, fake_erp, allow_loopback,
                                             settings):
    fake_erp.document = os.urandom(1_000_000)
    create_use_case(owner, integration, "Invoice PDF", binary_config())
    response = anonymous.get(path_of(signed(owner, integration, "invoice-pdf", number="1")))
    assert response.status_code == 200 and response.streaming
    assert response["Content-Length"] == "1000000"
    chunks = list(response.streaming_content)
    assert len(chunks) > 1 and b"".join(chunks) == fake_erp.document


def test_file_over_the_response_limit_is_refused_before_streaming(owner, anonymous, integration, fake_erp,
                                                                  allow_loopback, settings):
    settings.OUTBOUND_HTTP_MAX_RESPONSE_BYTES = 1000
    create_use_case(owner, integration, "Invoice PDF", binary_config())
    response = anonymous.get(path_of(signed(owner, integration, "invoice-pdf", number="1")))
    assert response.status_code == 502 and response.json()["code"] == "UPSTREAM_RESPONSE_TOO_LARGE"


def test_token_is_cached_until_expiry(owner, anonymous, integration, fake_erp, allow_loopback):
    create_use_case(owner, integration, "Invoice PDF", binary_config())
    for number in ("1", "2"):
        response = anonymous.get(path_of(signed(owner, integration, "invoice-pdf", number=number)))
        assert response.status_code == 200
        b"".join(response.streaming_content)
    assert fake_erp.tokens_issued == 1
    assert len(fake_erp.document_requests()) == 4


def test_password_grant_post_step_and_base64_body(owner, anonymous, integration, fake_erp, allow_loopback):
    create_use_case(owner, integration, "Export", base64_config())
    response = anonymous.get(path_of(signed(owner, integration, "export", number="7")))

    assert response.status_code == 200, response.content
    assert b"".join(response.streaming_content) == DOCUMENT
    assert response["Content-Type"] == "application/octet-stream"  # no content_type expression
    assert 'filename="ACME-doc-7.pdf"' in response["Content-Disposition"]
    form = dict(parse_qsl(fake_erp.token_requests()[0].body.decode()))
    assert form["grant_type"] == "password" and form["username"] == "svc-user" and form["password"] == PASSWORD
    export = fake_erp.document_requests()[1]
    assert export.method == "POST" and json.loads(export.body) == {"name": "doc-7", "format": "pdf"}
    assert export.headers["Content-Type"] == "application/json"


def test_step_authorization_header_wins_over_the_token(owner, anonymous, integration, fake_erp, allow_loopback):
    config = binary_config()
    config["steps"][1]["headers"] = {"Authorization": "Bearer tok-custom-{{steps.0.body.fileId}}"}
    create_use_case(owner, integration, "Invoice PDF", config)
    response = anonymous.get(path_of(signed(owner, integration, "invoice-pdf", number="5")))
    assert response.status_code == 200
    b"".join(response.streaming_content)
    assert fake_erp.document_requests()[1].headers["Authorization"] == "Bearer tok-custom-doc-5"


def test_legacy_use_case_id_url_and_runtime_builder(owner, anonymous, integration, fake_erp, allow_loopback):
    use_case = create_use_case(owner, integration, "Invoice PDF", binary_config())
    build = file_proxy_url_builder(owner.organization.id, integration.id, base_url="http://testserver/")
    url = build({"use_case_id": use_case["id"], "params": {"number": "9"}})
    assert url.startswith("http://testserver/download?orgId=") and "useCaseId=" in url
    response = anonymous.get(path_of(url))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == DOCUMENT


def test_missing_required_param_is_400_naming_it(owner, anonymous, integration, fake_erp, allow_loopback):
    create_use_case(owner, integration, "Invoice PDF", binary_config())
    response = anonymous.get(path_of(signed(owner, integration, "invoice-pdf", tenant="x")))
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "MISSING_PARAMETER" and "number" in body["message"]
    assert fake_erp.requests == []


@pytest.mark.parametrize("tamper", ["change", "add", "drop_signature", "expire"])
def test_bad_or_expired_signature_is_refused(owner, anonymous, integration, fake_erp, allow_loopback, tamper,
                                             settings):
    create_use_case(owner, integration, "Invoice PDF", binary_config())
    url = signed(owner, integration, "invoice-pdf", number="42")
    query = parse_qsl(urlsplit(url).query)
    if tamper == "change":
        query = [(k, "43" if k == "number" else v) for k, v in query]
        expected = (403, "INVALID_SIGNATURE")
    elif tamper == "add":
        query.append(("tenant", "other"))
        expected = (403, "INVALID_SIGNATURE")
    elif tamper == "drop_signature":
        query = [(k, v) for k, v in query if k != "signature"]
        expected = (401, "SIGNATURE_REQUIRED")
    else:
        url = build_signed_download_url("http://testserver", owner.organization.id, str(integration.id),
                                        {"use_case_slug": "invoice-pdf", "params": {"number": "42"}},
                                        ttl_seconds=-10)
        query = parse_qsl(urlsplit(url).query)
        expected = (401, "SIGNATURE_EXPIRED")
    response = anonymous.get("/download?" + urlencode(query))
    assert (response.status_code, response.json()["code"]) == expected
    assert fake_erp.requests == []


def test_ttl_zero_signs_without_expiry(owner, integration):
    url = build_signed_download_url("http://h", owner.organization.id, str(integration.id),
                                    {"use_case_slug": "x"}, ttl_seconds=0)
    assert "expires=" not in url and "signature=" in url
    url = build_signed_download_url("http://h", owner.organization.id, str(integration.id), {"use_case_slug": "x"})
    expires = int(dict(parse_qsl(urlsplit(url).query))["expires"])
    assert expires > time.time() + 6 * 24 * 3600


def test_another_organisations_integration_is_404(owner, other_org, anonymous, integration, fake_erp,
                                                   allow_loopback):
    create_use_case(owner, integration, "Invoice PDF", binary_config())
    # A genuine signature, but for the other organisation's context: the integration is not theirs.
    url = build_signed_download_url("http://testserver", other_org.organization.id, str(integration.id),
                                    {"use_case_slug": "invoice-pdf", "params": {"number": "1"}})
    response = anonymous.get(path_of(url))
    assert response.status_code == 404 and response.json()["code"] == "NOT_FOUND"
    assert fake_erp.requests == []


def test_unknown_disabled_and_non_file_proxy_use_cases_are_404(owner, anonymous, integration, allow_loopback):
    UseCaseFactory(integration=integration, slug="inbound-one", type="inbound")
    UseCaseFactory(integration=integration, slug="off", type="file_proxy", enabled=False,
                   configuration=binary_config())
    for slug in ("nope", "inbound-one", "off"):
        response = anonymous.get(path_of(signed(owner, integration, slug, number="1")))
        assert response.status_code == 404, slug


def test_ssrf_guard_refuses_loopback_without_allowlist(owner, anonymous, integration, fake_erp):
    create_use_case(owner, integration, "Invoice PDF", binary_config())
    response = anonymous.get(path_of(signed(owner, integration, "invoice-pdf", number="42")))
    assert response.status_code == 502
    body = response.json()
    assert body["code"] == "DESTINATION_BLOCKED" and "OUTBOUND_HTTP_ALLOWLIST" in body["message"]
    assert fake_erp.requests == []


def test_upstream_failure_is_502_with_code(owner, anonymous, integration, fake_erp, allow_loopback):
    create_use_case(owner, integration, "Invoice PDF", binary_config())
    fake_erp.fail_with = 500
    response = anonymous.get(path_of(signed(owner, integration, "invoice-pdf", number="42")))
    assert response.status_code == 502
    assert response.json() == {"code": "UPSTREAM_ERROR",
                                "message": "steps[0] (GET 127.0.0.1) answered HTTP 500"}


def test_rejected_credentials_are_502_without_leaking_them(owner, anonymous, integration, fake_erp,
                                                           allow_loopback):
    set_environment_value(integration, "client_secret", "wrong-secret-value")
    create_use_case(owner, integration, "Invoice PDF", binary_config())
    response = anonymous.get(path_of(signed(owner, integration, "invoice-pdf", number="42")))
    assert response.status_code == 502
    assert response.json() == {"code": "UPSTREAM_AUTH_FAILED",
                                "message": "token endpoint answered 401 (invalid_client)"}
    assert b"wrong-secret-value" not in response.content


def test_missing_environment_value_is_a_configuration_error(owner, anonymous, integration, allow_loopback):
    EnvironmentValue.objects.filter(key="erp_url").delete()
    create_use_case(owner, integration, "Invoice PDF", binary_config())
    response = anonymous.get(path_of(signed(owner, integration, "invoice-pdf", number="42")))
    assert response.status_code == 502
    assert response.json()["code"] == "CONFIGURATION_ERROR" and "erp_url" in response.json()["message"]


def test_secrets_never_appear_in_api_responses_or_the_database(owner, anonymous, integration, fake_erp,
                                                                allow_loopback):
    config = binary_config()
    config["response"]["filename"] = "'{{env.client_secret}}-' & steps[0].body.name"  # tries to leak
    create_use_case(owner, integration, "Invoice PDF", config)
    download = anonymous.get(path_of(signed(owner, integration, "invoice-pdf", number="42")))
    assert download.status_code == 200
    assert CLIENT_SECRET not in download["Content-Disposition"]
    assert "filename*=UTF-8''%7B%7Benv.client_secret%7D%7D-Invoice%2042.pdf" in download["Content-Disposition"]
    for path in (f"/v1/integrations/{integration.id}", f"/v1/integrations/{integration.id}/use-cases",
                 f"/v2/integrations/{integration.id}"):
        response = owner.client.get(path)
        assert response.status_code == 200
        assert CLIENT_SECRET.encode() not in response.content and PASSWORD.encode() not in response.content
    stored = EnvironmentValue.objects.get(key="client_secret")
    assert stored.is_secret and CLIENT_SECRET not in stored.value and stored.value.startswith("enc:v1:")


def test_base64_of_an_inline_json_value(owner, anonymous, fake_erp, allow_loopback):
    integration = IntegrationFactory(organization=owner.organization)
    payload = base64.b64encode(b"hello, world").decode()
    UseCaseFactory(integration=integration, slug="inline", type="file_proxy", configuration={
        "steps": [{"url": fake_erp.base_url + "/health", "method": "GET", "response_type": "json"}],
        "response": {"body": f'"{payload}"', "encoding": "base64", "filename": '"hello.txt"',
                     "content_type": '"text/plain; charset=utf-8"'},
    })
    response = anonymous.get(path_of(signed(owner, integration, "inline")))
    assert response.status_code == 200, response.content
    assert b"".join(response.streaming_content) == b"hello, world"
    assert response["Content-Type"] == "text/plain; charset=utf-8"


@pytest.mark.parametrize("configuration, message", [
    ({"steps": [{"method": "GET", "response_type": "json"}], "response": {"body": "1", "encoding": "binary"}},
     "steps[0].url: is required"),
    ({"steps": [{"url": "http://x", "method": "DELETE", "response_type": "json"}],
      "response": {"body": "1", "encoding": "binary"}}, "steps[0].method"),
    ({"auth": {"type": "oauth2_password", "token_url": "http://x", "client_id": "a", "client_secret": "b"},
      "steps": [{"url": "http://x", "method": "GET", "response_type": "json"}],
      "response": {"body": "1", "encoding": "binary"}}, "auth.username: is required"),
    ({"steps": [], "response": {"body": "1", "encoding": "binary"}}, "has no steps"),
])
def test_unvalidated_stored_configuration_is_a_configuration_error(owner, anonymous, configuration, message):
    """Configurations saved around the API (admin, data migrations) fail cleanly, never with a 500."""
    integration = IntegrationFactory(organization=owner.organization)
    UseCaseFactory(integration=integration, slug="raw", type="file_proxy", configuration=configuration)
    response = anonymous.get(path_of(signed(owner, integration, "raw")))
    assert response.status_code == 502
    assert response.json()["code"] == "CONFIGURATION_ERROR" and message in response.json()["message"]


def test_jsonata_runtime_error_and_undefined_body(owner, anonymous, fake_erp, allow_loopback):
    integration = IntegrationFactory(organization=owner.organization)
    step = {"url": fake_erp.base_url + "/health", "method": "GET", "response_type": "json"}
    UseCaseFactory(integration=integration, slug="err", type="file_proxy",
                   configuration={"steps": [step], "response": {"body": "$number('x')", "encoding": "binary"}})
    UseCaseFactory(integration=integration, slug="undef", type="file_proxy",
                   configuration={"steps": [step], "response": {"body": "steps[0].body.nope", "encoding": "binary"}})
    UseCaseFactory(integration=integration, slug="bad64", type="file_proxy",
                   configuration={"steps": [step], "response": {"body": "'not base64!'", "encoding": "base64"}})
    assert anonymous.get(path_of(signed(owner, integration, "err"))).json()["code"] == "CONFIGURATION_ERROR"
    assert anonymous.get(path_of(signed(owner, integration, "undef"))).json()["code"] == "UPSTREAM_INVALID_RESPONSE"
    assert anonymous.get(path_of(signed(owner, integration, "bad64"))).json() == {
        "code": "UPSTREAM_INVALID_RESPONSE", "message": "response.body is not valid base64"}


def test_allowed_origins_get_cors_and_the_stream_alias_serves_the_same(owner, anonymous, integration, fake_erp,
                                                                       allow_loopback):
    create_use_case(owner, integration, "Invoice PDF", {**binary_config(),
                                                        "allowed_origins": ["https://portal.example.com"]})
    url = path_of(signed(owner, integration, "invoice-pdf", number="42"))
    allowed = anonymous.get(url, HTTP_ORIGIN="https://portal.example.com")
    assert allowed["Access-Control-Allow-Origin"] == "https://portal.example.com" and allowed["Vary"] == "Origin"
    other = anonymous.get(url, HTTP_ORIGIN="https://evil.example.com")
    assert other.status_code == 200 and "Access-Control-Allow-Origin" not in other
    streamed = anonymous.get(url.replace("/download?", "/stream/download?"))
    assert streamed.status_code == 200 and b"".join(streamed.streaming_content) == DOCUMENT


def test_download_steps_go_through_an_attached_secure_proxy(owner, anonymous, integration, fake_erp, allow_loopback):
    create_use_case(owner, integration, "Invoice PDF", {**binary_config(), "secure_proxy": {"use_case_slug": "vpn"}})
    url = path_of(signed(owner, integration, "invoice-pdf", number="42"))
    missing = anonymous.get(url)
    assert missing.status_code == 502 and "not an enabled secure proxy" in missing.json()["message"]
    owner.client.post(f"/v1/integrations/{integration.id}/use-cases", {
        "name": "VPN", "slug": "vpn", "type": "secure_proxy", "enabled": True,
        "configuration": {"vpc_mode": "secure_link", "allowed_domains": ["erp.example.com"],
                          "allowed_ips": ["127.0.0.0/8"]}}, format="json")
    refused = anonymous.get(url)  # 127.0.0.1 is not among the allowed domains
    assert refused.status_code == 502 and refused.json()["code"] == "SECURE_PROXY_DOMAIN_NOT_ALLOWED"
    assert fake_erp.document_requests() == []


def test_each_download_call_leaves_a_monitoring_row(owner, anonymous, integration, fake_erp, allow_loopback):
    create_use_case(owner, integration, "Invoice PDF", binary_config())
    assert anonymous.get(path_of(signed(owner, integration, "invoice-pdf", number="42"))).status_code == 200
    row = MonitoringEvent.objects.get(integration_id=str(integration.id))
    assert (row.level, row.code, row.use_case_type, row.v1_status) == ("success", "FILE_PROXY_OK", "file_proxy", None)
    assert row.message == "Serving Invoice 42.pdf"
