"""Integration and app-mapping services and selectors."""
import uuid

import pytest

from erpintegration.exceptions import Conflict, NotFound, ValidationFailed
from integrations.models import AppMapping, Integration
from integrations.setup import selectors
from integrations.setup.services import app_mappings, integrations
from tests.factories import IntegrationFactory, OrganizationFactory, UseCaseFactory

pytestmark = pytest.mark.django_db


def test_create_and_partial_update():
    org = OrganizationFactory()
    integration = integrations.create_integration(org, {"name": "ERP", "app_ids": ["a"], "ignored": 1})
    updated = integrations.update_integration(org, integration, {"description": "d"})
    assert (updated.name, updated.app_ids, updated.description) == ("ERP", ["a"], "d")


def test_create_without_name_is_rejected():
    with pytest.raises(ValidationFailed):
        integrations.create_integration(OrganizationFactory(), {"description": "no name"})
    assert not Integration.objects.exists()


def test_update_and_delete_by_another_org_are_not_found():
    integration = IntegrationFactory(name="mine")
    stranger = OrganizationFactory()
    with pytest.raises(NotFound):
        integrations.update_integration(stranger, integration, {"name": "stolen"})
    with pytest.raises(NotFound):
        integrations.delete_integration(stranger, integration)
    assert Integration.objects.get().name == "mine"


@pytest.mark.parametrize("bad_id", [uuid.uuid4(), "not-a-uuid", None, 12])
def test_get_integration_not_found(bad_id):
    with pytest.raises(NotFound):
        selectors.get_integration(OrganizationFactory(), bad_id)


def test_get_integration_of_other_org_is_not_found():
    integration = IntegrationFactory()
    with pytest.raises(NotFound):
        selectors.get_integration(OrganizationFactory(), integration.id)
    assert selectors.get_integration(integration.organization, str(integration.id)) == integration


def test_v2_create_is_atomic():
    org = OrganizationFactory()
    with pytest.raises(ValidationFailed):
        integrations.create_integration_with_use_cases(
            org, {"name": "x", "use_cases": [{"name": "a", "type": "nope", "enabled": True}]}
        )
    assert not Integration.objects.exists()


def test_list_use_cases_of_unknown_integration_is_not_found():
    UseCaseFactory()
    with pytest.raises(NotFound):
        selectors.list_use_cases(OrganizationFactory(), uuid.uuid4())


def test_app_mapping_lifecycle():
    first = IntegrationFactory()
    org = first.organization
    second = IntegrationFactory(organization=org)
    app_mappings.set_app_mapping(org, first, "app", "comp")
    assert app_mappings.set_app_mapping(org, first, "app", "comp").integration == first  # idempotent
    with pytest.raises(Conflict):
        app_mappings.set_app_mapping(org, second, "app", "comp")
    assert app_mappings.set_app_mapping(org, second, "app", "comp", overwrite=True).integration == second
    assert app_mappings.resolve_app_mapping(org, "app", "comp") == second
    assert app_mappings.resolve_app_mapping(OrganizationFactory(), "app", "comp") is None
    with pytest.raises(NotFound):
        app_mappings.delete_app_mapping(org, first, "app", "comp")
    app_mappings.delete_app_mapping(org, second, "app", "comp")
    assert not AppMapping.objects.exists()


def test_app_mapping_on_another_orgs_integration_is_not_found():
    integration = IntegrationFactory()
    with pytest.raises(NotFound):
        app_mappings.set_app_mapping(OrganizationFactory(), integration, "app", "comp")
    assert not AppMapping.objects.exists()
