"""managedCallExecute against the local fake ERP: mapping in and out, templating, OAuth2 with a cached
token, api_key/bearer, the inbound hand-off, SSRF → 400, upstream error → 502, and no secret in answers."""
from __future__ import annotations

import json

import pytest

from integrations.models import ErpEvent
from tests.connector_fixtures import make_connector
from tests.spec import assert_matches_contract

from . import servers

pytestmark = pytest.mark.django_db


def execute(client, slug, integration, payload=None, **extra):
    body = {"integration_id": str(integration.id), **extra}
    if payload is not None:
        body["payload"] = payload
    return client.post(f"/v1/managed-call/{slug}/execute", body, format="json")


def test_get_with_path_query_header_templates_oauth2_and_response_mapping(owner, connector, erp_allowed):
    response = execute(owner.client, "get-customer", connector, {"customer_id": "C 1/2", "expand": "lines"})
    assert response.status_code == 200, response.content
    assert response.json() == {"customer_id": "C 1/2", "name": "Ada Lovelace", "total": 1250,
                               "lines": [{"sku": "X1", "qty": 2}]}
    sent = erp_allowed.requests[-1]
    assert sent["path"] == "/customers/C%201%2F2"
    assert sent["query"] == {"expand": "lines"}
    assert sent["headers"]["authorization"] == "Bearer tok-1"
    assert sent["headers"]["x-tenant"] == "north" and sent["headers"]["x-erp-key"] == servers.API_KEY
    assert erp_allowed.token_requests == [{"grant_type": "client_credentials", "client_id": servers.CLIENT_ID,
                                           "client_secret": servers.CLIENT_SECRET}]
    again = execute(owner.client, "get-customer", connector, {"customer_id": "C2", "expand": ""})
    assert again.status_code == 200
    assert len(erp_allowed.token_requests) == 1  # the token is cached until shortly before it expires


def test_path_values_are_percent_encoded(owner, connector, erp_allowed):
    execute(owner.client, "get-customer", connector, {"customer_id": "../admin?x=1"})
    assert erp_allowed.requests[-1]["path"] == "/customers/..%2Fadmin%3Fx%3D1"


def test_post_maps_the_body_and_hands_the_response_to_inbound(owner, connector, erp_allowed):
    payload = {"customer_id": "C1", "items": [{"sku": "A", "qty": 2, "price": 9}]}
    response = execute(owner.client, "create-order", connector, payload, correlation_id="corr-1")
    assert response.status_code == 200, response.content
    assert response.json() == {"order_id": "o-77", "received": {"customer": "C1", "lines": [{"sku": "A", "qty": 2}]}}
    event_id = response.headers["X-Inbound-Event-Id"]
    event = ErpEvent.objects.get(pk=event_id)
    assert event.correlation_id == "corr-1" and json.loads(event.payload)["order_id"] == "o-77"


def test_upstream_error_is_502_with_details(owner, connector):
    response = execute(owner.client, "failing", connector, {})
    assert response.status_code == 502
    assert response.json() == {"error": {"code": "EXTERNAL_API_ERROR", "message": "the external API answered 500",
                                         "details": {"status": 500, "body": {"error": "database down"}}}}


def test_ssrf_is_refused_with_400(owner, connector, settings, erp_allowed):
    settings.OUTBOUND_HTTP_ALLOWLIST = []  # the guard as shipped: loopback and private ranges are refused
    response = execute(owner.client, "failing", connector, {})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "SSRF_BLOCKED"
    assert erp_allowed.requests == [] and erp_allowed.token_requests == []


def test_unknown_disabled_or_other_organisations_use_case_is_404(owner, other_org, connector):
    assert execute(owner.client, "nope", connector, {}).status_code == 404
    connector.use_cases.filter(slug="failing").update(enabled=False)
    assert execute(owner.client, "failing", connector, {}).status_code == 404
    assert execute(other_org.client, "get-customer", connector, {}).status_code == 404
    assert execute(owner.client, "orders-in", connector, {}).status_code == 404  # not a managed call


def test_bad_request_names_the_field(owner, connector):
    """The contract's 400 for execute is the ManagedCallErrorResponse envelope (found by schemathesis)."""
    response = owner.client.post("/v1/managed-call/x/execute", {}, format="json")
    assert response.status_code == 400 and "integration_id" in response.json()["error"]["message"]
    assert_matches_contract("managedCallExecute", response)
    response = owner.client.post("/v1/managed-call/x/execute", "{not json", content_type="application/json")
    assert response.status_code == 400 and "Malformed request body" in response.json()["error"]["message"]
    assert_matches_contract("managedCallExecute", response)
    response = execute(owner.client, "get-customer", connector, payload=[1])
    assert response.status_code == 400 and response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert "payload" in response.json()["error"]["message"]


def test_api_key_and_bearer_auth(owner, erp_allowed):
    integration = make_connector(owner.organization, erp_allowed.base_url,
                                 auth={"type": "api_key", "api_key": "{{env.erp_key}}"})
    assert execute(owner.client, "failing", integration, {}).status_code == 502  # reached and authorised
    assert erp_allowed.requests[-1]["headers"]["x-api-key"] == servers.API_KEY
    integration.connector_config = {"base_url": erp_allowed.base_url,
                                    "auth": {"type": "bearer", "token": "{{env.missing}}"}}
    integration.save()
    response = execute(owner.client, "failing", integration, {})
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "MANAGED_CALL_EXECUTION_ERROR"
    assert "'missing' is not set" in response.json()["error"]["message"]


def test_secret_values_never_appear_in_answers(owner, connector, erp_allowed):
    answers = [execute(owner.client, slug, connector, {"customer_id": "C1"}) for slug in
               ("get-customer", "create-order", "failing")]
    for answer in answers:
        text = answer.content.decode()
        assert servers.CLIENT_SECRET not in text and servers.API_KEY not in text and "tok-" not in text


def test_every_call_leaves_one_monitoring_row(owner, connector, settings):
    from monitoring.models import MonitoringEvent

    execute(owner.client, "get-customer", connector, {"customer_id": "C1"}, correlation_id="corr-m")
    execute(owner.client, "failing", connector, {})
    settings.OUTBOUND_HTTP_ALLOWLIST = []
    execute(owner.client, "failing", connector, {})
    rows = list(MonitoringEvent.objects.filter(use_case_type="managed_call").order_by("id"))
    assert [(r.code, r.level) for r in rows] == [("HTTP_200", "success"), ("EXTERNAL_API_ERROR", "error"),
                                                  ("", "error")]
    assert rows[0].correlation_id == "corr-m" and rows[0].details["host"] == "127.0.0.1"
    assert rows[2].details["error_code"] == "SSRF_BLOCKED"


def test_mappings_read_non_secret_env_and_maps(owner, connector, erp_allowed):
    connector.maps = [{"key": "status_names", "value": {"A": "active"}}]
    connector.save()
    use_case = connector.use_cases.get(slug="get-customer")
    use_case.configuration = {**use_case.configuration, "response_mapping":
                              '{"tenant": $env.tenant, "secret": $env.erp_key, '
                              '"status": $mapValue($env.status_names, data.status, "?")}'}
    use_case.save()
    response = execute(owner.client, "get-customer", connector, {"customer_id": "C1"})
    assert response.json() == {"tenant": "north", "status": "active"}
