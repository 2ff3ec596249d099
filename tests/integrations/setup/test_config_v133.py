"""The v1.33 use-case and integration model through the API, each answer valid under both contracts:
the five use-case types, changed_by, change_description not inherited, slug rules (C1), read-only
secure-proxy fields, managed-call type annotations, the integration's new fields, the C7 sync warning,
bad input naming the field with nothing written, another organisation's objects 404."""
import copy

import pytest

from integrations.models import Integration, UseCase, UseCaseHistory
from monitoring.models import InboundMonitoringEvent
from tests.conftest import make_api_persona
from tests.factories import IntegrationFactory, UseCaseFactory, UserFactory
from tests.integrations.configuration.test_v133_types import MANAGED_CALL, SECURE_PROXY
from tests.spec import assert_matches_contract

pytestmark = pytest.mark.django_db
#: Answers that carry what only v1.33 can express (the two new types, an upload file proxy, a file_proxy
#: delivery) cannot be valid v0.46: strict v0.46 readers see an unknown enum value (C5, C6). Everything
#: else is checked against both contracts.
V133 = ["1.33"]
OUTBOUND_FP = {"event_catalog_event": "document.created", "event_filter": "document.type = 'invoice'",
               "ack_tracking": "off",
               "mappings": [{"name": "to DMS", "enabled": True, "delivery": {"type": "file_proxy",
                                                                             "use_case_slug": "dms-upload"}}]}
UPLOAD = {"direction": "upload", "steps": [{"url": "https://dms.example/up", "method": "PUT",
                                            "response_type": "json", "body_jsonata": "{ 'id': document._id }"}]}


@pytest.fixture
def user_persona(db):
    """A token created by a user: its changes carry that user's id as changed_by."""
    user = UserFactory()
    persona = make_api_persona(created_by=user)
    persona.user = user
    return persona


def _uc_url(integration_id, use_case_id=None, suffix=""):
    base = f"/v1/integrations/{integration_id}/use-cases"
    return f"{base}/{use_case_id}{suffix}" if use_case_id else base


@pytest.mark.parametrize(("use_case_type", "configuration"), [
    ("managed_call", MANAGED_CALL), ("secure_proxy", SECURE_PROXY), ("file_proxy", UPLOAD),
    ("outbound", OUTBOUND_FP),
])
def test_new_types_and_configurations_round_trip(user_persona, use_case_type, configuration):
    integration = IntegrationFactory(organization=user_persona.organization)
    response = user_persona.client.post(_uc_url(integration.id), {
        "name": "New kind", "slug": "new-kind", "type": use_case_type, "enabled": True,
        "configuration": copy.deepcopy(configuration)}, format="json")
    assert response.status_code == 201, response.json()
    assert_matches_contract("createUseCase", response, V133)
    body = response.json()
    assert body["type"] == use_case_type and body["changed_by"] == str(user_persona.user.pk)
    stored = {k: v for k, v in body["configuration"].items() if k != "mappings"}
    assert stored == {k: v for k, v in configuration.items() if k != "mappings"}
    for operation_id, answer in (("getUseCase", user_persona.client.get(_uc_url(integration.id, body["id"]))),
                                 ("listUseCases", user_persona.client.get(_uc_url(integration.id)))):
        assert answer.status_code == 200
        assert_matches_contract(operation_id, answer, V133)


def test_changed_by_follows_the_update_and_is_omitted_without_a_user(user_persona):
    integration = IntegrationFactory(organization=user_persona.organization)
    use_case = UseCaseFactory(integration=integration)
    response = user_persona.client.put(_uc_url(integration.id, use_case.id),
                                       {"enabled": False, "change_description": "pause"}, format="json")
    assert response.json()["changed_by"] == str(user_persona.user.pk)
    assert response.json()["change_description"] == "pause"
    again = user_persona.client.put(_uc_url(integration.id, use_case.id), {"enabled": True}, format="json")
    assert "change_description" not in again.json()  # C12: not inherited
    history = user_persona.client.get(_uc_url(integration.id, use_case.id, "/history"))
    assert_matches_contract("listUseCaseHistory", history)
    newest = history.json()["history"][0]
    assert newest["changed_by"] == str(user_persona.user.pk) and newest["change_description"] == "pause"

    tokenish = make_api_persona(user_persona.organization)  # a token without a user (create_token)
    answer = tokenish.client.put(_uc_url(integration.id, use_case.id), {"name": "Renamed"}, format="json")
    assert answer.status_code == 200 and "changed_by" not in answer.json()
    assert_matches_contract("updateUseCase", answer)


def test_slug_is_derived_unless_strict(owner, settings):
    integration = IntegrationFactory(organization=owner.organization)
    lenient = owner.client.post(_uc_url(integration.id), {"name": "Meter Reads", "type": "inbound",
                                                          "enabled": True}, format="json")
    assert lenient.status_code == 201 and lenient.json()["slug"] == "meter-reads"
    settings.ERPI_STRICT_SLUG = True
    strict = owner.client.post(_uc_url(integration.id), {"name": "Other", "type": "inbound", "enabled": True},
                               format="json")
    assert strict.status_code == 400 and strict.json()["message"].startswith("slug:")
    assert_matches_contract("createUseCase", strict)
    v2 = owner.client.put(f"/v2/integrations/{integration.id}", {
        "name": integration.name, "use_cases": [{"name": "Embedded", "type": "inbound", "enabled": True}]},
        format="json")
    assert v2.status_code == 200 and v2.json()["use_cases"][0]["slug"] == "embedded"  # optional on sync


def test_secure_proxy_update_keeps_vpc_mode_and_allow_lists(owner):
    integration = IntegrationFactory(organization=owner.organization)
    created = owner.client.post(_uc_url(integration.id), {"name": "VPN", "slug": "vpn", "type": "secure_proxy",
                                                          "enabled": True, "configuration": SECURE_PROXY},
                                format="json").json()
    response = owner.client.put(_uc_url(integration.id, created["id"]), {
        "configuration": {"vpc_mode": "static_ip", "allowed_domains": ["evil.example.com"]}}, format="json")
    assert response.status_code == 200
    assert_matches_contract("updateUseCase", response, V133)
    assert response.json()["configuration"] == SECURE_PROXY
    cleared = owner.client.put(_uc_url(integration.id, created["id"]), {"configuration": None}, format="json")
    assert cleared.json()["configuration"] == SECURE_PROXY  # null cannot drop the read-only fields either


def test_managed_call_type_annotations_and_read_only_lock(owner):
    integration = IntegrationFactory(organization=owner.organization)
    created = owner.client.post(_uc_url(integration.id), {"name": "Orders", "slug": "orders",
                                                          "type": "managed_call", "enabled": True,
                                                          "configuration": MANAGED_CALL}, format="json").json()
    assert created["types_locked"] is False
    annotations = {"request": {"customer_id": "string"}, "response": {"items[].id": "string"}}
    response = owner.client.put(_uc_url(integration.id, created["id"]),
                                {"type_annotations": annotations, "types_locked": True}, format="json")
    assert response.status_code == 200, response.json()
    assert_matches_contract("updateUseCase", response, V133)
    assert response.json()["type_annotations"] == annotations and response.json()["types_locked"] is False
    bad = owner.client.put(_uc_url(integration.id, created["id"]),
                           {"type_annotations": {"request": {"a": 1}}}, format="json")
    assert bad.status_code == 400 and "type_annotations.request.a" in bad.json()["message"]
    inbound = UseCaseFactory(integration=integration)
    wrong = owner.client.put(_uc_url(integration.id, inbound.id), {"type_annotations": annotations}, format="json")
    assert wrong.status_code == 400 and wrong.json()["message"].startswith("type_annotations:")


def test_integration_fields_round_trip_on_v1_and_v2(owner):
    body = {"name": "Partner API", "integration_type": "connector", "protected": True, "_manifest": ["bp-1"],
            "connector_config": {"base_url": "https://api.partner.example",
                                 "auth": {"type": "api_key", "api_key": "{{env.partner_key}}"},
                                 "latest_types_version": "9.0.0"}}
    created = owner.client.post("/v1/integrations", body, format="json")
    assert created.status_code == 201, created.json()
    assert_matches_contract("createIntegration", created)
    data = created.json()
    assert data["integration_type"] == "connector" and data["protected"] is True and data["_manifest"] == ["bp-1"]
    assert "latest_types_version" not in data["connector_config"]  # written by commitTypes only
    v2 = owner.client.get(f"/v2/integrations/{data['id']}")
    assert_matches_contract("getIntegrationV2", v2)
    assert v2.json()["connector_config"]["auth"]["api_key"] == "{{env.partner_key}}"
    plain = owner.client.post("/v1/integrations", {"name": "Old style"}, format="json").json()
    assert plain["integration_type"] == "erp" and plain["protected"] is False and "connector_config" not in plain


@pytest.mark.parametrize(("field", "value", "named"), [
    ("integration_type", "crm", "integration_type"),
    ("protected", "yes", "protected"),
    ("_manifest", [1], "_manifest"),
    ("connector_config", "https://x", "connector_config"),
    ("connector_config", {"auth": {"type": "bearer", "token": "plain-token"}}, "connector_config.auth.token"),
    ("connector_config", {"auth": {"type": "oauth2_client_credentials"}}, "connector_config.auth.client_id"),
])
def test_bad_integration_fields_name_the_field_and_write_nothing(owner, field, value, named):
    integration = IntegrationFactory(organization=owner.organization, name="Before")
    response = owner.client.put(f"/v1/integrations/{integration.id}", {"name": "After", field: value}, format="json")
    assert response.status_code == 400
    assert_matches_contract("updateIntegration", response)
    assert named in response.json()["message"]
    integration.refresh_from_db()
    assert integration.name == "Before" and integration.connector_config is None


@pytest.mark.parametrize(("use_case_type", "configuration", "named"), [
    ("managed_call", {"operation": {"method": "GET"}}, "configuration.operation.path"),
    ("secure_proxy", {"vpc_mode": "vpn"}, "configuration.vpc_mode"),
    ("secure_proxy", {"vpc_mode": "secure_link", "allowed_ips": ["300.1.1.1"]}, "configuration.allowed_ips[0]"),
    ("outbound", {**OUTBOUND_FP, "ack_tracking": "sometimes"}, "configuration.ack_tracking"),
    ("outbound", {**OUTBOUND_FP, "event_filter": "a ="}, "configuration.event_filter"),
    ("file_proxy", {**UPLOAD, "allowed_origins": ["https://app.example"]}, "configuration.allowed_origins"),
])
def test_bad_use_case_configuration_in_a_v2_sync_writes_nothing(owner, use_case_type, configuration, named):
    integration = IntegrationFactory(organization=owner.organization, name="Before")
    kept = UseCaseFactory(integration=integration)
    response = owner.client.put(f"/v2/integrations/{integration.id}", {"name": "After", "use_cases": [
        {"name": "Bad", "type": use_case_type, "enabled": True, "configuration": configuration}]}, format="json")
    assert response.status_code == 400
    assert_matches_contract("updateIntegrationV2", response)
    assert f"use_cases[0].{named}" in response.json()["message"]
    assert list(UseCase.objects.filter(integration=integration)) == [kept]
    assert Integration.objects.get(pk=integration.pk).name == "Before"


def test_v2_sync_accepts_all_five_and_warns_when_an_old_client_drops_new_types(owner):
    created = owner.client.post("/v2/integrations", {"name": "All kinds", "use_cases": [
        {"name": "In", "type": "inbound", "enabled": True},
        {"name": "Out", "type": "outbound", "enabled": True, "configuration": OUTBOUND_FP},
        {"name": "DMS upload", "slug": "dms-upload", "type": "file_proxy", "enabled": True, "configuration": UPLOAD},
        {"name": "Orders", "type": "managed_call", "enabled": True, "configuration": MANAGED_CALL},
        {"name": "VPN", "type": "secure_proxy", "enabled": True, "configuration": SECURE_PROXY},
    ]}, format="json")
    assert created.status_code == 201, created.json()
    assert_matches_contract("createIntegrationV2", created, V133)
    use_cases = created.json()["use_cases"]
    assert [u["type"] for u in use_cases] == ["inbound", "outbound", "file_proxy", "managed_call", "secure_proxy"]

    # a v0.46-style client re-sends only what it knows: the two newer types are deleted, with a warning
    old_style = [{k: u[k] for k in ("id", "name", "type", "enabled")} for u in use_cases[:3]]
    response = owner.client.put(f"/v2/integrations/{created.json()['id']}", {"name": "All kinds",
                                                                              "use_cases": old_style}, format="json")
    assert response.status_code == 200
    assert_matches_contract("updateIntegrationV2", response, V133)
    assert len(response.json()["use_cases"]) == 3
    warnings = InboundMonitoringEvent.objects.filter(error_code="USE_CASE_DELETED_BY_SYNC",
                                                     integration_id=created.json()["id"])
    assert sorted(w.details["type"] for w in warnings) == ["managed_call", "secure_proxy"]
    assert all(w.status == "warning" for w in warnings)
    listed = owner.client.post(f"/v1/integrations/{created.json()['id']}/monitoring/inbound-events", {},
                               format="json")
    assert_matches_contract("queryInboundMonitoringEvents", listed)
    assert {row["error_code"] for row in listed.json()["data"]} == {"USE_CASE_DELETED_BY_SYNC"}


def test_another_organisations_use_cases_are_404(owner, other_org):
    use_case = UseCaseFactory(integration=IntegrationFactory(organization=other_org.organization),
                              type="managed_call", configuration=MANAGED_CALL)
    for response in (owner.client.get(_uc_url(use_case.integration_id, use_case.id)),
                     owner.client.put(_uc_url(use_case.integration_id, use_case.id),
                                      {"type_annotations": {}}, format="json")):
        assert response.status_code == 404
    assert UseCaseHistory.objects.filter(use_case=use_case).count() == 0


def test_migration_drops_requires_vpc_from_stored_file_proxies(owner):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("integrations.migrations.0005_v133_use_cases_integrations_outbound")
    use_case = UseCaseFactory(integration=IntegrationFactory(organization=owner.organization), type="file_proxy",
                              configuration={**UPLOAD, "requires_vpc": True})
    migration.drop_requires_vpc(apps, None)
    use_case.refresh_from_db()
    assert use_case.configuration == UPLOAD


def test_types_flag_serves_tooling_that_predates_v133(owner):
    integration = IntegrationFactory(organization=owner.organization)
    UseCaseFactory(integration=integration, type="inbound")
    UseCaseFactory(integration=integration, type="managed_call", configuration=MANAGED_CALL)
    old = owner.client.get(_uc_url(integration.id) + "?types=inbound,outbound,file_proxy")
    assert old.status_code == 200 and [u["type"] for u in old.json()["use_cases"]] == ["inbound"]
    assert_matches_contract("listUseCases", old)  # valid under both contracts again
    bad = owner.client.get(_uc_url(integration.id) + "?types=inbound,crm")
    assert bad.status_code == 400 and bad.json()["message"].startswith("types:")
