"""Maps tab, portal registry, documentation tab and the entity's sync states (server side)."""
import json
import uuid

import pytest

from entities.models import Entity
from integrations.models import DocumentationPage, PortalConfig
from tests.entities.helpers import apply, contact
from tests.factories import IntegrationFactory, OrganizationFactory, UseCaseFactory

pytestmark = pytest.mark.django_db

SALUTATIONS = {"key": "salutations", "label": "Salutations", "value": {"Herr": 1, "Frau": "2", "x": None}}


def test_maps_tab_shows_rows_and_saves_valid_maps(ui_client, org):
    integration = IntegrationFactory(organization=org, maps=[SALUTATIONS])
    editor = ui_client("editor")
    page = editor.get(f"/integrations/{integration.pk}/maps/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="Herr"' in html and 'value="salutations"' in html
    new = [{"key": "status", "label": "Status", "value": {"active": True}}]
    saved = editor.post(f"/integrations/{integration.pk}/maps/", {"maps": json.dumps(new)})
    assert saved.status_code == 302
    integration.refresh_from_db()
    assert integration.maps == new


def test_maps_tab_rejects_bad_maps_naming_the_field_and_keeps_the_stored_ones(ui_client, org):
    integration = IntegrationFactory(organization=org, maps=[SALUTATIONS])
    bad = [{"key": "Bad Key", "label": "x", "value": {"a": {"nested": 1}}}]
    response = ui_client("editor").post(f"/integrations/{integration.pk}/maps/", {"maps": json.dumps(bad)})
    assert response.status_code == 400
    html = response.content.decode()
    assert "maps[0].key" in html and "maps[0].value.a" in html
    integration.refresh_from_db()
    assert integration.maps == [SALUTATIONS]
    assert ui_client("editor").post(f"/integrations/{integration.pk}/maps/", {"maps": "[{"}).status_code == 400


def test_viewers_read_maps_but_cannot_save(ui_client, org):
    integration = IntegrationFactory(organization=org, maps=[SALUTATIONS])
    viewer = ui_client("viewer")
    assert viewer.get(f"/integrations/{integration.pk}/maps/").status_code == 200
    assert viewer.post(f"/integrations/{integration.pk}/maps/", {"maps": "[]"}).status_code == 403
    other = IntegrationFactory(organization=OrganizationFactory())
    assert viewer.get(f"/integrations/{other.pk}/maps/").status_code == 404


def test_portal_registry_add_edit_import_delete(ui_client, org):
    editor = ui_client("editor")
    assert editor.get("/settings/portals/").status_code == 200
    created = editor.post("/settings/portals/new/", {"portal_id": "p-1", "origin": "END_CUSTOMER_PORTAL",
                                                     "name": "Kundenportal", "domain": "kunden.example",
                                                     "enabled": "on"})
    assert created.status_code == 302, created.content.decode()[:2000]
    portal = PortalConfig.objects.get(organization=org)
    duplicate = editor.post("/settings/portals/new/", {"portal_id": "p-1", "origin": "B2B_PORTAL"})
    assert duplicate.status_code == 400 and "already registered" in duplicate.content.decode()
    edited = editor.post(f"/settings/portals/{portal.pk}/", {"portal_id": "p-1", "origin": "B2B_PORTAL",
                                                             "name": "B2B"})
    assert edited.status_code == 302
    portal.refresh_from_db()
    assert (portal.origin, portal.enabled) == ("B2B_PORTAL", False)

    items = [{"id": "p-1", "origin": "END_CUSTOMER_PORTAL", "name": "Again", "_created_at": "2024-01-01T00:00:00Z"},
             {"portal_id": "p-2", "origin": "INSTALLER_PORTAL", "is_dummy": True, "extra": "ignored"}]
    imported = editor.post("/settings/portals/import/", {"portals_json": json.dumps(items)})
    assert imported.status_code == 302
    assert sorted(PortalConfig.objects.filter(organization=org).values_list("portal_id", "name")) == [
        ("p-1", "Again"), ("p-2", "")]
    bad = editor.post("/settings/portals/import/", {"portals_json": json.dumps(
        [{"portal_id": "p-3", "origin": "END_CUSTOMER_PORTAL"}, {"portal_id": "p-4", "origin": "MOON"}])})
    assert bad.status_code == 400 and "portals[1].origin" in bad.content.decode()
    assert not PortalConfig.objects.filter(portal_id="p-3").exists()  # all or nothing

    assert editor.post(f"/settings/portals/{portal.pk}/delete/").status_code == 302
    assert not PortalConfig.objects.filter(pk=portal.pk).exists()


def test_portals_are_per_organisation_and_viewers_cannot_change_them(ui_client, org):
    foreign = PortalConfig.objects.create(organization=OrganizationFactory(), portal_id="x", origin="B2B_PORTAL")
    viewer = ui_client("viewer")
    assert "x</code>" not in viewer.get("/settings/portals/").content.decode()
    assert viewer.get(f"/settings/portals/{foreign.pk}/").status_code in (403, 404)
    assert ui_client("editor").get(f"/settings/portals/{foreign.pk}/").status_code == 404
    assert viewer.post("/settings/portals/new/", {"portal_id": "y", "origin": "B2B_PORTAL"}).status_code == 403


def test_documentation_tab_renders_sanitised_markdown_and_edits(ui_client, org):
    integration = IntegrationFactory(organization=org)
    use_case = UseCaseFactory(integration=integration)
    editor = ui_client("editor")
    saved = editor.post(f"/integrations/{integration.pk}/documentation/general/edit/",
                        {"title": "Overview", "content": "# Hello\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))"})
    assert saved.status_code == 302
    html = editor.get(f"/integrations/{integration.pk}/documentation/").content.decode()
    body = html[html.index("data-doc-general"):]
    assert "<h1>Hello</h1>" in body and "<script>" not in body and 'href="javascript' not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    page = editor.post(f"/integrations/{integration.pk}/documentation/{use_case.pk}/edit/",
                       {"title": "", "content": "x"})
    assert page.status_code == 400 and not DocumentationPage.objects.filter(doc_id=str(use_case.pk)).exists()
    editor.post(f"/integrations/{integration.pk}/documentation/{use_case.pk}/edit/", {"title": "UC", "content": "*x*"})
    shown = editor.get(f"/integrations/{integration.pk}/documentation/{use_case.pk}/").content.decode()
    assert "<em>x</em>" in shown
    assert editor.get(f"/integrations/{integration.pk}/documentation/{uuid.uuid4()}/").status_code == 404
    assert editor.post(f"/integrations/{integration.pk}/documentation/general/delete/").status_code == 302
    assert list(DocumentationPage.objects.values_list("doc_id", flat=True)) == [str(use_case.pk)]
    viewer = ui_client("viewer")
    assert viewer.post(f"/integrations/{integration.pk}/documentation/general/edit/",
                       {"title": "t", "content": ""}).status_code == 403


def test_entity_page_shows_sync_states(ui_client, org):
    integration = IntegrationFactory(organization=org)
    apply(org, contact({"customer_number": "C-1"}), integration_id=str(integration.pk), event_id="e1")
    apply(org, contact({"customer_number": "C-1"}), integration_id=str(integration.pk), event_id="e2")
    entity = Entity.objects.get()
    html = ui_client("viewer").get(f"/entities/contact/{entity.pk}/").content.decode()
    assert f'data-sync-state="{integration.pk}"' in html and "no-op" in html


def test_outbound_simulation_in_the_ui_sees_what_runs(ui_client, org):
    integration = IntegrationFactory(organization=org, maps=[
        {"key": "codes", "label": "Codes", "value": {"active": "A"}}])
    client = ui_client("viewer")
    body = {"configuration": {"event_catalog_event": "contract.created", "mappings": [
        {"name": "m", "enabled": True, "jsonata_expression": '{"s": $mapValue($env.codes, status)}',
         "delivery": {"type": "webhook", "webhook_id": "00000000-0000-4000-8000-000000000000"}}]},
        "payload": {"status": "active"}}
    response = client.post(f"/integrations/{integration.pk}/simulate-outbound/", body,
                           content_type="application/json")
    assert response.status_code == 200
    assert "&quot;s&quot;: &quot;A&quot;" in response.json()["html"] or '"s": "A"' in response.json()["html"]
