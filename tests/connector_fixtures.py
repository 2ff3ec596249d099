"""Fixtures of the connector tests (a pytest plugin registered in tests/conftest.py): the local fake ERP with
its OAuth2 endpoint, the SSRF guard relaxed for it, fake DNS names, and a connector integration with the client
secret in the encrypted environment, managed calls, an inbound use case for the hand-off."""
from __future__ import annotations

import pytest

from erpintegration.lib import http
from fileproxy.environment import set_environment_value
from tests.factories import IntegrationFactory, UseCaseFactory
from tests.integrations.connectors import servers

RESPONSE_MAPPING = ('{"customer_id": $string(data.id), "name": data.first & " " & data.last, '
                    '"total": data.amount * 100, "lines": [data.items.{"sku": code, "qty": $number(q)}]}')


@pytest.fixture(scope="session")
def erp():
    server = servers.start(servers.FakeErp())
    yield server
    servers.stop(server)


@pytest.fixture
def erp_allowed(settings, erp):
    """The SSRF guard relaxed for the local test servers only (as an operator would for a LAN ERP)."""
    settings.OUTBOUND_HTTP_ALLOWLIST = ["127.0.0.1/32"]
    erp.requests.clear()
    erp.token_requests.clear()
    return erp


@pytest.fixture
def dns(monkeypatch):
    """Names for the secure proxy tests: inside 127.0.0.0/8, partly outside, entirely outside."""
    table = {"api.erp.test": ["127.0.0.1"], "mixed.erp.test": ["127.0.0.1", "10.9.8.7"],
             "outside.erp.test": ["10.9.8.7"], "other.test": ["127.0.0.1"]}
    monkeypatch.setattr(http, "resolve_host", servers.fake_resolver(table, http.resolve_host))
    return table


def make_connector(organization, base_url: str, auth: dict | None = None):
    integration = IntegrationFactory(
        organization=organization, name="Partner ERP", integration_type="connector",
        environment_config=[{"key": "client_secret", "type": "SecretString"},
                            {"key": "erp_key", "type": "SecretString"},
                            {"key": "tenant", "type": "String"}],
        connector_config={"base_url": base_url, "auth": auth or {
            "type": "oauth2_client_credentials", "token_url": base_url + "/oauth/token",
            "client_id": servers.CLIENT_ID, "client_secret": "{{env.client_secret}}"}},
    )
    set_environment_value(integration, "client_secret", servers.CLIENT_SECRET)
    set_environment_value(integration, "erp_key", servers.API_KEY)
    set_environment_value(integration, "tenant", "north")
    UseCaseFactory(organization=organization, integration=integration, name="Get customer", slug="get-customer",
                   type="managed_call", configuration={
                       "operation": {"method": "GET", "path": "/customers/{{customer_id}}",
                                     "headers": {"X-Tenant": "{{env.tenant}}", "X-Erp-Key": "{{env.erp_key}}"},
                                     "query_params": {"expand": "{{expand}}"}},
                       "response_mapping": RESPONSE_MAPPING})
    UseCaseFactory(organization=organization, integration=integration, name="Create order", slug="create-order",
                   type="managed_call", configuration={
                       "operation": {"method": "POST", "path": "/orders"},
                       "request_mapping": '{"customer": customer_id, "lines": [items.{"sku": sku, "qty": qty}]}',
                       "inbound_use_case_slug": "orders-in"})
    UseCaseFactory(organization=organization, integration=integration, name="Failing", slug="failing",
                   type="managed_call", configuration={"operation": {"method": "GET", "path": "/fail"}})
    UseCaseFactory(organization=organization, integration=integration, name="Orders in", slug="orders-in",
                   type="inbound", configuration={"entities": [{"entity_schema": "order", "unique_ids": ["order_id"],
                                                                "fields": [{"attribute": "order_id", "field": "order_id"}]}]})
    return integration


@pytest.fixture
def connector(owner, erp_allowed):
    return make_connector(owner.organization, erp_allowed.base_url)
