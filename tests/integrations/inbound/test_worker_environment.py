"""A real Celery worker on PostgreSQL maps with the integration's environment and writes the entity sync
states in the processing transaction (run by `.ci/run`; skipped without a broker and PostgreSQL)."""
import json

from entities.models import Entity, EntitySyncState
from fileproxy.environment import set_environment_value
from integrations.models import PortalConfig

from .helpers import integration_with_use_case, post_v3, v3_event
from .test_worker import broker_queue, processed, pytestmark, wait_for  # noqa: F401 (fixture and marks)

CONFIGURATION = {"entities": [{"entity_schema": "contact", "unique_ids": ["customer_number"], "fields": [
    {"attribute": "customer_number", "jsonataExpression": "$env.prefix & customerId"},
    {"attribute": "salutation", "jsonataExpression": "$mapValue($env.salutations, title)"},
    {"attribute": "portal_id", "portal_ref": {"filter": {"origin": "END_CUSTOMER_PORTAL"}}},
]}]}


def test_worker_maps_with_the_environment_and_records_sync_states(owner, broker_queue):  # noqa: F811
    broker_queue()
    integration, use_case = integration_with_use_case(owner.organization, configuration=CONFIGURATION)
    integration.environment_config = [{"key": "prefix", "label": "Prefix", "type": "String"}]
    integration.maps = [{"key": "salutations", "label": "Salutations", "value": {"Frau": "Ms.", "Herr": "Mr."}}]
    integration.save()
    set_environment_value(integration, "prefix", "W-")
    PortalConfig.objects.create(organization=owner.organization, portal_id="portal-w", origin="END_CUSTOMER_PORTAL")
    events = [v3_event(payload=json.dumps({"customerId": str(n % 3), "title": "Frau" if n % 2 else "Herr"}))
              for n in range(12)]
    response = post_v3(owner, integration, events)
    ids = [r["event_id"] for r in response.json()["results"]]
    wait_for(lambda: processed(ids), "12 events processed by the worker")
    entities = Entity.objects.filter(organization=owner.organization, schema="contact")
    assert sorted(e.attributes["customer_number"] for e in entities) == ["W-0", "W-1", "W-2"]
    assert {e.attributes["portal_id"] for e in entities} == {"portal-w"}
    states = EntitySyncState.objects.filter(organization=owner.organization, integration_id=integration.id)
    assert states.count() == 3
    for entity in entities:
        state = states.get(entity_id=entity.pk)
        assert state.use_case_id == str(use_case.id) and state.last_synced_at >= state.last_changed_at
        assert state.last_event_id == ids[max(n for n in range(12) if f"W-{n % 3}" == entity.attributes["customer_number"])]
