"""Entity sync states: written with the entity write, no-ops advance last_synced_at only, readings apart,
one statement per write, and getEntitySyncStatus (plus its deprecated alias) on the API."""
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve

from entities.models import Entity, EntitySyncState
from entities.services import StoreError
from integrations.mapping.results import MeterReadingUpdate
from tests.entities.helpers import apply, contact
from tests.factories import OrganizationFactory
from tests.spec import assert_matches_contract

pytestmark = pytest.mark.django_db

INTEGRATION = str(uuid.uuid4())
OTHER_INTEGRATION = str(uuid.uuid4())


def state(entity, integration_id=INTEGRATION):
    return EntitySyncState.objects.get(entity_id=entity.pk, integration_id=integration_id)


def test_create_patch_noop_delete():
    org = OrganizationFactory()
    apply(org, contact({"customer_number": "C-1"}, {"customer_number": "C-1", "name": "Ada"}),
          integration_id=INTEGRATION, event_id="e1")
    entity = Entity.objects.get()
    first = state(entity)
    assert (first.last_operation, first.last_event_id, first.entity_slug) == ("create", "e1", "contact")
    assert first.last_changed_at == first.last_synced_at

    apply(org, contact({"customer_number": "C-1"}, {"name": "Ada"}), integration_id=INTEGRATION, event_id="e2")
    noop = state(entity)
    assert noop.last_operation == "no-op" and noop.last_event_id == "e2"
    assert noop.last_synced_at > first.last_synced_at and noop.last_changed_at == first.last_changed_at

    apply(org, contact({"customer_number": "C-1"}, {"name": "Grace"}), integration_id=INTEGRATION, event_id="e3")
    patched = state(entity)
    assert patched.last_operation == "patch" and patched.last_changed_at == patched.last_synced_at

    apply(org, contact({"customer_number": "C-1"}, mode="delete"), integration_id=INTEGRATION, event_id="e4")
    assert state(entity).last_operation == "delete"
    assert EntitySyncState.objects.count() == 1


def test_one_row_per_integration_and_one_statement_per_write():
    org = OrganizationFactory()
    updates = [contact({"customer_number": f"C-{i}"}) for i in range(20)]
    with CaptureQueriesContext(connection) as queries:
        apply(org, *updates, integration_id=INTEGRATION)
    assert sum("entities_entitysyncstate" in q["sql"] for q in queries.captured_queries) == 1
    assert EntitySyncState.objects.count() == 20
    apply(org, updates[0], integration_id=OTHER_INTEGRATION)
    assert EntitySyncState.objects.count() == 21


def test_a_failed_write_leaves_no_state():
    org = OrganizationFactory()
    apply(org, contact({"customer_number": "C-1"}), contact({"customer_number": "C-2"}))
    with pytest.raises(StoreError):  # the second update matches no meter: the whole write rolls back
        apply(org, contact({"customer_number": "C-3"}), integration_id=INTEGRATION,
              meter_readings_updates=[MeterReadingUpdate(meter={"$entity_unique_ids": {"meter_number": "none"}},
                                                         attributes={"external_id": "R", "value": 1,
                                                                     "timestamp": "2026-01-01T00:00:00Z",
                                                                     "source": "ERP"})])
    assert not EntitySyncState.objects.filter(integration_id=INTEGRATION).exists()


def test_readings_group_is_kept_apart_from_the_entity_group():
    org = OrganizationFactory()
    apply(org, contact({"meter_number": "M-1"}, schema="meter"), integration_id=INTEGRATION, event_id="e1")
    meter = Entity.objects.get(schema="meter")
    reading = MeterReadingUpdate(meter={"$entity_unique_ids": {"meter_number": "M-1"}},
                                 attributes={"external_id": "R-1", "value": 1, "timestamp": "2026-01-01T00:00:00Z",
                                             "source": "ERP"})
    apply(org, integration_id=INTEGRATION, event_id="e2", meter_readings_updates=[reading])
    row = state(meter)
    assert (row.last_operation, row.last_event_id) == ("create", "e1")
    assert (row.readings_last_operation, row.readings_last_event_id) == ("upsert", "e2")
    readings_only = str(uuid.uuid4())
    apply(org, integration_id=readings_only, event_id="e3", meter_readings_updates=[reading])
    alone = state(meter, readings_only)
    assert alone.last_operation is None and alone.readings_last_operation == "upsert"


def test_api_answers_states_and_never_404(owner, other_org):
    apply(owner.organization, contact({"customer_number": "C-1"}), integration_id=INTEGRATION, event_id="e1")
    apply(owner.organization, contact({"customer_number": "C-1"}), integration_id=OTHER_INTEGRATION, event_id="e2")
    entity = Entity.objects.get()
    response = owner.client.get(f"/v1/integrations/entities/{entity.pk}/sync-status")
    assert response.status_code == 200
    assert_matches_contract("getEntitySyncStatus", response)
    body = response.json()
    assert body["entity_id"] == str(entity.pk)
    assert [s["integration_id"] for s in body["sync_states"]] == [INTEGRATION, OTHER_INTEGRATION]
    assert body["sync_states"][1]["last_operation"] == "no-op" and "readings_last_operation" not in body["sync_states"][1]

    narrowed = owner.client.get(f"/v1/integrations/entities/{entity.pk}/sync-status?integration_id={INTEGRATION}")
    assert [s["last_event_id"] for s in narrowed.json()["sync_states"]] == ["e1"]
    alias = owner.client.get(f"/v1/entities/{entity.pk}/sync-status")
    assert alias.status_code == 200 and alias.json() == body

    unknown = owner.client.get(f"/v1/integrations/entities/{uuid.uuid4()}/sync-status")
    assert unknown.status_code == 200 and unknown.json()["sync_states"] == []
    foreign = other_org.client.get(f"/v1/integrations/entities/{entity.pk}/sync-status")
    assert foreign.status_code == 200 and foreign.json()["sync_states"] == []


def test_bad_ids_are_400_naming_the_parameter(owner):
    bad = owner.client.get("/v1/integrations/entities/not-a-uuid/sync-status")
    assert bad.status_code == 400 and bad.json()["message"].startswith("entityId")
    assert_matches_contract("getEntitySyncStatus", bad)
    bad_filter = owner.client.get(f"/v1/integrations/entities/{uuid.uuid4()}/sync-status?integration_id=x")
    assert bad_filter.status_code == 400 and bad_filter.json()["message"].startswith("integration_id")


def test_the_literal_path_is_not_read_as_an_integration():
    entity_id = uuid.uuid4()
    assert resolve(f"/v1/integrations/entities/{entity_id}/sync-status").url_name == "api-entity-sync-status"
    assert resolve(f"/v1/entities/{entity_id}/sync-status").url_name == "api-entity-sync-status-deprecated"
    assert resolve("/v1/integrations/entities").url_name == "api-integration"
