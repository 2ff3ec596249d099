"""What runs is what the simulation shows: env values, maps and portals in processing; secrets stay out;
the sync state is written with the event's entity write; runtime warnings reach monitoring."""
import json

import pytest

from entities.models import Entity, EntitySyncState
from fileproxy.environment import set_environment_value
from integrations.models import PortalConfig
from integrations.setup.services.mapping_environment import load_mapping_environment
from integrations.setup.services.simulation import simulate_mapping_v2
from monitoring.models import InboundMonitoringEvent

from .helpers import integration_with_use_case, post_v3, v3_event

pytestmark = pytest.mark.django_db

CONFIGURATION = {"entities": [{"entity_schema": "contact", "unique_ids": ["customer_number"], "fields": [
    {"attribute": "customer_number", "jsonataExpression": "$env.prefix & customerId"},
    {"attribute": "salutation", "jsonataExpression": "$mapValue($env.salutations, title, 'unknown')"},
    {"attribute": "password", "env_var_ref": {"key": "password"}},
    {"attribute": "portal_id", "portal_ref": {"filter": {"origin": "END_CUSTOMER_PORTAL"}}},
]}]}


def setup(org):
    integration, use_case = integration_with_use_case(org, configuration=CONFIGURATION)
    integration.environment_config = [{"key": "prefix", "label": "Prefix", "type": "String"},
                                      {"key": "password", "label": "Password", "type": "SecretString"}]
    integration.maps = [{"key": "salutations", "label": "Salutations", "value": {"Frau": "Ms."}}]
    integration.save()
    set_environment_value(integration, "prefix", "PROD-")
    set_environment_value(integration, "password", "s3cret")
    PortalConfig.objects.create(organization=org, portal_id="portal-1", origin="END_CUSTOMER_PORTAL", name="Portal")
    return integration, use_case


def test_processing_reads_the_environment_and_writes_the_sync_state(owner, django_capture_on_commit_callbacks):
    integration, use_case = setup(owner.organization)
    payload = {"customerId": "1", "title": "Frau"}
    simulated = simulate_mapping_v2(event_configuration=CONFIGURATION, format="json", payload=json.dumps(payload),
                                    environment=load_mapping_environment(integration))
    with django_capture_on_commit_callbacks(execute=True):
        response = post_v3(owner, integration, [v3_event(payload=json.dumps(payload))])
    assert response.status_code == 200
    [entity] = Entity.objects.filter(organization=owner.organization)
    expected = {"customer_number": "PROD-1", "salutation": "Ms.", "portal_id": "portal-1"}
    assert entity.attributes == expected == simulated["entity_updates"][0]["attributes"]
    assert "s3cret" not in json.dumps(simulated)
    [row] = InboundMonitoringEvent.objects.filter(organization_id=owner.organization.id)
    assert any(w.startswith("ENV_VAR_REF_NOT_FOUND") for w in row.details["warnings"])
    state = EntitySyncState.objects.get(entity_id=entity.pk)
    assert (state.integration_id.hex, state.use_case_id, state.last_operation) == (
        integration.id.hex, str(use_case.id), "create")
    assert state.last_event_id == response.json()["results"][0]["event_id"]


def test_the_loader_leaves_secrets_out(owner):
    integration, _ = setup(owner.organization)
    environment = load_mapping_environment(integration)
    assert environment.values == {"prefix": "PROD-"}
    assert environment.maps == {"salutations": {"Frau": "Ms."}}
    assert [p["portal_id"] for p in environment.portals] == ["portal-1"]


def test_simulation_api_uses_the_integrations_environment_and_404s_for_others(owner, other_org):
    integration, _ = setup(owner.organization)
    body = {"event_configuration": CONFIGURATION, "format": "json", "payload": {"customerId": "1", "title": "Frau"},
            "integration_id": str(integration.id)}
    response = owner.client.post("/v2/erp/updates/mapping_simulation", body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["entity_updates"][0]["attributes"]["customer_number"] == "PROD-1"
    assert other_org.client.post("/v2/erp/updates/mapping_simulation", body, format="json").status_code == 404
