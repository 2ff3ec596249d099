"""Issue 15, item 1: an integration can be created by typing only its name (the untouched blank
environment-variable row is not a change)."""
import pytest

from integrations.models import Integration
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_create_integration_with_only_a_name(page, shot, login):
    from playwright.sync_api import expect

    org = OrganizationFactory(name="Stadtwerke Nord")
    MembershipFactory(user=UserFactory(username="consultant"), organization=org, role="editor")
    login("consultant")
    page.goto("/integrations/new/")
    page.get_by_label("Name", exact=True).fill("Only a name")
    page.get_by_role("button", name="Create integration").click()
    expect(page.get_by_role("heading", name="Only a name")).to_be_visible()
    shot("01-created")
    integration = Integration.objects.get(organization=org)
    assert integration.name == "Only a name"
    assert not integration.environment_config
