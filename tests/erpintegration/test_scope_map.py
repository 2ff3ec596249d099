"""Which scope each API operation needs: reads need view, changes manage, ERP event ingestion consume;
the public ACK needs no token. Every API view is covered, so a new view cannot slip through unscoped."""
import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.views import APIView

from erpintegration import scopes
from integrations.models import Integration
from tests.conftest import make_api_persona
from tests.factories import IntegrationFactory

DOCUMENTATION = ("openapi", "docs", "redoc")  # the public API description pages
V, M, C = (scopes.VIEW,), (scopes.MANAGE,), (scopes.CONSUME,)
#: Operations whose method alone would mislead: POSTs that only read, and ERP traffic.
EXPECTED = {
    "v1/erp/updates/events": {"POST": C},
    "v2/erp/updates/events": {"POST": C},
    "v3/erp/updates/events": {"POST": C},
    "v1/integrations/<str:integrationId>/events": {"POST": V},
    "v1/integrations/<str:integrationId>/events/replay": {"POST": M},
    "v1/erp/tracking/acknowledgement": {"POST": None},
    "v1/erp/updates/mapping_simulation": {"POST": V},
    "v2/erp/updates/mapping_simulation": {"POST": V},
    "v1/integrations/<str:integrationId>/monitoring/inbound-events": {"POST": V},
    "v1/integrations/<str:integrationId>/monitoring/stats": {"POST": V},
    "v1/integrations/<str:integrationId>/monitoring/timeseries": {"POST": V},
    "v1/integrations/<str:integrationId>/monitoring/access-logs": {"POST": V},
    "v1/integrations/<str:integrationId>/monitoring/outbound-events": {"POST": V},
    "v2/integrations/<str:integrationId>/monitoring/external-events": {"POST": (scopes.MONITORING_INGEST,)},
    "v1/managed-call/<str:slug>/execute": {"POST": C},
    "v1/secure-proxy": {"POST": C},
    "v1/integrations/<str:integrationId>/generate-types-preview": {"POST": V},
    "v1/integrations/<str:integrationId>/generate-types": {"POST": V},
    "^v2/erp/imports/(?P<import_id>[^/:]+):suggest-use-cases$": {"POST": V},  # reads the header, ranks
    "v2/integrations/<str:integrationId>/monitoring/events": {"POST": V},
    "v2/integrations/<str:integrationId>/monitoring/stats": {"POST": V},
    "v2/integrations/<str:integrationId>/monitoring/time-series": {"POST": V},
    "v1/integrations/<str:integrationId>/outbound/messages/poll": {"POST": C},  # the ERP pulls
    "v1/integrations/<str:integrationId>/outbound/messages/ack": {"POST": C},
    "v1/integrations/<str:integrationId>/outbound/messages/dlq": {"GET": M},  # an operator's view
}


def _api_routes(resolver=None, prefix=""):
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _api_routes(entry, route)
        elif isinstance(entry, URLPattern):
            view = getattr(entry.callback, "view_class", None) or getattr(entry.callback, "cls", None)
            if isinstance(view, type) and issubclass(view, APIView) and not route.startswith(DOCUMENTATION):
                yield route, view


def test_every_api_operation_needs_a_scope():
    routes = dict(_api_routes())
    assert "v1/integrations" in routes and len(routes) > 20
    for route, view in routes.items():
        for method in ("get", "post", "put", "patch", "delete"):
            if not hasattr(view, method):
                continue
            required = scopes.required_scopes(view, method.upper())
            expected = EXPECTED.get(route, {}).get(method.upper(), V if method == "get" else M)
            assert required == expected, f"{method.upper()} /{route}: needs {required}, expected {expected}"


@pytest.mark.django_db
def test_consume_only_token_sends_events_and_nothing_else():
    persona = make_api_persona(scopes=[scopes.CONSUME])
    integration = IntegrationFactory(organization=persona.organization)
    sent = persona.client.post("/v3/erp/updates/events", {"integration_id": str(integration.id), "events": [
        {"event_name": "Nobody", "timestamp": "2026-11-29T08:00:00Z", "format": "json", "payload": {}}]},
        format="json")
    assert sent.status_code == 200, sent.json()
    # Existing operations declare no 403 in either contract (C17): only a narrower token can meet one, and
    # the body is the contract's ErrorResponseBase.
    for response in (persona.client.get("/v1/integrations"), persona.client.get(f"/v2/integrations/{integration.id}")):
        assert response.status_code == 403
        assert set(response.json()) == {"code", "message"}
        assert response.json()["code"] == "FORBIDDEN" and "integration:view" in response.json()["message"]


@pytest.mark.django_db
def test_view_only_token_reads_and_simulates_but_cannot_change():
    persona = make_api_persona(scopes=[scopes.VIEW])
    integration = IntegrationFactory(organization=persona.organization, name="Unchanged")
    assert persona.client.get(f"/v1/integrations/{integration.id}").status_code == 200
    simulated = persona.client.post("/v2/erp/updates/mapping_simulation", {
        "event_configuration": {"entities": []}, "format": "json", "payload": {}}, format="json")
    assert simulated.status_code == 200, simulated.json()
    changed = persona.client.put(f"/v1/integrations/{integration.id}", {"name": "Changed"}, format="json")
    assert changed.status_code == 403 and "integration:manage" in changed.json()["message"]
    assert Integration.objects.get(pk=integration.pk).name == "Unchanged"
    events = persona.client.post("/v3/erp/updates/events", {"integration_id": str(integration.id), "events": []},
                                 format="json")
    assert events.status_code == 403
