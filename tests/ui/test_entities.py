"""Entity store browser: schemas, one schema's entities with a filter, one entity with relations."""
import pytest

from entities.models import Entity
from tests.entities.helpers import apply, contact
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored(org):
    apply(org, contact({"customer_number": "C-1"}, {"customer_number": "C-1", "first_name": "Ada", "last_name": "Lovelace"}))
    apply(
        org,
        contact(
            {"contract_number": "K-9"},
            {
                "contract_number": "K-9",
                "customer": {"$relation": {"_set": [{"$entity_unique_ids": {"customer_number": "C-1"}, "_schema": "contact", "_tags": ["owner"]}]}},
                "address": {"street": "Main St 1"},
            },
            schema="contract",
        ),
    )
    return {e.schema: e for e in Entity.objects.filter(organization=org)}


def test_schemas_with_counts(ui_client, stored):
    apply(OrganizationFactory(), contact({"customer_number": "X"}, schema="secret_schema"))
    response = ui_client("viewer").get("/entities/")
    assert response.status_code == 200
    assert {row["schema"]: row["total"] for row in response.context["schemas"]} == {"contact": 1, "contract": 1}


def test_empty_store_explains(ui_client):
    assert b"No entities yet" in ui_client("viewer").get("/entities/").content


def test_schema_list_and_filter(ui_client, org, stored):
    apply(org, contact({"customer_number": "C-2"}, {"customer_number": "C-2", "first_name": "Grace"}))
    client = ui_client("viewer")
    page = client.get("/entities/contact/")
    assert [e["title"] for e in page.context["entities"]] == ["Grace", "Ada Lovelace"]
    page = client.get("/entities/contact/", {"attribute": "customer_number", "value": "C-1"})
    assert [e["title"] for e in page.context["entities"]] == ["Ada Lovelace"]


def test_entity_detail_with_relations(ui_client, stored):
    contract = stored["contract"]
    page = ui_client("viewer").get(f"/entities/contract/{contract.pk}/")
    assert page.status_code == 200
    assert b"Ada Lovelace" in page.content and b"owner" in page.content
    assert b"Main St 1" in page.content
    assert f"/entities/contact/{stored['contact'].pk}/".encode() in page.content


def test_another_orgs_entity_is_404(ui_client):
    other = OrganizationFactory()
    apply(other, contact({"customer_number": "X-1"}))
    foreign = Entity.objects.get(organization=other)
    assert ui_client("admin").get(f"/entities/contact/{foreign.pk}/").status_code == 404
    assert ui_client("admin").get("/entities/contact/not-an-id/").status_code == 404


def test_login_required(client, stored):
    assert client.get("/entities/").status_code == 302


def test_entity_links_the_event_that_last_changed_it(ui_client, org, django_capture_on_commit_callbacks):
    from integrations.inbound.services.accept import accept_events
    from integrations.models import ErpEvent
    from tests.factories import IntegrationFactory, UseCaseFactory

    integration = IntegrationFactory(organization=org)
    UseCaseFactory(integration=integration, name="CustomerChanged")
    body = {"integration_id": str(integration.pk), "events": [
        {"event_name": "CustomerChanged", "timestamp": "2026-01-01T00:00:00Z", "format": "json",
         "payload": '{"customerId": "C-5", "firstName": "Ada"}'}]}
    with django_capture_on_commit_callbacks(execute=True):
        accept_events(org, "v3", body)
    event = ErpEvent.objects.get()
    entity = Entity.objects.get(organization=org)
    page = ui_client("viewer").get(f"/entities/contact/{entity.pk}/")
    assert page.context["last_event_url"] == f"/integrations/{integration.pk}/events/{event.pk}/"
