"""The access log middleware: token-authenticated API calls are logged (status, latency, length, ids),
anonymous/public/session ones are not, and logging never breaks a request."""
import pytest
from django.http import StreamingHttpResponse
from django.test import RequestFactory

from erpintegration.models import AccessToken
from monitoring import middleware
from monitoring.middleware import AccessLogMiddleware, client_ip, service_for_path
from monitoring.models import AccessLog
from tests.factories import IntegrationFactory

pytestmark = pytest.mark.django_db


def test_authenticated_call_is_logged_with_status_length_and_ids(owner):
    IntegrationFactory(organization=owner.organization)
    response = owner.client.get("/v1/integrations", HTTP_ORIGIN="https://portal.example")
    assert response.status_code == 200
    entry = AccessLog.objects.get()
    assert response["X-Request-Id"] == entry.request_id
    assert entry.token_id == owner.token_id
    assert entry.organization_id == owner.organization.id
    assert (entry.method, entry.path, entry.status) == ("GET", "/v1/integrations", 200)
    assert entry.response_length == len(response.content) > 0
    assert entry.service == "erp-integration" and entry.environment == "self-hosted"
    assert entry.origin == "https://portal.example"
    assert entry.source_ip == "127.0.0.1"
    assert isinstance(entry.response_latency_ms, int) and entry.response_latency_ms >= 0


def test_latency_is_measured_around_the_whole_request(owner, monkeypatch):
    ticks = iter([100.0, 100.25])
    monkeypatch.setattr(middleware, "perf_counter", lambda: next(ticks))
    owner.client.get("/v1/integrations")
    assert AccessLog.objects.get().response_latency_ms == 250


def test_error_responses_of_token_calls_are_logged_too(owner):
    response = owner.client.get("/v1/integrations/0b0e2f38-5c7a-4c4b-9b7e-3a1d2c3b4a5f")
    assert response.status_code == 404
    entry = AccessLog.objects.get()
    assert entry.status == 404 and entry.response_length == len(response.content)
    response = owner.client.post("/v1/integrations", {"name": ""}, format="json")
    assert response.status_code == 400
    assert AccessLog.objects.filter(status=400, method="POST").count() == 1


def test_anonymous_bad_token_public_and_session_requests_are_not_logged(anonymous, member_factory, client):
    assert anonymous.get("/v1/integrations").status_code == 401
    anonymous.credentials(HTTP_AUTHORIZATION="Bearer api_nope.secret")
    assert anonymous.get("/v1/integrations").status_code == 401
    health = client.get("/healthz")
    assert health.status_code == 200 and health["X-Request-Id"]
    membership = member_factory()
    client.force_login(membership.user)
    client.get("/")
    assert AccessLog.objects.count() == 0


def test_service_is_derived_from_the_path(owner):
    assert service_for_path("/v1/entities/contact") == "entity"
    assert service_for_path("/v1/meter-readings") == "metering"
    assert service_for_path("/v3/erp/updates/events") == "erp-integration"
    owner.client.get("/v1/entities/contact")
    assert AccessLog.objects.get().service == "entity"


def test_environment_comes_from_settings(owner, settings):
    settings.DEPLOYMENT_ENVIRONMENT = "prod"
    owner.client.get("/v1/integrations")
    assert AccessLog.objects.get().environment == "prod"


def test_forwarded_for_is_only_believed_behind_a_trusted_proxy(owner, settings):
    owner.client.get("/v1/integrations", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.7")
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    owner.client.get("/v1/integrations", REMOTE_ADDR="10.0.0.5",
                     HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7, 10.0.0.9")
    assert list(AccessLog.objects.order_by("timestamp", "id").values_list("source_ip", flat=True)) == [
        "10.0.0.5", "198.51.100.7"]


def test_client_ip_edge_cases():
    trusted = ["10.0.0.0/8", "not-a-network"]
    assert client_ip({"REMOTE_ADDR": "203.0.113.1", "HTTP_X_FORWARDED_FOR": "1.2.3.4"}, trusted) == "203.0.113.1"
    assert client_ip({"REMOTE_ADDR": "10.1.1.1"}, trusted) == "10.1.1.1"
    assert client_ip({"REMOTE_ADDR": "10.1.1.1", "HTTP_X_FORWARDED_FOR": "10.2.2.2"}, trusted) == "10.2.2.2"
    assert client_ip({"REMOTE_ADDR": "10.1.1.1", "HTTP_X_FORWARDED_FOR": "garbage"}, trusted) == "garbage"
    assert client_ip({}, []) == ""


def test_logging_failure_never_breaks_the_request(owner, monkeypatch):
    def broken(**fields):
        raise RuntimeError("database down")

    monkeypatch.setattr(middleware.services, "record_access_log", broken)
    response = owner.client.get("/v1/integrations")
    assert response.status_code == 200 and response["X-Request-Id"]
    assert AccessLog.objects.count() == 0


def test_disabled_access_log_writes_nothing(owner, settings):
    settings.ACCESS_LOG_ENABLED = False
    owner.client.get("/v1/integrations")
    assert AccessLog.objects.count() == 0


def test_streaming_response_is_logged_with_the_bytes_sent(owner):
    token = AccessToken.objects.get(pk=owner.token_id)
    request = RequestFactory().get("/v1/some/download")

    def view(req):
        req.auth = token  # what DRF mirrors onto the Django request after authenticating
        return StreamingHttpResponse(iter([b"abc", b"defgh"]))

    response = AccessLogMiddleware(view)(request)
    assert AccessLog.objects.count() == 0  # nothing is known until the body has been sent
    assert b"".join(response.streaming_content) == b"abcdefgh"
    entry = AccessLog.objects.get()
    assert entry.response_length == 8 and entry.request_id == response["X-Request-Id"]


def test_a_failing_insert_leaves_the_request_and_the_transaction_usable(owner, monkeypatch):
    monkeypatch.setattr(middleware, "new_request_id", lambda: "same-id")
    assert owner.client.get("/v1/integrations").status_code == 200
    second = owner.client.get("/v1/integrations")  # unique request_id violated: logged and ignored
    assert second.status_code == 200 and second["X-Request-Id"] == "same-id"
    assert AccessLog.objects.count() == 1  # the connection still works after the failed insert


def test_nul_characters_in_path_and_origin_are_stored_without_them(owner):
    response = owner.client.get("/v1/integrations/a%00b", HTTP_ORIGIN="https://x\x00.example")
    assert response.status_code == 404
    entry = AccessLog.objects.get()
    assert entry.path == "/v1/integrations/ab" and entry.origin == "https://x.example"
