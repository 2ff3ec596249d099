"""Issue 10.7: the smaller findings - each with the test that failed before its fix."""
import logging

import pytest

from erpintegration.lib import http


@pytest.mark.parametrize("host", ["localhost", "no-such-host.invalid"])
def test_ssrf_errors_do_not_reveal_name_resolution(host, caplog):
    with caplog.at_level(logging.WARNING, logger="erpintegration.lib.http"), \
            pytest.raises(http.DestinationBlocked) as info:
        http.request("GET", f"http://{host}:9/x", policy=http.Policy())
    message = str(info.value)
    assert message.startswith(f"destination not allowed: {host!r}")
    assert "127.0.0.1" not in message and "resolve" not in message and "::1" not in message
    assert host in caplog.text  # the detail is logged server-side


HUGE = "9" * 4001


@pytest.mark.django_db
@pytest.mark.parametrize("payload", ['{"customerId": "C-1", "amount": ' + HUGE + "}",
                                     {"customerId": "C-1", "amount": int(HUGE)}])
def test_a_4001_digit_integer_is_a_per_event_error_at_accept(owner, payload):
    from integrations.models import ErpEvent
    from tests.integrations.inbound.helpers import integration_with_use_case, post_v3, v3_event

    integration, _ = integration_with_use_case(owner.organization)
    response = post_v3(owner, integration, [v3_event(payload=payload), v3_event()])
    assert response.status_code == 200, response.json()
    bad, good = response.json()["results"]
    assert bad["status"] == "error" and "out of range" in bad["message"]
    assert good["status"] == "success"
    assert ErpEvent.objects.count() == 1


@pytest.mark.django_db
def test_a_4001_digit_integer_in_a_simulation_is_422(owner):
    config = {"entities": [{"entity_schema": "contact", "unique_ids": ["id"], "fields": [{"attribute": "id", "field": "id"}]}]}
    response = owner.client.post("/v2/erp/updates/mapping_simulation",
                                 {"event_configuration": config, "format": "json",
                                  "payload": '{"id": "1", "n": ' + HUGE + "}"}, format="json")
    assert response.status_code == 422 and response.json()["code"] == "INVALID_PAYLOAD"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/v1/integrations", "/integrations/"])
def test_database_down_is_503_with_retry_after(owner, path, monkeypatch):
    from django.db import OperationalError, connection
    from django.test import Client

    from tests.factories import MembershipFactory

    client = owner.client
    if not path.startswith("/v1"):
        client = Client(raise_request_exception=False)
        client.force_login(MembershipFactory(organization=owner.organization).user)

    def down(*args, **kwargs):
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr(connection, "cursor", down)
    response = client.get(path)
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    if path.startswith("/v1"):
        assert response.json()["code"] == "SERVICE_UNAVAILABLE"
        assert "Connection refused" not in response.json()["message"]


@pytest.mark.django_db
def test_a_chunked_body_is_411_not_read_as_empty(owner):
    response = owner.client.generic("POST", "/v1/integrations", b'{"name": "chunky"}',
                                    content_type="application/json", HTTP_TRANSFER_ENCODING="chunked",
                                    CONTENT_LENGTH="")
    assert response.status_code == 411
    assert response.json()["code"] == "LENGTH_REQUIRED" and "Content-Length" in response.json()["message"]


@pytest.mark.django_db
def test_an_update_cannot_store_an_environment_field_without_its_required_keys(owner):
    """Found by schemathesis: a partial update skipped the required keys of nested items, stored
    ``{"key", "label"}`` without ``type``, and every later read of the integration was a 500."""
    integration = owner.client.post("/v1/integrations", {"name": "x"}, format="json").json()
    response = owner.client.put(f"/v1/integrations/{integration['id']}",
                                {"environment_config": [{"key": "k1", "label": "K"}]}, format="json")
    assert response.status_code == 400
    assert response.json()["details"][0]["path"] == "environment_config[0].type"
    assert owner.client.get("/v1/integrations").status_code == 200
